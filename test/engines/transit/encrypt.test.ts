// encrypt, decrypt, rewrap and datakey over HTTP, including Vault's framing byte for byte.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { TestServer } from '../../helpers/server.js';
import { b64, CANARY_B64, closeTransitServer, ok, refused, startTransitServer } from './helpers.js';

let srv: TestServer;
before(async () => { srv = await startTransitServer(); });
after(async () => { await closeTransitServer(srv); });

test('each AEAD type and RSA round-trips a plaintext, framed vault:v1:', async () => {
  for (const type of ['aes128-gcm96', 'aes256-gcm96', 'chacha20-poly1305', 'rsa-2048']) {
    await ok(srv, `transit/keys/e-${type}`, { type });
    const enc = await ok(srv, `transit/encrypt/e-${type}`, { plaintext: CANARY_B64 });
    assert.match(enc.data.ciphertext, /^vault:v1:[A-Za-z0-9+/]+=*$/);
    assert.equal(enc.data.key_version, 1);
    const dec = await ok(srv, `transit/decrypt/e-${type}`, { ciphertext: enc.data.ciphertext });
    assert.equal(dec.data.plaintext, CANARY_B64);
  }
});

test('known answer: a ciphertext laid out as Vault documents (nonce ‖ ciphertext ‖ tag) decrypts after a Vault-format restore', async () => {
  const key = randomBytes(32);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([nonce, cipher.update('from vault'), cipher.final(), cipher.getAuthTag()]);
  // Vault's backup: base64 JSON {policy, archived_keys} with Go's enum type (0 = aes256-gcm96).
  const policy = {
    name: 'from-vault', type: 0, latest_version: 1, min_decryption_version: 1, min_encryption_version: 0,
    exportable: true, allow_plaintext_backup: true, derived: false, kdf: 0,
    keys: { 1: { key: key.toString('base64'), hmac_key: randomBytes(32).toString('base64'), time: '2024-01-02T03:04:05Z', creation_time: 1704164645 } },
  };
  const backup = Buffer.from(JSON.stringify({ policy, archived_keys: { keys: [] } })).toString('base64');
  assert.equal((await srv.api('POST', 'transit/restore', { backup })).status, 204);
  const dec = await ok(srv, 'transit/decrypt/from-vault', { ciphertext: `vault:v1:${body.toString('base64')}` });
  assert.equal(Buffer.from(dec.data.plaintext, 'base64').toString(), 'from vault');
  // And the other way: what Lockbox writes, Vault's layout opens with the same key.
  const ours = (await ok(srv, 'transit/encrypt/from-vault', { plaintext: b64('to vault') })).data.ciphertext;
  const raw = Buffer.from(ours.slice('vault:v1:'.length), 'base64');
  const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(raw.length - 16));
  assert.equal(Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString(), 'to vault');
});

test('a tampered ciphertext fails with one fixed message', async () => {
  await ok(srv, 'transit/keys/tamper');
  const ct: string = (await ok(srv, 'transit/encrypt/tamper', { plaintext: CANARY_B64 })).data.ciphertext;
  const raw = Buffer.from(ct.slice(9), 'base64');
  raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
  assert.equal(await refused(srv, 'transit/decrypt/tamper', { ciphertext: `vault:v1:${raw.toString('base64')}` }), 'cipher: message authentication failed');
  assert.equal(await refused(srv, 'transit/decrypt/tamper', { ciphertext: 'nope' }), 'invalid ciphertext: no prefix');
  assert.equal(await refused(srv, 'transit/decrypt/tamper', { ciphertext: 'vault:v9:AAAA' }), 'invalid ciphertext: version is too new');
  assert.equal(await refused(srv, 'transit/decrypt/tamper', {}), 'missing ciphertext to decrypt');
  assert.equal(await refused(srv, 'transit/encrypt/tamper', {}), 'missing plaintext to encrypt');
  assert.equal(await refused(srv, 'transit/decrypt/absent', { ciphertext: ct }), 'encryption key not found');
});

test('associated data is authenticated: the wrong one fails', async () => {
  await ok(srv, 'transit/keys/aad', { type: 'chacha20-poly1305' });
  const ct = (await ok(srv, 'transit/encrypt/aad', { plaintext: CANARY_B64, associated_data: b64('ctx-1') })).data.ciphertext;
  assert.equal((await ok(srv, 'transit/decrypt/aad', { ciphertext: ct, associated_data: b64('ctx-1') })).data.plaintext, CANARY_B64);
  assert.equal(await refused(srv, 'transit/decrypt/aad', { ciphertext: ct, associated_data: b64('ctx-2') }), 'cipher: message authentication failed');
});

test('batch: per-item results with reference echo; any bad item makes it a 400 unless partial_failure_response_code', async () => {
  await ok(srv, 'transit/keys/batch');
  // Vault: a batch with a failed item answers 400, the results (good ones included) in the body.
  const enc = await srv.api('POST', 'transit/encrypt/batch', { batch_input: [
    { plaintext: b64('one'), reference: 'a' }, { plaintext: 'not base64!', reference: 'b' }, { plaintext: b64('three') },
  ] });
  assert.equal(enc.status, 400);
  const [first, bad, third] = enc.body.data.batch_results;
  assert.equal(first.reference, 'a');
  assert.match(first.ciphertext, /^vault:v1:/);
  assert.deepEqual(bad, { error: 'illegal base64 data at input byte 3', reference: 'b' });
  assert.equal(third.reference, '');
  const dec = await ok(srv, 'transit/decrypt/batch', { partial_failure_response_code: 200, batch_input: [{ ciphertext: first.ciphertext }, { ciphertext: 'vault:v1:AAAA' }, { ciphertext: third.ciphertext }] });
  assert.equal(Buffer.from(dec.data.batch_results[0].plaintext, 'base64').toString(), 'one');
  assert.ok(dec.data.batch_results[1].error);
  assert.equal(Buffer.from(dec.data.batch_results[2].plaintext, 'base64').toString(), 'three');
  assert.equal((await srv.api('POST', 'transit/decrypt/batch', { batch_input: [{ ciphertext: first.ciphertext }, { ciphertext: 'x' }] })).status, 400);
  const allBad = await srv.api('POST', 'transit/decrypt/batch', { batch_input: [{ ciphertext: 'x' }, { ciphertext: 'y' }] });
  assert.equal(allBad.status, 400);
  assert.equal(allBad.body.data.batch_results[0].error, 'invalid ciphertext: no prefix');
  assert.equal(await refused(srv, 'transit/encrypt/batch', { batch_input: [] }), 'missing batch input to process');
  const partial = await srv.api('POST', 'transit/decrypt/batch', { partial_failure_response_code: 207, batch_input: [{ ciphertext: first.ciphertext }, { ciphertext: 'x' }] });
  assert.equal(partial.status, 207);
  // Every item failed: 400 whatever the override; an override outside 1-599 is a warning, not a refusal.
  assert.equal((await srv.api('POST', 'transit/decrypt/batch', { partial_failure_response_code: 207, batch_input: [{ ciphertext: 'x' }] })).status, 400);
  const outOfRange = await srv.api('POST', 'transit/decrypt/batch', { partial_failure_response_code: 700, batch_input: [{ ciphertext: first.ciphertext }, { ciphertext: 'x' }] });
  assert.equal(outOfRange.status, 400);
  assert.deepEqual(outOfRange.body.warnings, ['invalid HTTP response code override from partial_failure_response_code, reverting to 400']);
  assert.equal((await ok(srv, 'transit/encrypt/batch', { batch_input: [{ plaintext: b64('a') }, { plaintext: b64('b') }] })).data.batch_results.length, 2);
});

test('derived keys need a context; each context gives another key (HKDF-SHA256 as Vault)', async () => {
  await ok(srv, 'transit/keys/derived', { derived: true, exportable: true });
  assert.match(await refused(srv, 'transit/encrypt/derived', { plaintext: CANARY_B64 }), /^missing 'context' for key derivation/);
  const ct = (await ok(srv, 'transit/encrypt/derived', { plaintext: CANARY_B64, context: b64('user-1') })).data.ciphertext;
  assert.equal((await ok(srv, 'transit/decrypt/derived', { ciphertext: ct, context: b64('user-1') })).data.plaintext, CANARY_B64);
  assert.equal(await refused(srv, 'transit/decrypt/derived', { ciphertext: ct, context: b64('user-2') }), 'cipher: message authentication failed');
  // The derived key is HKDF-SHA256(key, no salt, info = context).
  const master = Buffer.from((await srv.api('GET', 'transit/export/encryption-key/derived/1')).body.data.keys['1'], 'base64');
  const derivedKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), Buffer.from('user-1'), 32));
  const raw = Buffer.from(ct.slice(9), 'base64');
  const d = createDecipheriv('aes-256-gcm', derivedKey, raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(raw.length - 16));
  assert.equal(Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString('base64'), CANARY_B64);
  assert.equal(await refused(srv, 'transit/encrypt/derived', { batch_input: [{ plaintext: 'AA==', context: b64('x') }, { plaintext: 'AA==' }] }), 'context should be set either in all the request blocks or in none');
});

test('convergent encryption is deterministic per context, and refuses a caller nonce', async () => {
  await ok(srv, 'transit/keys/conv', { derived: true, convergent_encryption: true });
  const enc = (ctx: string) => ok(srv, 'transit/encrypt/conv', { plaintext: CANARY_B64, context: b64(ctx) });
  const a = (await enc('c1')).data.ciphertext;
  assert.equal((await enc('c1')).data.ciphertext, a);
  assert.notEqual((await enc('c2')).data.ciphertext, a);
  assert.equal((await srv.api('GET', 'transit/keys/conv')).body.data.convergent_encryption, true);
  assert.equal(await refused(srv, 'transit/encrypt/conv', { plaintext: CANARY_B64, context: b64('c1'), nonce: randomBytes(12).toString('base64') }), 'provided nonce not allowed for this key');
  await ok(srv, 'transit/keys/notconv');
  const r1 = (await ok(srv, 'transit/encrypt/notconv', { plaintext: CANARY_B64 })).data.ciphertext;
  assert.notEqual((await ok(srv, 'transit/encrypt/notconv', { plaintext: CANARY_B64 })).data.ciphertext, r1);
});

test('rotate → old ciphertext decrypts → min_decryption_version refuses it → rewrap fixes it', async () => {
  await ok(srv, 'transit/keys/life');
  const v1 = (await ok(srv, 'transit/encrypt/life', { plaintext: CANARY_B64 })).data.ciphertext;
  await ok(srv, 'transit/keys/life/rotate');
  assert.match((await ok(srv, 'transit/encrypt/life', { plaintext: CANARY_B64 })).data.ciphertext, /^vault:v2:/);
  assert.equal((await ok(srv, 'transit/decrypt/life', { ciphertext: v1 })).data.plaintext, CANARY_B64);
  const rewrapped = (await ok(srv, 'transit/rewrap/life', { ciphertext: v1 })).data;
  assert.match(rewrapped.ciphertext, /^vault:v2:/);
  assert.equal(rewrapped.key_version, 2);
  await ok(srv, 'transit/keys/life/config', { min_decryption_version: 2 });
  assert.equal(await refused(srv, 'transit/decrypt/life', { ciphertext: v1 }), 'ciphertext or signature version is disallowed by policy (too old)');
  assert.equal(await refused(srv, 'transit/rewrap/life', { ciphertext: v1 }), 'ciphertext or signature version is disallowed by policy (too old)');
  assert.equal((await ok(srv, 'transit/decrypt/life', { ciphertext: rewrapped.ciphertext })).data.plaintext, CANARY_B64);
  await ok(srv, 'transit/keys/life/rotate');
  await ok(srv, 'transit/keys/life/config', { min_encryption_version: 3 });
  assert.equal(await refused(srv, 'transit/encrypt/life', { plaintext: CANARY_B64, key_version: 2 }), 'requested version for encryption is less than the minimum encryption key version');
  assert.equal(await refused(srv, 'transit/encrypt/life', { plaintext: CANARY_B64, key_version: 7 }), 'requested version for encryption is higher than the latest key version');
});

test('encrypt upserts a missing key (create capability), deriving when a context is sent', async () => {
  const enc = await ok(srv, 'transit/encrypt/upserted', { plaintext: CANARY_B64, context: b64('c') });
  assert.match(enc.data.ciphertext, /^vault:v1:/);
  const { data } = (await srv.api('GET', 'transit/keys/upserted')).body;
  assert.deepEqual([data.type, data.derived], ['aes256-gcm96', true]);
  assert.equal(await refused(srv, 'transit/encrypt/upserted-ec', { plaintext: CANARY_B64, type: 'ecdsa-p256' }), 'key type ecdsa-p256 not supported for this operation');
  // Vault upserts RSA keys too, and calls the types encrypt cannot use unknown.
  assert.match((await ok(srv, 'transit/encrypt/upserted-rsa', { plaintext: CANARY_B64, type: 'rsa-2048' })).data.ciphertext, /^vault:v1:/);
  assert.equal((await srv.api('GET', 'transit/keys/upserted-rsa')).body.data.type, 'rsa-2048');
  assert.equal(await refused(srv, 'transit/encrypt/upserted-ed', { plaintext: CANARY_B64, type: 'ed25519' }), 'unknown key type ed25519');
  assert.equal(await refused(srv, 'transit/encrypt/upserted-rsa-derived', { plaintext: CANARY_B64, context: b64('c'), type: 'rsa-2048' }),
    'key derivation and convergent encryption not supported for keys of type rsa-2048');
});

test('datakey: plaintext returns the key and its ciphertext, wrapped only the ciphertext', async () => {
  await ok(srv, 'transit/keys/dk');
  const plain = (await ok(srv, 'transit/datakey/plaintext/dk', { bits: 512 })).data;
  assert.equal(Buffer.from(plain.plaintext, 'base64').length, 64);
  assert.equal((await ok(srv, 'transit/decrypt/dk', { ciphertext: plain.ciphertext })).data.plaintext, plain.plaintext);
  const wrapped = (await ok(srv, 'transit/datakey/wrapped/dk')).data;
  assert.equal(wrapped.plaintext, undefined);
  assert.equal(Buffer.from((await ok(srv, 'transit/decrypt/dk', { ciphertext: wrapped.ciphertext })).data.plaintext, 'base64').length, 32);
  assert.equal(await refused(srv, 'transit/datakey/other/dk'), "Invalid path, must be 'plaintext' or 'wrapped'");
  assert.equal(await refused(srv, 'transit/datakey/wrapped/dk', { bits: 100 }), 'invalid bit length');
  // Vault checks the options before the path's mode and the key.
  assert.equal(await refused(srv, 'transit/datakey/other/absent', { context: 'not base64!' }), 'failed to base64-decode context');
  assert.equal(await refused(srv, 'transit/datakey/other/absent', { bits: 100 }), 'invalid bit length');
  assert.equal(await refused(srv, 'transit/datakey/wrapped/absent'), 'encryption key not found');
});

test('SOPS hc_vault replay: JSON bodies without Content-Type, base64 plaintext both ways', async () => {
  await ok(srv, 'transit/keys/sops');
  const post = (path: string, body: unknown) => fetch(`${srv.url}/v1/${path}`, {
    method: 'PUT', headers: { 'X-Vault-Token': srv.rootToken, 'X-Vault-Request': 'true' }, body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: await r.json() as any }));
  const dataKey = randomBytes(32).toString('base64');
  const enc = await post('transit/encrypt/sops', { plaintext: dataKey });
  assert.equal(enc.status, 200);
  const dec = await post('transit/decrypt/sops', { ciphertext: enc.body.data.ciphertext });
  assert.deepEqual([dec.status, dec.body.data.plaintext], [200, dataKey]);
});

test('a convergent key restored from Vault with the oldest nonce scheme takes the caller\'s 12-byte nonce', async () => {
  const key = randomBytes(32);
  const policy = {
    name: 'conv-v1', type: 0, latest_version: 1, min_decryption_version: 1, derived: true, kdf: 1,
    convergent_encryption: true, convergent_version: 1,
    keys: { 1: { key: key.toString('base64'), hmac_key: randomBytes(32).toString('base64'), time: '2016-01-01T00:00:00Z', creation_time: 1451606400 } },
  };
  const backup = Buffer.from(JSON.stringify({ policy, archived_keys: { keys: [] } })).toString('base64');
  assert.equal((await srv.api('POST', 'transit/restore', { backup })).status, 204);
  const nonce = randomBytes(12).toString('base64');
  const context = b64('ctx');
  assert.equal(await refused(srv, 'transit/encrypt/conv-v1', { plaintext: CANARY_B64, context }), 'base64-decoded nonce must be 12 bytes long when using convergent encryption with this key');
  const a = (await ok(srv, 'transit/encrypt/conv-v1', { plaintext: CANARY_B64, context, nonce })).data.ciphertext;
  assert.equal((await ok(srv, 'transit/encrypt/conv-v1', { plaintext: CANARY_B64, context, nonce })).data.ciphertext, a);
  assert.equal(Buffer.from(a.slice(9), 'base64').subarray(0, 12).toString('base64'), nonce);
  assert.equal((await ok(srv, 'transit/decrypt/conv-v1', { ciphertext: a, context, nonce })).data.plaintext, CANARY_B64);
  assert.equal(await refused(srv, 'transit/decrypt/conv-v1', { ciphertext: a, context }), 'invalid convergent nonce supplied');
});
