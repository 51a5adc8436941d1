import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { SinkServer } from '../../../src/agent/sink/server.js';
import { writeCheck } from '../../../src/agent/sink/file.js';
import { createTransport } from '../../../src/agent/http.js';
import { createLogger } from '../../../src/agent/log.js';
import { ManualScheduler, realScheduler } from '../../../src/agent/schedule.js';
import type { Sink } from '../../../src/agent/config/types.js';

let srv: TestServer;
let dir: string;
const lines: string[] = [];
const log = createLogger('trace', (l) => lines.push(l));
const sink = (path: string, extra: Partial<Sink> = {}): Sink => ({ type: 'file', path, mode: 0o640, wrapTtlMs: 0, deriveKey: false, ...extra });

before(async () => {
  srv = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'agent-sink-'));
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the token is written with the mode, by rename, and only when it changes', async () => {
  const path = join(dir, 'token');
  const s = new SinkServer([sink(path), sink(join(dir, 'token2'), { mode: 0o600 })], createTransport(srv.url, undefined), realScheduler, log);
  await s.start();
  await s.deliver('hvs.first', { retry: false });
  assert.equal(readFileSync(path, 'utf8'), 'hvs.first');
  assert.equal(statSync(path).mode & 0o777, 0o640);
  assert.equal(statSync(join(dir, 'token2')).mode & 0o777, 0o600);
  const before = statSync(path);
  await new Promise((r) => setTimeout(r, 20));
  await s.deliver('hvs.first', { retry: false });
  const same = statSync(path);
  assert.equal(same.ino, before.ino);
  assert.equal(same.mtimeMs, before.mtimeMs);
  await s.deliver('hvs.second', { retry: false });
  assert.equal(readFileSync(path, 'utf8'), 'hvs.second');
  assert.notEqual(statSync(path).ino, before.ino);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp.')), []);
  assert.equal(lines.join('').includes('hvs.second'), false);
});

test('the write check fails fast on a directory it cannot write', async () => {
  writeFileSync(join(dir, 'plainfile'), '');
  await assert.rejects(writeCheck(join(dir, 'plainfile', 'token'), 0o640), /^Error: error during write check: open .*plainfile\/token\.tmp\.[0-9a-f]+: /);
});

test('a failed write is retried every 1–3 s until it succeeds', async () => {
  const sched = new ManualScheduler(Date.UTC(2026, 0, 1), () => 0.5);
  const parent = join(dir, 'later');
  writeFileSync(parent, 'not a directory yet');
  const s = new SinkServer([sink(join(parent, 'token'))], createTransport(srv.url, undefined), sched, log);
  let done = false;
  const p = s.deliver('hvs.retry', { retry: true }).then(() => { done = true; });
  assert.equal(await sched.wakeNext(), 2000);
  assert.equal(await sched.wakeNext(), 2000);
  assert.equal(done, false);
  rmSync(parent);
  mkdirSync(parent);
  // The attempt in flight may already see the directory; otherwise the next retry does.
  while (!done) {
    if (sched.waiting > 0) await sched.advance(3000);
    else await new Promise((r) => setTimeout(r, 5));
  }
  await p;
  assert.equal(readFileSync(join(parent, 'token'), 'utf8'), 'hvs.retry');
  assert.ok(lines.some((l) => l.includes('error returned by sink function, retrying')));
});

test('wrap_ttl on a sink: the file holds wrap_info that unwraps once to the token', async () => {
  const path = join(dir, 'wrapped');
  const s = new SinkServer([sink(path, { wrapTtlMs: 60_000 })], createTransport(srv.url, undefined), realScheduler, log);
  await s.deliver(srv.rootToken, { retry: false });
  const info = JSON.parse(readFileSync(path, 'utf8'));
  assert.deepEqual(Object.keys(info), ['token', 'accessor', 'ttl', 'creation_time', 'creation_path', 'wrapped_accessor']);
  assert.equal(info.ttl, 60);
  assert.equal(info.creation_path, 'sys/wrapping/wrap');
  const unwrap = () => fetch(`${srv.url}/v1/sys/wrapping/unwrap`, { method: 'PUT', headers: { 'X-Vault-Token': info.token } });
  const first = await unwrap();
  assert.equal(first.status, 200);
  assert.equal(((await first.json()) as { data: { token: string } }).data.token, srv.rootToken);
  assert.equal((await unwrap()).status, 400);
});

for (const deriveKey of [false, true]) {
  test(`dh_type curve25519 (derive_key ${deriveKey}): the envelope decrypts with the receiver's key and aad`, async () => {
    const receiver = generateKeyPairSync('x25519');
    const receiverPub = Buffer.from(receiver.publicKey.export({ format: 'jwk' }).x as string, 'base64url');
    const dhPath = join(dir, `dh-${deriveKey}.json`);
    writeFileSync(dhPath, JSON.stringify({ curve25519_public_key: receiverPub.toString('base64') }));
    const path = join(dir, `dh-token-${deriveKey}`);
    const s = new SinkServer([sink(path, { dhType: 'curve25519', dhPath, aad: 'my-aad', deriveKey })], createTransport(srv.url, undefined), realScheduler, log);
    await s.deliver('hvs.secret-token', { retry: false });
    const env = JSON.parse(readFileSync(path, 'utf8'));
    assert.deepEqual(Object.keys(env), ['curve25519_public_key', 'nonce', 'encrypted_payload']);
    const senderPub = Buffer.from(env.curve25519_public_key, 'base64');
    let key = diffieHellman({ privateKey: receiver.privateKey, publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: senderPub.toString('base64url') }, format: 'jwk' }) });
    if (deriveKey) {
      const [a, b] = Buffer.compare(senderPub, receiverPub) < 0 ? [senderPub, receiverPub] : [receiverPub, senderPub];
      key = Buffer.from(hkdfSync('sha256', key, a, b, 32));
    }
    const payload = Buffer.from(env.encrypted_payload, 'base64');
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(env.nonce, 'base64'));
    d.setAAD(Buffer.from('my-aad'));
    d.setAuthTag(payload.subarray(payload.length - 16));
    assert.equal(Buffer.concat([d.update(payload.subarray(0, payload.length - 16)), d.final()]).toString(), 'hvs.secret-token');
  });
}
