import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { createAuthMethod, type Credentials } from '../../../src/agent/auth/methods.js';
import { AutoAuthFatal, runAutoAuth, type AuthToken } from '../../../src/agent/auth/handler.js';
import { createTransport } from '../../../src/agent/http.js';
import { createLogger } from '../../../src/agent/log.js';
import { ManualScheduler, realScheduler } from '../../../src/agent/schedule.js';
import type { Method, MethodConfig } from '../../../src/agent/config/types.js';

let srv: TestServer;
let dir: string;
const lines: string[] = [];
const log = createLogger('trace', (l) => lines.push(l));

const method = (config: MethodConfig, extra: Partial<Method> = {}): Method => ({
  type: config.type, mountPath: `auth/${config.type}`, wrapTtlMs: 0, minBackoffMs: 1000, maxBackoffMs: 300_000, exitOnErr: false, config, ...extra,
});

before(async () => {
  srv = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'agent-auth-'));
  assert.equal((await srv.api('POST', 'sys/auth/approle', { type: 'approle' })).status, 204);
  assert.equal((await srv.api('POST', 'auth/approle/role/web', { token_ttl: '60s', token_max_ttl: '120s', token_policies: ['default'] })).status, 204);
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

async function roleAndSecret(wrap = false): Promise<{ roleId: string; secret: string }> {
  const roleId = (await srv.api('GET', 'auth/approle/role/web/role-id')).body.data.role_id as string;
  const res = await srv.api('POST', 'auth/approle/role/web/secret-id', {}, wrap ? { 'X-Vault-Wrap-TTL': '60s' } : {});
  return { roleId, secret: wrap ? res.body.wrap_info.token : res.body.data.secret_id };
}

async function login(creds: Credentials): Promise<string> {
  assert.equal(creds.kind, 'login');
  if (creds.kind !== 'login') return '';
  const res = await srv.api('POST', creds.path, creds.body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.auth.client_token;
}

test('approle: ids from files; the secret-id file is removed and the cached value re-used', async () => {
  const { roleId, secret } = await roleAndSecret();
  const rf = join(dir, 'role-id');
  const sf = join(dir, 'secret-id');
  writeFileSync(rf, `${roleId}\n`);
  writeFileSync(sf, secret);
  const m = createAuthMethod(method({ type: 'approle', roleIdFilePath: rf, secretIdFilePath: sf, removeSecretIdFileAfterReading: true }), log);
  const t = createTransport(srv.url, undefined);
  const first = await m.authenticate(t);
  assert.deepEqual(first, { kind: 'login', path: 'auth/approle/login', body: { role_id: roleId, secret_id: secret } });
  assert.equal(existsSync(sf), false);
  assert.ok(await login(first));
  // The file is gone and the role-id file is empty: both cached values are used.
  writeFileSync(rf, '');
  assert.deepEqual(await m.authenticate(t), first);
  assert.ok(lines.some((l) => l.includes('role ID file exists but read empty value, re-using cached value')));
});

test('approle: nothing cached and no file is Vault\'s error', async () => {
  const m = createAuthMethod(method({ type: 'approle', roleIdFilePath: join(dir, 'nope'), removeSecretIdFileAfterReading: true }), log);
  await assert.rejects(m.authenticate(createTransport(srv.url, undefined)),
    { message: `error reading role ID file and no cached role ID known: open ${join(dir, 'nope')}: no such file or directory` });
});

test('approle: a wrapped secret-id is unwrapped when its creation path matches, refused otherwise', async () => {
  const t = createTransport(srv.url, undefined);
  const { roleId, secret } = await roleAndSecret(true);
  const rf = join(dir, 'role-id-w');
  const sf = join(dir, 'secret-id-w');
  writeFileSync(rf, roleId);
  writeFileSync(sf, secret);
  const bad = createAuthMethod(method({ type: 'approle', roleIdFilePath: rf, secretIdFilePath: sf, removeSecretIdFileAfterReading: false, secretIdResponseWrappingPath: 'auth/approle/role/other/secret-id' }), log);
  await assert.rejects(bad.authenticate(t), { message: 'unable to validate wrapping token creation path' });
  assert.ok(lines.some((l) => l.includes('SECURITY: unable to validate wrapping token creation path')));
  // The refused token was only looked up, never unwrapped: it still works.
  const good = createAuthMethod(method({ type: 'approle', roleIdFilePath: rf, secretIdFilePath: sf, removeSecretIdFileAfterReading: false, secretIdResponseWrappingPath: 'auth/approle/role/web/secret-id' }), log);
  const creds = await good.authenticate(t);
  assert.ok(await login(creds));
  assert.equal(lines.join('').includes(secret), false);
});

test('token_file: the token is checked with lookup-self and, with TTL 0, never renewed', async () => {
  const tf = join(dir, 'token');
  writeFileSync(tf, `${srv.rootToken}\n`);
  const tokens: AuthToken[] = [];
  const ac = new AbortController();
  const run = runAutoAuth({
    method: method({ type: 'token_file', tokenFilePath: tf }), transport: createTransport(srv.url, undefined), scheduler: realScheduler, log, signal: ac.signal,
    exitAfterAuth: false, onWrapped: async () => {}, onToken: async (t) => { tokens.push(t); },
  });
  for (let i = 0; i < 50 && tokens.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(tokens[0]?.token, srv.rootToken);
  assert.equal(tokens[0]?.leaseDurationMs, 0);
  ac.abort();
  await run;
  assert.ok(lines.some((l) => l.includes('not starting token renewal process, as token has unlimited TTL')));
});

test('auto-auth: approle login, then exit-after-auth', async () => {
  const { roleId, secret } = await roleAndSecret();
  writeFileSync(join(dir, 'r2'), roleId);
  writeFileSync(join(dir, 's2'), secret);
  let got: AuthToken | undefined;
  await runAutoAuth({
    method: method({ type: 'approle', roleIdFilePath: join(dir, 'r2'), secretIdFilePath: join(dir, 's2'), removeSecretIdFileAfterReading: true }),
    transport: createTransport(srv.url, undefined), scheduler: realScheduler, log, signal: new AbortController().signal,
    exitAfterAuth: true, onWrapped: async () => {}, onToken: async (t) => { got = t; },
  });
  assert.ok(got);
  assert.equal(got.leaseDurationMs, 60_000);
  assert.equal(got.renewable, true);
  const me = await fetch(`${srv.url}/v1/auth/token/lookup-self`, { headers: { 'X-Vault-Token': got.token } });
  assert.equal(me.status, 200);
  assert.equal(lines.join('').includes(got.token), false);
});

test('auto-auth: a method wrap_ttl delivers wrap_info', async () => {
  const { roleId, secret } = await roleAndSecret();
  writeFileSync(join(dir, 'r3'), roleId);
  writeFileSync(join(dir, 's3'), secret);
  let wrapped = '';
  await runAutoAuth({
    method: method({ type: 'approle', roleIdFilePath: join(dir, 'r3'), secretIdFilePath: join(dir, 's3'), removeSecretIdFileAfterReading: true }, { wrapTtlMs: 30_000 }),
    transport: createTransport(srv.url, undefined), scheduler: realScheduler, log, signal: new AbortController().signal,
    exitAfterAuth: true, onWrapped: async (w) => { wrapped = w; }, onToken: async () => assert.fail('no token expected'),
  });
  const info = JSON.parse(wrapped);
  assert.equal(info.ttl, 30);
  assert.equal(info.creation_path, 'auth/approle/login');
  const unwrapped = await fetch(`${srv.url}/v1/sys/wrapping/unwrap`, { method: 'PUT', headers: { 'X-Vault-Token': info.token } });
  assert.equal(unwrapped.status, 200);
  assert.ok(((await unwrapped.json()) as { auth: { client_token: string } }).auth.client_token);
});

test('auto-auth: failed logins back off from min_backoff; exit_on_err ends instead', async () => {
  const s = new ManualScheduler(Date.UTC(2026, 0, 1), () => 0);
  const ac = new AbortController();
  const m = method({ type: 'approle', roleIdFilePath: join(dir, 'missing'), removeSecretIdFileAfterReading: true }, { minBackoffMs: 1000, maxBackoffMs: 4000 });
  const run = runAutoAuth({ method: m, transport: createTransport(srv.url, undefined), scheduler: s, log, signal: ac.signal, exitAfterAuth: false, onWrapped: async () => {}, onToken: async () => {} });
  const waits: number[] = [];
  for (let i = 0; i < 5; i++) waits.push(await s.wakeNext());
  assert.deepEqual(waits, [1000, 2000, 4000, 4000, 4000]);
  ac.abort();
  await run;
  await assert.rejects(runAutoAuth({ method: { ...m, exitOnErr: true }, transport: createTransport(srv.url, undefined), scheduler: s, log, signal: new AbortController().signal, exitAfterAuth: false, onWrapped: async () => {}, onToken: async () => {} }),
    (err: Error) => err instanceof AutoAuthFatal && /error reading role ID file/.test(err.message));
});

test('jwt and kubernetes send {role, jwt} to <mount_path>/login', async () => {
  const requests: { url?: string; body: string }[] = [];
  const fake = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      requests.push({ url: req.url, body });
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ auth: { client_token: 'hvs.x', lease_duration: 30, renewable: true } }));
    });
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    const jwtFile = join(dir, 'jwt');
    writeFileSync(jwtFile, 'eyJ.jwt.sig\n');
    const k8sFile = join(dir, 'sa-token');
    writeFileSync(k8sFile, 'eyJ.k8s.sig');
    for (const m of [
      method({ type: 'jwt', path: jwtFile, role: 'ci', removeJwtAfterReading: true, jwtReadPeriodMs: 500 }, { mountPath: 'auth/jwt-gh' }),
      method({ type: 'kubernetes', role: 'app', tokenPath: k8sFile }),
    ]) {
      await runAutoAuth({ method: m, transport: createTransport(url, undefined), scheduler: realScheduler, log, signal: new AbortController().signal, exitAfterAuth: true, onWrapped: async () => {}, onToken: async () => {} });
    }
    assert.deepEqual(requests, [
      { url: '/v1/auth/jwt-gh/login', body: JSON.stringify({ role: 'ci', jwt: 'eyJ.jwt.sig' }) },
      { url: '/v1/auth/kubernetes/login', body: JSON.stringify({ role: 'app', jwt: 'eyJ.k8s.sig' }) },
    ]);
    assert.equal(existsSync(jwtFile), false);
    assert.equal(existsSync(k8sFile), true);
  } finally {
    fake.close();
  }
});
