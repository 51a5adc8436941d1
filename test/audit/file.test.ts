// The file device: Vault's record shape, HMAC of secrets, tokens and accessors, and the
// options that change it (log_raw, hmac_accessor, prefix, format, mode).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { CANARY, auditHash, enableFile, records, recordsFor, tempDir } from './helpers.js';

let srv: TestServer;
const dir = tempDir();
before(async () => { srv = await startTestServer(); });
after(async () => {
  assert.ok(!srv.log().includes(CANARY), 'a secret value reached the server log');
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a secret written and read is logged only as the HMAC sys/audit-hash gives for it', async () => {
  const file = join(dir, 'shape.log');
  await enableFile(srv, 'shape', file);
  assert.equal((await srv.api('PUT', 'cubbyhole/shape', { value: CANARY, count: 7, on: true })).status, 204);
  assert.equal((await srv.api('GET', 'cubbyhole/shape')).body.data.value, CANARY);
  const raw = readFileSync(file);
  assert.ok(!raw.includes(CANARY), 'the secret reached the audit log');
  assert.ok(!raw.includes(srv.rootToken), 'the token reached the audit log');

  const hash = await auditHash(srv, 'shape', CANARY);
  assert.match(hash, /^hmac-sha256:[0-9a-f]{64}$/);
  const [write] = recordsFor(file, 'cubbyhole/shape', 'request');
  assert.deepEqual(write.request.data, { value: hash, count: 7, on: true }, 'only strings are hashed');
  const read = recordsFor(file, 'cubbyhole/shape', 'response').find((r) => r.request.operation === 'read');
  assert.equal(read.response.data.value, hash);
  assert.equal(read.response.mount_type, 'cubbyhole');
});

test('a record carries Vault\'s fields; the token and its accessor are hashed', async () => {
  const file = join(dir, 'fields.log');
  await enableFile(srv, 'fields', file);
  await srv.api('GET', 'sys/mounts');
  const [req, resp] = recordsFor(file, 'sys/mounts');
  assert.deepEqual([req.type, resp.type], ['request', 'response']);
  assert.ok(!Number.isNaN(Date.parse(req.time)));
  const tokenHash = await auditHash(srv, 'fields', srv.rootToken);
  assert.equal(req.auth.client_token, tokenHash);
  assert.equal(req.request.client_token, tokenHash);
  assert.match(req.auth.accessor, /^hmac-sha256:/);
  assert.equal(req.request.client_token_accessor, req.auth.accessor);
  assert.deepEqual(req.auth.policies, ['root']);
  assert.equal(req.auth.display_name, 'root');
  assert.equal(req.auth.token_type, 'service');
  assert.deepEqual(req.request.namespace, { id: 'root' });
  assert.equal(req.request.operation, 'read');
  assert.equal(req.request.mount_type, 'system');
  assert.equal(req.request.remote_address, '127.0.0.1');
  assert.equal(resp.request.id, req.request.id);
});

test('an issued token is hashed in the response; a refusal is logged with its error', async () => {
  const file = join(dir, 'auth.log');
  await enableFile(srv, 'auth-records', file);
  const created = await srv.api('POST', 'auth/token/create', { policies: ['default'] });
  const token = created.body.auth.client_token as string;
  assert.ok(!readFileSync(file).includes(token), 'an issued token reached the audit log');
  const [resp] = recordsFor(file, 'auth/token/create', 'response');
  assert.equal(resp.response.auth.client_token, await auditHash(srv, 'auth-records', token));
  assert.equal(resp.response.auth.accessor, await auditHash(srv, 'auth-records', created.body.auth.accessor));
  assert.equal(resp.request.mount_point, 'auth/token/');

  srv.useToken(token);
  try {
    assert.equal((await srv.api('GET', 'sys/policies/acl/root')).status, 403);
  } finally {
    srv.useToken(srv.rootToken);
  }
  const [denied] = recordsFor(file, 'sys/policies/acl/root', 'request');
  assert.equal(denied.error, 'permission denied');
  assert.deepEqual(denied.auth.policies, ['default']);
});

test('log_raw keeps values; hmac_accessor=false keeps only accessors readable', async () => {
  const rawFile = join(dir, 'raw.log');
  const accFile = join(dir, 'accessor.log');
  await enableFile(srv, 'raw', rawFile, { log_raw: 'true' });
  await enableFile(srv, 'accessor', accFile, { hmac_accessor: 'false' });
  await srv.api('PUT', 'cubbyhole/raw', { value: 'visible-on-purpose' });
  const [raw] = recordsFor(rawFile, 'cubbyhole/raw', 'request');
  assert.equal(raw.request.data.value, 'visible-on-purpose');
  assert.equal(raw.auth.client_token, srv.rootToken);
  const [acc] = recordsFor(accFile, 'cubbyhole/raw', 'request');
  assert.match(acc.request.data.value, /^hmac-sha256:/);
  assert.match(acc.auth.client_token, /^hmac-sha256:/);
  assert.equal(acc.auth.accessor, raw.auth.accessor, 'the accessor is left as it is');
  assert.doesNotMatch(acc.auth.accessor, /^hmac-sha256:/);
  for (const p of ['raw', 'accessor']) assert.equal((await srv.api('DELETE', `sys/audit/${p}`)).status, 204);
});

test('prefix goes before every line; format=jsonx writes XML', async () => {
  const file = join(dir, 'jsonx.log');
  await enableFile(srv, 'jsonx', file, { format: 'jsonx', prefix: '@cee: ' });
  await srv.api('GET', 'sys/mounts');
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.ok(lines.length >= 2);
  for (const line of lines) assert.ok(line.startsWith('@cee: <?xml version="1.0" encoding="UTF-8"?><json:object>'), line);
  assert.match(lines.at(-1) ?? '', /<json:string name="type">response<\/json:string>/);
  assert.equal((await srv.api('DELETE', 'sys/audit/jsonx')).status, 204);
  const bad = await srv.api('PUT', 'sys/audit/badformat', { type: 'file', options: { file_path: join(dir, 'x.log'), format: 'yaml' } });
  assert.equal(bad.status, 400);
});

test('the file gets mode 0600 by default or the one asked for; executable modes are refused', async () => {
  const plain = join(dir, 'mode-default.log');
  const shared = join(dir, 'mode-0640.log');
  await enableFile(srv, 'mode-default', plain);
  await enableFile(srv, 'mode-0640', shared, { mode: '0640' });
  assert.equal(statSync(plain).mode & 0o777, 0o600);
  assert.equal(statSync(shared).mode & 0o777, 0o640);
  const exec = await srv.api('PUT', 'sys/audit/mode-exec', { type: 'file', options: { file_path: join(dir, 'e.log'), mode: '0755' } });
  assert.equal(exec.status, 400);
  for (const p of ['mode-default', 'mode-0640']) await srv.api('DELETE', `sys/audit/${p}`);
});

test('file_path=discard accepts every record and writes nothing', async () => {
  const other = await startTestServer();
  try {
    assert.equal((await other.api('PUT', 'sys/audit/null', { type: 'file', options: { file_path: 'discard' } })).status, 204);
    assert.equal((await other.api('PUT', 'cubbyhole/x', { v: CANARY })).status, 204);
    assert.equal((await other.api('GET', 'cubbyhole/x')).status, 200);
  } finally {
    await other.close();
  }
  assert.ok(records(join(dir, 'shape.log')).length > 0);
});
