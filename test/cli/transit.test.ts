// Vault's CLI habits against transit: `write transit/encrypt/<key> plaintext=… -field=ciphertext`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCliServer } from './helpers.js';

const suite = useCliServer();

test('write -field=ciphertext prints the bare ciphertext; write -field=plaintext gives it back', async () => {
  const { srv, cli } = suite;
  await srv.api('POST', 'sys/mounts/transit', { type: 'transit' });
  assert.equal((await cli.run(['write', '-f', 'transit/keys/cli'])).code, 0);
  const plaintext = Buffer.from('order 66').toString('base64');
  const enc = await cli.run(['write', '-field=ciphertext', 'transit/encrypt/cli', `plaintext=${plaintext}`]);
  assert.equal(enc.code, 0, enc.stderr);
  assert.match(enc.stdout.trim(), /^vault:v1:[A-Za-z0-9+/=]+$/);
  const dec = await cli.run(['write', '-field=plaintext', 'transit/decrypt/cli', `ciphertext=${enc.stdout.trim()}`]);
  assert.deepEqual([dec.code, dec.stdout.trim()], [0, plaintext]);
});
