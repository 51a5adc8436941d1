// sign, verify, hmac, hash and random over HTTP; signatures checked with node:crypto and jose.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createHash, createHmac, createPublicKey, verify } from 'node:crypto';
import { compactVerify, importSPKI } from 'jose';
import type { TestServer } from '../../helpers/server.js';
import { b64, CANARY_B64, closeTransitServer, ok, refused, startTransitServer } from './helpers.js';

let srv: TestServer;
before(async () => { srv = await startTransitServer(); });
after(async () => { await closeTransitServer(srv); });

const sigBytes = (framed: string, encoding: BufferEncoding = 'base64') => Buffer.from(framed.replace(/^vault:v\d+:/, ''), encoding);
const edPublicKey = (raw: string) => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw, 'base64').toString('base64url') }, format: 'jwk' });

test('ed25519 signatures verify with node:crypto against the published public key', async () => {
  await ok(srv, 'transit/keys/ed', { type: 'ed25519' });
  const pub = (await srv.api('GET', 'transit/keys/ed')).body.data.keys['1'].public_key;
  const { data } = await ok(srv, 'transit/sign/ed', { input: b64('message') });
  assert.equal(data.key_version, 1);
  assert.ok(verify(null, Buffer.from('message'), edPublicKey(pub), sigBytes(data.signature)));
  assert.equal((await ok(srv, 'transit/verify/ed', { input: b64('message'), signature: data.signature })).data.valid, true);
  assert.equal((await ok(srv, 'transit/verify/ed', { input: b64('other'), signature: data.signature })).data.valid, false);
});

test('derived ed25519: the same context gives the same key, its public key is returned', async () => {
  await ok(srv, 'transit/keys/ed-derived', { type: 'ed25519', derived: true });
  assert.match(await refused(srv, 'transit/sign/ed-derived', { input: b64('m') }), /^missing 'context'/);
  const a = (await ok(srv, 'transit/sign/ed-derived', { input: b64('m'), context: b64('c1') })).data;
  const again = (await ok(srv, 'transit/sign/ed-derived', { input: b64('m'), context: b64('c1') })).data;
  assert.equal(a.signature, again.signature);
  assert.ok(verify(null, Buffer.from('m'), edPublicKey(a.public_key), sigBytes(a.signature)));
  assert.equal(a.publickey, undefined);
  const batch = (await ok(srv, 'transit/sign/ed-derived', { batch_input: [{ input: b64('m'), context: b64('c1') }] })).data.batch_results;
  assert.equal(batch[0].publickey, a.public_key);
  const read = (await srv.api('GET', `transit/keys/ed-derived?context=${encodeURIComponent(b64('c1'))}`)).body.data;
  assert.equal(read.keys['1'].public_key, a.public_key);
  assert.equal((await ok(srv, 'transit/verify/ed-derived', { input: b64('m'), context: b64('c2'), signature: a.signature })).data.valid, false);
});

test('ecdsa on every curve: ASN.1 signatures verify with node:crypto, hash_algorithm in URL or body', async () => {
  for (const [type, hash, nodeHash] of [['ecdsa-p256', 'sha2-256', 'sha256'], ['ecdsa-p384', 'sha2-384', 'sha384'], ['ecdsa-p521', 'sha3-512', 'sha3-512']] as const) {
    await ok(srv, `transit/keys/${type}`, { type });
    const pem = (await srv.api('GET', `transit/keys/${type}`)).body.data.keys['1'].public_key;
    const viaUrl = (await ok(srv, `transit/sign/${type}/${hash}`, { input: b64('data') })).data.signature;
    assert.ok(verify(nodeHash, Buffer.from('data'), pem, sigBytes(viaUrl)), type);
    const viaBody = (await ok(srv, `transit/sign/${type}`, { input: b64('data'), hash_algorithm: hash })).data.signature;
    assert.equal((await ok(srv, `transit/verify/${type}/${hash}`, { input: b64('data'), signature: viaBody })).data.valid, true);
    assert.equal((await ok(srv, `transit/verify/${type}`, { input: b64('data'), signature: viaBody, hash_algorithm: 'sha1' })).data.valid, false);
  }
});

test('ecdsa JWS marshaling verifies with jose as an ES256 compact JWS', async () => {
  const pem = (await srv.api('GET', 'transit/keys/ecdsa-p256')).body.data.keys['1'].public_key;
  const signingInput = `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}`;
  const { signature } = (await ok(srv, 'transit/sign/ecdsa-p256', { input: b64(signingInput), marshaling_algorithm: 'jws' })).data;
  const jwsSig = signature.replace(/^vault:v1:/, '');
  assert.match(jwsSig, /^[A-Za-z0-9_-]+$/);
  const result = await compactVerify(`${signingInput}.${jwsSig}`, await importSPKI(pem, 'ES256'));
  assert.equal(new TextDecoder().decode(result.payload), '{"sub":"x"}');
  assert.equal((await ok(srv, 'transit/verify/ecdsa-p256', { input: b64(signingInput), signature, marshaling_algorithm: 'jws' })).data.valid, true);
});

test('rsa: pss (default) and pkcs1v15 verify with node:crypto; salt_length is checked', async () => {
  await ok(srv, 'transit/keys/rsa', { type: 'rsa-2048' });
  const pem = (await srv.api('GET', 'transit/keys/rsa')).body.data.keys['1'].public_key;
  const pss = (await ok(srv, 'transit/sign/rsa', { input: b64('doc') })).data.signature;
  assert.ok(verify('sha256', Buffer.from('doc'), { key: pem, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, sigBytes(pss)));
  const v15 = (await ok(srv, 'transit/sign/rsa/sha2-512', { input: b64('doc'), signature_algorithm: 'pkcs1v15' })).data.signature;
  assert.ok(verify('sha512', Buffer.from('doc'), { key: pem, padding: constants.RSA_PKCS1_PADDING }, sigBytes(v15)));
  assert.equal((await ok(srv, 'transit/verify/rsa/sha2-512', { input: b64('doc'), signature: v15, signature_algorithm: 'pkcs1v15' })).data.valid, true);
  const hashSalt = (await ok(srv, 'transit/sign/rsa', { input: b64('doc'), salt_length: 'hash' })).data.signature;
  assert.ok(verify('sha256', Buffer.from('doc'), { key: pem, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sigBytes(hashSalt)));
  assert.equal(await refused(srv, 'transit/sign/rsa', { input: b64('doc'), salt_length: '9999' }), 'requested salt length 9999 is invalid');
  assert.equal(await refused(srv, 'transit/sign/rsa', { input: b64('doc'), prehashed: true }), 'prehashed input is not supported for key type rsa-2048 with signature_algorithm pss');
});

test('rsa pkcs1v15 over a prehashed digest equals node\'s signature of the message; hash_algorithm none signs the input as is', async () => {
  const pem = (await srv.api('GET', 'transit/keys/rsa')).body.data.keys['1'].public_key;
  const digest = createHash('sha384').update('doc').digest();
  const sig = (await ok(srv, 'transit/sign/rsa/sha2-384', { input: digest.toString('base64'), prehashed: true, signature_algorithm: 'pkcs1v15' })).data.signature;
  assert.ok(verify('sha384', Buffer.from('doc'), { key: pem, padding: constants.RSA_PKCS1_PADDING }, sigBytes(sig)));
  assert.equal((await ok(srv, 'transit/verify/rsa/sha2-384', { input: digest.toString('base64'), signature: sig, prehashed: true, signature_algorithm: 'pkcs1v15' })).data.valid, true);
  assert.equal((await ok(srv, 'transit/verify/rsa/sha2-384', { input: b64('x'.repeat(48)), signature: sig, prehashed: true, signature_algorithm: 'pkcs1v15' })).data.valid, false);
  const raw = (await ok(srv, 'transit/sign/rsa/none', { input: b64('raw bytes'), prehashed: true, signature_algorithm: 'pkcs1v15' })).data.signature;
  assert.equal((await ok(srv, 'transit/verify/rsa/none', { input: b64('raw bytes'), signature: raw, prehashed: true, signature_algorithm: 'pkcs1v15' })).data.valid, true);
  assert.match(await refused(srv, 'transit/sign/rsa/sha2-256', { input: b64('short'), prehashed: true, signature_algorithm: 'pkcs1v15' }), /length of the hash algorithm's digest/);
  assert.equal(await refused(srv, 'transit/sign/ecdsa-p256', { input: digest.toString('base64'), prehashed: true }), 'prehashed input is not supported for key type ecdsa-p256');
});

test('sign batch: per-item errors; keys that cannot sign are refused', async () => {
  const { data } = await ok(srv, 'transit/sign/ed', { batch_input: [{ input: b64('a'), reference: 'r1' }, {}] });
  assert.equal(data.batch_results[0].reference, 'r1');
  assert.match(data.batch_results[0].signature, /^vault:v1:/);
  assert.equal(data.batch_results[1].error, 'missing input');
  await ok(srv, 'transit/keys/aes-nosign');
  assert.equal(await refused(srv, 'transit/sign/aes-nosign', { input: b64('a') }), 'key type aes256-gcm96 does not support signing');
  const v = await ok(srv, 'transit/verify/ed', { batch_input: [{ input: b64('a'), signature: data.batch_results[0].signature }, { input: b64('b'), signature: data.batch_results[0].signature }] });
  assert.deepEqual(v.data.batch_results.map((r: any) => r.valid), [true, false]);
});

test('hmac: HMAC under the version\'s key, verify via verify/ with hmac', async () => {
  await ok(srv, 'transit/keys/mac', { type: 'hmac', exportable: true });
  const key = Buffer.from((await srv.api('GET', 'transit/export/hmac-key/mac/1')).body.data.keys['1'], 'base64');
  const { hmac } = (await ok(srv, 'transit/hmac/mac/sha2-512', { input: CANARY_B64 })).data;
  assert.equal(hmac, `vault:v1:${createHmac('sha512', key).update(Buffer.from(CANARY_B64, 'base64')).digest('base64')}`);
  assert.equal((await ok(srv, 'transit/verify/mac/sha2-512', { input: CANARY_B64, hmac })).data.valid, true);
  assert.equal((await ok(srv, 'transit/verify/mac', { input: CANARY_B64, hmac })).data.valid, false);
  const batch = await ok(srv, 'transit/hmac/mac', { batch_input: [{ input: b64('x') }, {}] });
  assert.equal(batch.data.batch_results[1].error, 'missing input for HMAC');
  assert.equal(await refused(srv, 'transit/hmac/mac', {}), 'missing input for HMAC');
  assert.equal(await refused(srv, 'transit/verify/mac', { input: b64('x'), hmac: 'vault:v9:AAAA' }), 'invalid HMAC: version is too new');
  assert.equal(await refused(srv, 'transit/hmac/mac/md5', { input: b64('x') }), 'unsupported algorithm md5');
  await ok(srv, 'transit/keys/mac/rotate');
  await ok(srv, 'transit/keys/mac/config', { min_decryption_version: 2 });
  assert.equal(await refused(srv, 'transit/verify/mac/sha2-512', { input: CANARY_B64, hmac }), 'cannot verify HMAC: version is too old (disallowed by policy)');
});

test('hash: known answers in hex and base64', async () => {
  const input = b64('abc');
  assert.equal((await ok(srv, 'transit/hash', { input })).data.sum, createHash('sha256').update('abc').digest('hex'));
  assert.equal((await ok(srv, 'transit/hash/sha3-256', { input, format: 'base64' })).data.sum, createHash('sha3-256').update('abc').digest('base64'));
  assert.equal((await ok(srv, 'transit/hash', { input, algorithm: 'sha2-384' })).data.sum, createHash('sha384').update('abc').digest('hex'));
  assert.equal(await refused(srv, 'transit/hash/sha1', { input }), 'unsupported algorithm sha1');
});

test('random: byte count in body or URL, hex or base64, source segment', async () => {
  assert.equal(Buffer.from((await ok(srv, 'transit/random')).data.random_bytes, 'base64').length, 32);
  assert.equal((await ok(srv, 'transit/random/16', { format: 'hex' })).data.random_bytes.length, 32);
  assert.equal(Buffer.from((await ok(srv, 'transit/random/platform/8')).data.random_bytes, 'base64').length, 8);
  assert.equal(Buffer.from((await ok(srv, 'transit/random/all')).data.random_bytes, 'base64').length, 32);
  assert.equal(await refused(srv, 'transit/random', { format: 'octal' }), 'unsupported encoding format octal; must be "hex" or "base64"');
  assert.match(await refused(srv, 'transit/random/999999999'), /no greater than/);
});
