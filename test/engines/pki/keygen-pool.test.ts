// RSA keys from the low-priority worker pool: real, distinct keys of the asked size, several at
// once, and (on Linux) generated on threads that run at nice 19 while the main thread stays at 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { generateRsaKey, KEYGEN_NICE } from '../../../src/engines/pki/keygen-pool.js';

/** The nice value of each thread of this process (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

test('several RSA keys at once: distinct, of the asked size, from threads at nice 19', async () => {
  const keys = await Promise.all([generateRsaKey(2048), generateRsaKey(2048), generateRsaKey(3072)]);
  assert.deepEqual(keys.map((k) => [k.type, k.asymmetricKeyType, k.asymmetricKeyDetails?.modulusLength]), [
    ['private', 'rsa', 2048], ['private', 'rsa', 2048], ['private', 'rsa', 3072],
  ]);
  const moduli = keys.map((k) => k.export({ format: 'jwk' }).n);
  assert.equal(new Set(moduli).size, 3);
  if (existsSync('/proc/self/task')) {
    const nices = threadNices();
    assert.ok(nices.includes(KEYGEN_NICE), `a thread at nice ${KEYGEN_NICE}: ${nices.join(',')}`);
    assert.equal(Number(readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ')[16]), 0, 'the main thread keeps nice 0');
  }
});

test('an impossible size is refused with an error, and the pool keeps working', async () => {
  await assert.rejects(generateRsaKey(-1));
  assert.equal((await generateRsaKey(2048)).asymmetricKeyDetails?.modulusLength, 2048);
});
