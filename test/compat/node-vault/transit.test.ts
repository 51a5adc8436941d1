// Transit through node-vault, the way a Node application encrypts PII without holding a key:
// node-vault's generic write/read/list/delete on transit/ paths (it has no transit helpers
// beyond encryptData/decryptData, which post to transit/encrypt|decrypt/<name>).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { failure, vaultClient } from './client.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
  await vaultClient(srv.url, srv.rootToken).mount({ mount_point: 'transit', type: 'transit' });
});
after(() => srv.close());

const root = () => vaultClient(srv.url, srv.rootToken);
const b64 = (s: string) => Buffer.from(s).toString('base64');

test('write keys/<name>, encrypt and decrypt with write, list keys with LIST', async () => {
  const vault = root();
  await vault.write('transit/keys/nv-app', { type: 'chacha20-poly1305' });
  const { data } = await vault.write('transit/encrypt/nv-app', { plaintext: b64('ssn 078-05-1120') });
  assert.match(data.ciphertext, /^vault:v1:/);
  const dec = await vault.write('transit/decrypt/nv-app', { ciphertext: data.ciphertext });
  assert.equal(Buffer.from(dec.data.plaintext, 'base64').toString(), 'ssn 078-05-1120');
  const listed = await vault.list('transit/keys');
  assert.ok(listed.data.keys.includes('nv-app'));
});

test('node-vault\'s encryptData / decryptData helpers', async () => {
  const vault = root() as any;
  const { data } = await vault.encryptData({ name: 'nv-app', plaintext: b64('x') });
  const dec = await vault.decryptData({ name: 'nv-app', ciphertext: data.ciphertext });
  assert.equal(dec.data.plaintext, b64('x'));
});

test('errors reject with Vault\'s text: unknown key is a 400, a missing key read a 404', async () => {
  const vault = root();
  const err = await failure(vault.write('transit/decrypt/nv-none', { ciphertext: 'vault:v1:AAAA' }));
  assert.deepEqual([err.response.statusCode, err.message], [400, 'encryption key not found']);
  const missing = await failure(vault.read('transit/keys/nv-none'));
  assert.equal(missing.response.statusCode, 404);
});

test('rotate, rewrap and sign/verify through generic writes', async () => {
  const vault = root();
  const old = (await vault.write('transit/encrypt/nv-app', { plaintext: b64('y') })).data.ciphertext;
  await vault.write('transit/keys/nv-app/rotate', {});
  const rewrapped = await vault.write('transit/rewrap/nv-app', { ciphertext: old });
  assert.match(rewrapped.data.ciphertext, /^vault:v2:/);
  await vault.write('transit/keys/nv-sign', { type: 'ecdsa-p384' });
  const sig = (await vault.write('transit/sign/nv-sign/sha2-384', { input: b64('doc') })).data.signature;
  const ok = await vault.write('transit/verify/nv-sign/sha2-384', { input: b64('doc'), signature: sig });
  assert.equal(ok.data.valid, true);
});
