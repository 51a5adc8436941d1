// Vault's wording and batch shapes that clients check: "not found" texts per operation,
// request-wide refusals before any item, and the fields a failed batch item still carries.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import { b64, closeTransitServer, ok, refused, startTransitServer } from './helpers.js';

let srv: TestServer;
before(async () => {
  srv = await startTransitServer();
  await ok(srv, 'transit/keys/aes');
  await ok(srv, 'transit/keys/ec', { type: 'ecdsa-p256' });
});
after(async () => { await closeTransitServer(srv); });

test('a missing key is named as Vault names it for each operation', async () => {
  assert.equal(await refused(srv, 'transit/sign/absent', { input: b64('m') }), 'signing key not found');
  assert.equal(await refused(srv, 'transit/verify/absent', { input: b64('m'), signature: 'vault:v1:AA==' }), 'signature verification key not found');
  // HMACs and the ciphers keep "encryption key not found".
  assert.equal(await refused(srv, 'transit/verify/absent', { input: b64('m'), hmac: 'vault:v1:AA==' }), 'encryption key not found');
  assert.equal(await refused(srv, 'transit/hmac/absent', { input: b64('m') }), 'encryption key not found');
});

test('sign/verify refuse a bad hash, a bad marshaling or a non-signing key for the whole batch', async () => {
  const batch = [{ input: b64('m'), signature: 'vault:v1:AA==' }];
  assert.equal(await refused(srv, 'transit/verify/aes', { input: b64('m'), signature: 'vault:v1:AA==' }), 'key type aes256-gcm96 does not support verification');
  assert.equal(await refused(srv, 'transit/verify/aes', { batch_input: batch }), 'key type aes256-gcm96 does not support verification');
  assert.equal(await refused(srv, 'transit/sign/aes', { batch_input: batch }), 'key type aes256-gcm96 does not support signing');
  assert.equal(await refused(srv, 'transit/sign/ec', { batch_input: batch, hash_algorithm: 'md5' }), 'invalid hash algorithm "md5"');
  assert.equal(await refused(srv, 'transit/sign/ec/sha2-999', { input: b64('m') }), 'invalid hash algorithm "sha2-999"');
  assert.equal(await refused(srv, 'transit/verify/ec', { batch_input: batch, marshaling_algorithm: 'der' }), 'invalid marshaling type "der"');
});

test('a sign context that is not base64 gets Vault\'s text', async () => {
  await ok(srv, 'transit/keys/ed-derived', { type: 'ed25519', derived: true });
  assert.equal(await refused(srv, 'transit/sign/ed-derived', { input: b64('m'), context: 'not base64!' }), 'failed to base64-decode context');
});

test('sign, verify and hmac batches answer 200 even when every item failed; failed items keep Vault\'s fields', async () => {
  const signed = (await ok(srv, 'transit/sign/ec', { batch_input: [{ input: '!', reference: 'r' }] })).data.batch_results;
  assert.deepEqual(signed, [{ key_version: 0, error: 'unable to decode input as base64: illegal base64 data at input byte 0', reference: 'r' }]);
  const sig = (await ok(srv, 'transit/sign/ec', { input: b64('m') })).data.signature;
  const verified = (await ok(srv, 'transit/verify/ec', {
    batch_input: [{ input: '!', signature: sig }, { input: b64('m'), signature: sig }, { input: b64('n'), signature: sig }],
  })).data.batch_results;
  assert.equal(verified[0].valid, false);
  assert.match(verified[0].error, /^unable to decode input as base64/);
  assert.deepEqual(verified.slice(1), [{ valid: true, reference: '' }, { valid: false, reference: '' }]);
  const hmacs = (await ok(srv, 'transit/hmac/aes', { batch_input: [{ input: '!' }] })).data.batch_results;
  assert.equal(hmacs.length, 1);
  assert.match(hmacs[0].error, /^unable to decode input as base64/);
  assert.equal(hmacs[0].hmac, undefined);
});

test('decrypt batches: failed items carry an empty plaintext; a missing ciphertext is its item\'s error', async () => {
  const ct = (await ok(srv, 'transit/encrypt/aes', { plaintext: b64('x') })).data.ciphertext;
  const res = await srv.api('POST', 'transit/decrypt/aes', { batch_input: [{ ciphertext: ct, reference: 'a' }, { ciphertext: 'x' }, {}] });
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.deepEqual(res.body.data.batch_results, [
    { plaintext: b64('x'), reference: 'a' },
    { plaintext: '', error: 'invalid ciphertext: no prefix', reference: '' },
    { plaintext: '', error: 'missing ciphertext to decrypt', reference: '' },
  ]);
  // rewrap, unlike decrypt, answers 200 even when every item failed (as Vault's does).
  const all = await srv.api('POST', 'transit/rewrap/aes', { batch_input: [{}] });
  assert.equal(all.status, 200);
  assert.deepEqual(all.body.data.batch_results, [{ error: 'missing ciphertext to decrypt', reference: '' }]);
});

test('decrypt and rewrap refuse a batch where only some items have a context', async () => {
  const ct = (await ok(srv, 'transit/encrypt/aes', { plaintext: b64('x') })).data.ciphertext;
  const mixed = { batch_input: [{ ciphertext: ct, context: b64('c') }, { ciphertext: ct }] };
  for (const op of ['decrypt', 'rewrap']) {
    assert.equal(await refused(srv, `transit/${op}/aes`, mixed), 'context should be set either in all the request blocks or in none');
  }
});

test('verify: a signature or an hmac in every item, with Vault\'s texts otherwise', async () => {
  const sig = (await ok(srv, 'transit/sign/ec', { input: b64('m') })).data.signature;
  assert.equal(await refused(srv, 'transit/verify/ec', { input: b64('m') }), "missing 'signature', 'hmac' or 'cmac' were given to verify");
  assert.equal(await refused(srv, 'transit/verify/ec', { batch_input: [{ input: b64('m'), signature: sig }, { input: b64('m'), hmac: 'vault:v1:AA==' }] }),
    "elements of batch_input must all provide either 'signature', 'hmac' or 'cmac'");
  assert.equal(await refused(srv, 'transit/verify/ec', { batch_input: [{ input: b64('m'), signature: sig }, { input: b64('m') }] }), "some elements of batch_input are missing 'signature'");
  assert.equal(await refused(srv, 'transit/verify/ec', { batch_input: [{ input: b64('m'), hmac: 'vault:v1:AA==' }, { input: b64('m') }] }), "some elements of batch_input are missing 'hmac'");
  assert.equal(await refused(srv, 'transit/verify/ec', { batch_input: [{ input: b64('m') }] }), "no batch_input elements have 'signature', 'hmac' or 'cmac'");
  // An item with both is a signature item, as in Vault.
  assert.equal((await ok(srv, 'transit/verify/ec', { input: b64('m'), signature: sig, hmac: 'vault:v1:AA==' })).data.valid, true);
});

test('verify: an empty signature or hmac counts as given, so its framing is refused, as in Vault', async () => {
  const sig = (await ok(srv, 'transit/sign/ec', { input: b64('m') })).data.signature;
  const mac = (await ok(srv, 'transit/hmac/ec', { input: b64('m') })).data.hmac;
  // A single request: a field that was sent is checked even when empty; signature still wins.
  assert.equal(await refused(srv, 'transit/verify/ec', { input: b64('m'), signature: '' }), 'invalid signature: no prefix');
  assert.equal(await refused(srv, 'transit/verify/ec', { input: b64('m'), signature: '', hmac: mac }), 'invalid signature: no prefix');
  assert.equal(await refused(srv, 'transit/verify/ec', { input: b64('m'), hmac: '' }), 'invalid HMAC to verify: no prefix');
  assert.equal(await refused(srv, 'transit/verify/absent', { input: b64('m'), signature: '' }), 'signature verification key not found');
  // A batch: the item fails on its own; a null or non-string signature is a missing one.
  const signed = (await ok(srv, 'transit/verify/ec', {
    batch_input: [{ input: b64('m'), signature: '' }, { input: b64('m'), signature: null, reference: 'n' }, { input: b64('m'), signature: 7 }, { input: b64('m'), signature: sig }],
  })).data.batch_results;
  assert.deepEqual(signed, [
    { valid: false, error: 'invalid signature: no prefix', reference: '' },
    { valid: false, error: 'missing signature', reference: 'n' },
    { valid: false, error: 'missing signature', reference: '' },
    { valid: true, reference: '' },
  ]);
  const macs = (await ok(srv, 'transit/verify/ec', { batch_input: [{ input: b64('m'), hmac: '' }, { input: b64('m'), hmac: null }, { input: b64('m'), hmac: mac }] })).data.batch_results;
  assert.deepEqual(macs, [
    { error: 'invalid HMAC to verify: no prefix', reference: '' },
    { error: 'invalid HMAC to verify: no prefix', reference: '' },
    { valid: true, reference: '' },
  ]);
});

test('a nonce on a key that does not take one is refused with Vault\'s text', async () => {
  assert.equal(await refused(srv, 'transit/encrypt/aes', { plaintext: b64('x'), nonce: Buffer.alloc(12).toString('base64') }), 'provided nonce not allowed for this key');
});

test('associated data on an RSA key is refused per item, naming the item', async () => {
  await ok(srv, 'transit/keys/rsa', { type: 'rsa-2048' });
  assert.equal(await refused(srv, 'transit/encrypt/rsa', { plaintext: b64('x'), associated_data: b64('ad') }), "'[0].associated_data' provided for non-AEAD cipher suite rsa-2048");
  const ct = (await ok(srv, 'transit/encrypt/rsa', { plaintext: b64('x') })).data.ciphertext;
  const res = await srv.api('POST', 'transit/decrypt/rsa', { batch_input: [{ ciphertext: ct }, { ciphertext: ct, associated_data: b64('ad') }] });
  assert.equal(res.status, 400);
  assert.deepEqual(res.body.data.batch_results[1], { plaintext: '', error: "'[1].associated_data' provided for non-AEAD cipher suite rsa-2048", reference: '' });
  assert.equal(res.body.data.batch_results[0].plaintext, b64('x'));
});

test('verify of HMACs in a batch omits a false valid, as Vault\'s HMAC items do', async () => {
  const mac = (await ok(srv, 'transit/hmac/aes', { input: b64('m') })).data.hmac;
  const results = (await ok(srv, 'transit/verify/aes', { batch_input: [{ input: b64('m'), hmac: mac }, { input: b64('n'), hmac: mac }] })).data.batch_results;
  assert.deepEqual(results, [{ valid: true, reference: '' }, { reference: '' }]);
  assert.equal((await ok(srv, 'transit/verify/aes', { input: b64('n'), hmac: mac })).data.valid, false);
});

test('rewrap does not take partial_failure_response_code: it is an unrecognised parameter', async () => {
  await srv.api('POST', 'transit/keys/rewrap-pfrc');
  const enc = await srv.api('POST', 'transit/encrypt/rewrap-pfrc', { plaintext: Buffer.from('x').toString('base64') });
  const res = await srv.api('POST', 'transit/rewrap/rewrap-pfrc', { ciphertext: enc.body.data.ciphertext, partial_failure_response_code: 207 });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.warnings, ['Endpoint ignored these unrecognized parameters: [partial_failure_response_code]']);
});

test('config/keys disable_upsert: encrypt no longer creates a missing key, even with create capability', async () => {
  assert.deepEqual((await srv.api('GET', 'transit/config/keys')).body.data, { disable_upsert: false });
  // Upsert works while allowed (the root token has create).
  assert.ok((await ok(srv, 'transit/encrypt/made-on-encrypt', { plaintext: b64('x') })).data.ciphertext);
  assert.deepEqual((await ok(srv, 'transit/config/keys', { disable_upsert: true })).data, { disable_upsert: true });
  assert.deepEqual((await srv.api('GET', 'transit/config/keys')).body.data, { disable_upsert: true });
  assert.equal(await refused(srv, 'transit/encrypt/never-made', { plaintext: b64('x') }), 'encryption key not found');
  assert.equal((await srv.api('GET', 'transit/keys/never-made')).status, 404);
  // The type is still checked first, and existing keys still encrypt.
  assert.equal(await refused(srv, 'transit/encrypt/never-made', { plaintext: b64('x'), type: 'ecdsa-p256' }), 'key type ecdsa-p256 not supported for this operation');
  assert.ok((await ok(srv, 'transit/encrypt/made-on-encrypt', { plaintext: b64('x') })).data.ciphertext);
  // An empty write sets it back to false, as Vault reads the field's default.
  assert.deepEqual((await ok(srv, 'transit/config/keys', {})).data, { disable_upsert: false });
  assert.ok((await ok(srv, 'transit/encrypt/made-later', { plaintext: b64('x') })).data.ciphertext);
});
