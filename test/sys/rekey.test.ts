// sys/rekey/* and sys/generate-root/* over HTTP, as Vault answers them: new shares for the same
// data, verification before install, wrong and duplicate shares, restart mid-way, and a root
// token minted from shares and decoded with the OTP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startTestServer, type TestServer } from '../helpers/server.js';

const dir = mkdtempSync(join(tmpdir(), 'lockbox-rekey-'));
const storage = { type: 'sqlite' as const, path: join(dir, 'lockbox.db') };
let srv: TestServer;
let keys: string[] = [];
let root = '';
const seen: string[] = []; // every share and token handed out: none may reach the log

/** Unseals `srv` with the given shares; returns the last seal-status body. */
async function unseal(shares: string[]) {
  let last: any;
  for (const key of shares) last = (await srv.api('PUT', 'sys/unseal', { key })).body;
  return last;
}

async function sealAndUnseal(shares: string[]) {
  assert.equal((await srv.api('PUT', 'sys/seal')).status, 204);
  return unseal(shares);
}

before(async () => {
  srv = await startTestServer({ dev: false, storage });
  const init = await srv.api('PUT', 'sys/init', { secret_shares: 3, secret_threshold: 2 });
  keys = init.body.keys_base64;
  seen.push(...keys, ...init.body.keys, init.body.root_token);
  await unseal(keys.slice(0, 2));
  root = init.body.root_token;
  srv.useToken(root);
  assert.equal((await srv.api('POST', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } })).status, 204);
  assert.equal((await srv.api('PUT', 'secret/data/app', { data: { password: 'rekey-canary-value' } })).status, 200);
});

after(async () => {
  const log = srv.log();
  for (const s of seen) assert.ok(!log.includes(s), 'a key share or token reached the log');
  assert.ok(!log.includes('rekey-canary-value'));
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('rekey status before any rekey: Vault\'s shape, required is the current threshold', async () => {
  const r = await srv.api('GET', 'sys/rekey/init');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, {
    nonce: '', started: false, t: 0, n: 0, progress: 0, required: 2, pgp_fingerprints: null, backup: false, verification_required: false,
  });
  const update = await srv.api('PUT', 'sys/rekey/update', { key: keys[0], nonce: 'x' });
  assert.deepEqual([update.status, update.body], [400, { errors: ['no barrier rekey in progress'] }]);
});

test('rekey refuses PGP, backups without PGP and bad share counts, in Vault\'s words', async () => {
  const pgp = await srv.api('PUT', 'sys/rekey/init', { secret_shares: 1, secret_threshold: 1, pgp_keys: ['abc'] });
  assert.deepEqual([pgp.status, pgp.body], [400, { errors: ['PGP encryption of key shares is not supported'] }]);
  const backup = await srv.api('PUT', 'sys/rekey/init', { secret_shares: 1, secret_threshold: 1, backup: true });
  assert.deepEqual(backup.body, { errors: ['cannot request a backup of the new keys without providing PGP keys for encryption'] });
  const bad = await srv.api('PUT', 'sys/rekey/init', { secret_shares: 2, secret_threshold: 3 });
  assert.deepEqual(bad.body, { errors: ['provided threshold greater than the total shares'] });
  assert.equal((await srv.api('GET', 'sys/rekey/init')).body.started, false);
});

test('rekey 3/2 → 5/3 with a duplicate and a wrong nonce refused; the data stays, only new shares unseal', async () => {
  srv.useToken(''); // the shares are the authority, as in Vault
  const init = await srv.api('PUT', 'sys/rekey/init', { secret_shares: 5, secret_threshold: 3 });
  assert.equal(init.status, 200);
  assert.match(init.body.nonce, /^[0-9a-f-]{36}$/);
  assert.deepEqual({ ...init.body, nonce: '' }, {
    nonce: '', started: true, t: 3, n: 5, progress: 0, required: 2, pgp_fingerprints: null, backup: false, verification_required: false,
  });
  const nonce = init.body.nonce;
  assert.deepEqual((await srv.api('PUT', 'sys/rekey/init', { secret_shares: 5, secret_threshold: 3 })).body, { errors: ['rekey already in progress'] });
  const wrongNonce = await srv.api('PUT', 'sys/rekey/update', { key: keys[0], nonce: 'nope' });
  assert.deepEqual(wrongNonce.body, { errors: [`incorrect nonce supplied; nonce for this rekey operation is "${nonce}"`] });
  const first = await srv.api('PUT', 'sys/rekey/update', { key: keys[0], nonce });
  assert.deepEqual([first.body.progress, first.body.started, first.body.complete], [1, true, undefined]);
  const dup = await srv.api('PUT', 'sys/rekey/update', { key: keys[0], nonce });
  assert.deepEqual(dup.body, { errors: ['given key has already been provided during this rekey operation'] });
  const done = await srv.api('PUT', 'sys/rekey/update', { key: keys[2], nonce });
  assert.equal(done.status, 200);
  assert.equal(done.body.complete, true);
  assert.equal(done.body.nonce, nonce);
  assert.equal(done.body.keys.length, 5);
  assert.equal(done.body.keys_base64.length, 5);
  assert.deepEqual([done.body.backup, done.body.pgp_fingerprints, done.body.verification_required], [false, null, false]);
  seen.push(...done.body.keys, ...done.body.keys_base64);
  assert.equal((await srv.api('GET', 'sys/rekey/init')).body.started, false);
  const old = keys;
  keys = done.body.keys_base64;
  srv.useToken(root);
  assert.equal((await srv.api('PUT', 'sys/seal')).status, 204);
  const refused = await unseal(old.slice(0, 2));
  assert.equal(refused.sealed ?? true, true);
  const status = await srv.api('PUT', 'sys/unseal', { reset: true });
  assert.deepEqual([status.body.t, status.body.n], [3, 5]);
  const opened = await unseal([keys[4], keys[1], keys[3]] as string[]);
  assert.equal(opened.sealed, false);
  assert.equal((await srv.api('GET', 'secret/data/app')).body.data.data.password, 'rekey-canary-value');
});

test('a complete set of wrong shares is refused; the rekey stays open with progress reset', async () => {
  const init = await srv.api('PUT', 'sys/rekey/init', { secret_shares: 3, secret_threshold: 2 });
  const nonce = init.body.nonce;
  for (let i = 0; i < 2; i++) await srv.api('PUT', 'sys/rekey/update', { key: randomBytes(33).toString('base64'), nonce });
  const third = await srv.api('PUT', 'sys/rekey/update', { key: randomBytes(33).toString('base64'), nonce });
  assert.deepEqual([third.status, third.body], [400, { errors: ['root key verification failed: invalid key shares'] }]);
  const status = (await srv.api('GET', 'sys/rekey/init')).body;
  assert.deepEqual([status.started, status.progress, status.nonce], [true, 0, nonce]);
  const short = await srv.api('PUT', 'sys/rekey/update', { key: randomBytes(8).toString('base64'), nonce });
  assert.deepEqual(short.body, { errors: ['key is shorter than minimum 16 bytes'] });
  assert.equal((await srv.api('DELETE', 'sys/rekey/init')).status, 204);
  assert.equal((await srv.api('GET', 'sys/rekey/init')).body.started, false);
});

test('require_verification: the new shares are installed only once enough of them come back', async () => {
  const init = await srv.api('PUT', 'sys/rekey/init', { secret_shares: 3, secret_threshold: 2, require_verification: true });
  assert.equal(init.body.verification_required, true);
  const nonce = init.body.nonce;
  for (const k of keys.slice(0, 2)) await srv.api('PUT', 'sys/rekey/update', { key: k, nonce });
  const done = await srv.api('PUT', 'sys/rekey/update', { key: keys[2], nonce });
  assert.equal(done.body.complete, true);
  assert.equal(done.body.verification_required, true);
  assert.match(done.body.verification_nonce, /^[0-9a-f-]{36}$/);
  const fresh: string[] = done.body.keys_base64;
  seen.push(...fresh, ...done.body.keys);
  const more = await srv.api('PUT', 'sys/rekey/update', { key: keys[3], nonce });
  assert.match(more.body.errors[0], /^rekey operation already finished; verification must be performed; nonce for the verification operation is "/);
  let v = (await srv.api('GET', 'sys/rekey/verify')).body;
  assert.deepEqual({ ...v, nonce: '' }, { nonce: '', started: true, t: 2, n: 3, progress: 0 });
  // DELETE restarts the verification under a new nonce.
  const restarted = (await srv.api('DELETE', 'sys/rekey/verify')).body;
  assert.notEqual(restarted.nonce, v.nonce);
  v = restarted;
  // Not installed yet: the old shares still unseal.
  assert.equal((await sealAndUnseal(keys.slice(0, 3))).sealed, false);
  assert.equal((await srv.api('GET', 'sys/rekey/init')).body.started, false, 'sealing resets the rekey, as in Vault');
  // Start again and verify this time.
  const again = await srv.api('PUT', 'sys/rekey/init', { secret_shares: 3, secret_threshold: 2, require_verification: true });
  let result: any;
  for (const k of keys.slice(0, 3)) result = (await srv.api('PUT', 'sys/rekey/update', { key: k, nonce: again.body.nonce })).body;
  assert.equal((await srv.api('GET', 'sys/rekey/init')).body.verification_nonce, result.verification_nonce);
  const newKeys: string[] = result.keys_base64;
  seen.push(...newKeys, ...result.keys);
  const wrong = await srv.api('PUT', 'sys/rekey/verify', { key: newKeys[0], nonce: 'x' });
  assert.match(wrong.body.errors[0], /^incorrect nonce supplied; nonce for this verify operation is "/);
  const one = await srv.api('PUT', 'sys/rekey/verify', { key: newKeys[0], nonce: result.verification_nonce });
  assert.equal(one.body.progress, 1);
  const dup = await srv.api('PUT', 'sys/rekey/verify', { key: newKeys[0], nonce: result.verification_nonce });
  assert.deepEqual(dup.body, { errors: ['given key has already been provided during this verify operation'] });
  const two = await srv.api('PUT', 'sys/rekey/verify', { key: newKeys[2], nonce: result.verification_nonce });
  assert.deepEqual(two.body, { nonce: result.verification_nonce, complete: true });
  keys = newKeys;
  assert.equal((await sealAndUnseal(keys.slice(1, 3))).sealed, false);
  assert.equal((await srv.api('GET', 'secret/data/app')).body.data.data.password, 'rekey-canary-value');
});

test('sys/rekey/backup: no backups without PGP (404); it needs a token with sudo', async () => {
  assert.equal((await srv.api('GET', 'sys/rekey/backup')).status, 404);
  assert.equal((await srv.api('DELETE', 'sys/rekey/backup')).status, 204);
  srv.useToken('');
  assert.equal((await srv.api('GET', 'sys/rekey/backup')).status, 403);
  srv.useToken(root);
});

test('generate-root: a generated OTP, shares, and a working root token decoded from encoded_token', async () => {
  const idle = (await srv.api('GET', 'sys/generate-root/attempt')).body;
  assert.deepEqual(idle, {
    nonce: '', started: false, progress: 0, required: 2, complete: false, encoded_token: '', encoded_root_token: '',
    pgp_fingerprint: '', otp: '', otp_length: 28,
  });
  srv.useToken('');
  const start = await srv.api('PUT', 'sys/generate-root/attempt', {});
  assert.equal(start.status, 200);
  const otp: string = start.body.otp;
  assert.match(otp, /^[0-9A-Za-z]{28}$/);
  seen.push(otp);
  assert.equal((await srv.api('GET', 'sys/generate-root/attempt')).body.otp, '', 'the OTP is shown once');
  assert.deepEqual((await srv.api('PUT', 'sys/generate-root/attempt', {})).body, { errors: ['root generation already in progress'] });
  const nonce = start.body.nonce;
  const bad = await srv.api('PUT', 'sys/generate-root/update', { key: keys[0], nonce: 'x' });
  assert.deepEqual(bad.body, { errors: [`incorrect nonce supplied; nonce for this root generation operation is "${nonce}"`] });
  const one = await srv.api('PUT', 'sys/generate-root/update', { key: keys[0], nonce });
  assert.deepEqual([one.body.progress, one.body.complete, one.body.encoded_token], [1, false, '']);
  const dup = await srv.api('PUT', 'sys/generate-root/update', { key: keys[0], nonce });
  assert.deepEqual(dup.body, { errors: ['given key has already been provided during this generation operation'] });
  const done = await srv.api('PUT', 'sys/generate-root/update', { key: keys[1], nonce });
  assert.equal(done.body.complete, true);
  assert.equal(done.body.encoded_root_token, done.body.encoded_token);
  const encoded = Buffer.from(done.body.encoded_token, 'base64');
  const token = Buffer.from(encoded.map((b, i) => b ^ otp.charCodeAt(i))).toString('utf8');
  seen.push(token);
  assert.match(token, /^hvs\.[0-9A-Za-z]{24}$/);
  srv.useToken(token);
  const me = await srv.api('GET', 'auth/token/lookup-self');
  assert.deepEqual(me.body.data.policies, ['root']);
  assert.equal((await srv.api('GET', 'sys/generate-root/attempt')).body.started, false);
});

test('generate-root: a caller\'s OTP must be 28 characters; PGP refused; wrong shares keep the attempt', async () => {
  assert.deepEqual((await srv.api('PUT', 'sys/generate-root/attempt', { otp: 'short' })).body, { errors: ['OTP string is wrong length'] });
  assert.deepEqual((await srv.api('PUT', 'sys/generate-root/attempt', { pgp_key: 'abc' })).body,
    { errors: ['PGP encryption of the root token is not supported'] });
  const otp = 'A'.repeat(28);
  const start = await srv.api('PUT', 'sys/generate-root/attempt', { otp });
  assert.equal(start.body.otp, '', 'a caller\'s own OTP is not echoed');
  const nonce = start.body.nonce;
  await srv.api('PUT', 'sys/generate-root/update', { key: randomBytes(33).toString('base64'), nonce });
  const wrong = await srv.api('PUT', 'sys/generate-root/update', { key: randomBytes(33).toString('base64'), nonce });
  assert.deepEqual([wrong.status, wrong.body], [400, { errors: ['root generation aborted: root key verification failed: invalid key shares'] }]);
  const still = (await srv.api('GET', 'sys/generate-root/attempt')).body;
  assert.deepEqual([still.started, still.progress, still.nonce], [true, 0, nonce]);
  assert.equal((await srv.api('DELETE', 'sys/generate-root/attempt')).status, 204);
  assert.equal((await srv.api('GET', 'sys/generate-root/attempt')).body.started, false);
});

test('a restart mid-way resets both operations (as Vault\'s do); the old shares still unseal', async () => {
  const r = await srv.api('PUT', 'sys/rekey/init', { secret_shares: 1, secret_threshold: 1 });
  await srv.api('PUT', 'sys/rekey/update', { key: keys[0], nonce: r.body.nonce });
  const g = await srv.api('PUT', 'sys/generate-root/attempt', {});
  seen.push(g.body.otp);
  await srv.api('PUT', 'sys/generate-root/update', { key: keys[0], nonce: g.body.nonce });
  const lines = srv.log();
  await srv.close();
  srv = await startTestServer({ dev: false, storage });
  const sealed = await srv.api('GET', 'sys/rekey/init');
  assert.deepEqual([sealed.status, sealed.body], [503, { errors: ['Vault is sealed'] }]);
  assert.equal((await unseal(keys.slice(0, 2))).sealed, false);
  assert.equal((await srv.api('GET', 'sys/rekey/init')).body.started, false);
  assert.equal((await srv.api('GET', 'sys/generate-root/attempt')).body.started, false);
  const update = await srv.api('PUT', 'sys/rekey/update', { key: keys[1], nonce: r.body.nonce });
  assert.deepEqual(update.body, { errors: ['no barrier rekey in progress'] });
  for (const s of seen) assert.ok(!lines.includes(s));
});
