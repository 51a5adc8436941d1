// BYOK: key material wrapped with RSA-OAEP and AES key wrap (padding) under wrapping_key.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createCipheriv, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes, verify } from 'node:crypto';
import type { TestServer } from '../../helpers/server.js';
import { b64, CANARY_B64, closeTransitServer, ok, refused, startTransitServer } from './helpers.js';

let srv: TestServer;
let wrappingPem: string;
before(async () => {
  srv = await startTransitServer();
  const res = await srv.api('GET', 'transit/wrapping_key');
  assert.equal(res.status, 200);
  wrappingPem = res.body.data.public_key;
});
after(async () => { await closeTransitServer(srv); });

/** Wraps key material as Vault's BYOK documentation describes. */
function wrap(material: Buffer, oaepHash = 'sha256'): string {
  const ephemeral = randomBytes(32);
  const wrappedKey = publicEncrypt({ key: wrappingPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, ephemeral);
  const kwp = createCipheriv('id-aes256-wrap-pad', ephemeral, Buffer.from('A65959A6', 'hex'));
  return Buffer.concat([wrappedKey, kwp.update(material), kwp.final()]).toString('base64');
}

test('the wrapping key is one RSA-4096 public key per mount', async () => {
  const key = createPublicKey(wrappingPem);
  assert.equal(key.asymmetricKeyDetails?.modulusLength, 4096);
  assert.equal((await srv.api('GET', 'transit/wrapping_key')).body.data.public_key, wrappingPem);
});

test('an imported AES key encrypts what the same key decrypts outside, and reads as imported', async () => {
  const material = randomBytes(32);
  const created = await ok(srv, 'transit/keys/byok/import', { ciphertext: wrap(material), hash_function: 'SHA256' });
  assert.equal(created.data.imported_key, true);
  const ct = (await ok(srv, 'transit/encrypt/byok', { plaintext: CANARY_B64 })).data.ciphertext;
  assert.equal((await ok(srv, 'transit/decrypt/byok', { ciphertext: ct })).data.plaintext, CANARY_B64);
  assert.equal(await refused(srv, 'transit/keys/byok/import', { ciphertext: wrap(material) }), 'the import path cannot be used with an existing key; use import-version to rotate an existing imported key');
  assert.equal(await refused(srv, 'transit/keys/byok/rotate'), 'imported key rotation is not allowed');
  const v2 = await ok(srv, 'transit/keys/byok/import_version', { ciphertext: wrap(randomBytes(32), 'sha1'), hash_function: 'SHA1' });
  assert.equal(v2.data.latest_version, 2);
});

test('import checks sizes and types; a wrong wrapping fails without detail', async () => {
  assert.equal(await refused(srv, 'transit/keys/short/import', { ciphertext: wrap(randomBytes(16)) }), 'invalid key size 16 bytes for key type aes256-gcm96');
  assert.equal(await refused(srv, 'transit/keys/bad/import', { ciphertext: Buffer.alloc(600).toString('base64') }), 'failed to unwrap the key material');
  assert.equal(await refused(srv, 'transit/keys/bad/import', { ciphertext: wrap(randomBytes(32)), hash_function: 'MD5' }), 'unsupported hash function: MD5');
  assert.equal(await refused(srv, 'transit/keys/new/import_version', { ciphertext: wrap(randomBytes(32)) }), 'cannot import key version, key does not exist');
});

test('an imported ECDSA key (PKCS #8) signs verifiably; allow_rotation permits rotate', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  await ok(srv, 'transit/keys/byok-ec/import', { ciphertext: wrap(der), type: 'ecdsa-p256', allow_rotation: true });
  const sig = (await ok(srv, 'transit/sign/byok-ec', { input: b64('m') })).data.signature;
  assert.ok(verify('sha256', Buffer.from('m'), publicKey, Buffer.from(sig.slice(9), 'base64')));
  assert.equal((await ok(srv, 'transit/keys/byok-ec/rotate')).data.latest_version, 2);
  assert.equal(await refused(srv, 'transit/keys/byok-ec/import_version', { ciphertext: wrap(der) }), 'cannot import key version, key has been rotated in Lockbox');
  assert.equal(await refused(srv, 'transit/keys/byok-ec2/import', { ciphertext: wrap(der), type: 'ecdsa-p384' }), 'the imported key does not match the key type ecdsa-p384');
});
