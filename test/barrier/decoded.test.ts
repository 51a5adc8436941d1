// Barrier.getDecoded: a decoded value is reused only while the stored ciphertext is the one it
// came from; any change of the bytes (a write here, another node's, tampering) decrypts again.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Barrier, encryptKeyring, KEYRING_PATH } from '../../src/barrier/barrier.js';
import { Keyring } from '../../src/barrier/keyring.js';
import { ManualClock } from '../../src/util/clock.js';
import { DecryptFailed, Sealed } from '../../src/util/errors.js';
import { FakeStorage } from './fake-storage.js';

async function setup() {
  const physical = new FakeStorage();
  const clock = new ManualClock();
  const rootKey = randomBytes(32);
  await physical.put(KEYRING_PATH, encryptKeyring(rootKey, Keyring.create(clock.now())));
  const barrier = new Barrier(physical, clock);
  await barrier.unseal(rootKey);
  let decodes = 0;
  const decode = (raw: Buffer) => { decodes++; return JSON.parse(raw.toString('utf8')) as { v: number } };
  return { physical, rootKey, barrier, decode, decodes: () => decodes };
}

test('the same ciphertext is decoded once; a new write, a delete or other bytes are seen at once', async () => {
  const { physical, barrier, decode, decodes } = await setup();
  assert.equal(await barrier.getDecoded('m/a', decode), undefined);
  await barrier.put('m/a', Buffer.from('{"v":1}'));
  const first = await barrier.getDecoded('m/a', decode);
  assert.deepEqual(first, { v: 1 });
  assert.equal(await barrier.getDecoded('m/a', decode), first, 'the remembered value');
  assert.equal(decodes(), 1);
  await barrier.put('m/a', Buffer.from('{"v":2}'));
  assert.deepEqual(await barrier.getDecoded('m/a', decode), { v: 2 });
  assert.equal(decodes(), 2);
  // Written underneath the barrier (as another node would): the bytes differ, so it is read anew.
  const other = await barrier.getDecoded('m/b', decode);
  assert.equal(other, undefined);
  await barrier.put('m/c', Buffer.from('{"v":3}'));
  await physical.put('m/a', physical.raw('m/c') as Buffer);
  await assert.rejects(barrier.getDecoded('m/a', decode), DecryptFailed, 'a ciphertext bound to another path does not open');
  await barrier.delete('m/c');
  assert.equal(await barrier.getDecoded('m/c', decode), undefined);
});

test('sealed, nothing is answered from memory; after unseal values are decoded afresh', async () => {
  const { barrier, rootKey, decode, decodes } = await setup();
  await barrier.put('m/a', Buffer.from('{"v":1}'));
  await barrier.getDecoded('m/a', decode);
  barrier.seal();
  await assert.rejects(barrier.getDecoded('m/a', decode), Sealed);
  await barrier.unseal(rootKey);
  assert.deepEqual(await barrier.getDecoded('m/a', decode), { v: 1 });
  assert.equal(decodes(), 2);
});
