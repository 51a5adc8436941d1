// The file device: Vault's record shape, HMAC of secrets, tokens and accessors, and the
// options that change it (log_raw, hmac_accessor, prefix, format, mode).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../helpers/server.js';
import { CANARY, auditHash, enableFile, records, recordsFor, useAuditServer } from './helpers.js';

const suite = useAuditServer();
const { dir } = suite;

test('a secret written and read is logged only as the HMAC sys/audit-hash gives for it', async () => {
  const file = join(dir, 'shape.log');
  await enableFile(suite.srv, 'shape', file);
  assert.equal((await suite.srv.api('PUT', 'cubbyhole/shape', { value: CANARY, count: 7, on: true })).status, 204);
  assert.equal((await suite.srv.api('GET', 'cubbyhole/shape')).body.data.value, CANARY);
  const raw = readFileSync(file);
  assert.ok(!raw.includes(CANARY), 'the secret reached the audit log');
  assert.ok(!raw.includes(suite.srv.rootToken), 'the token reached the audit log');

  const hash = await auditHash(suite.srv, 'shape', CANARY);
  assert.match(hash, /^hmac-sha256:[0-9a-f]{64}$/);
  const [write] = recordsFor(file, 'cubbyhole/shape', 'request');
  assert.deepEqual(write.request.data, { value: hash, count: 7, on: true }, 'only strings are hashed');
  const read = recordsFor(file, 'cubbyhole/shape', 'response').find((r) => r.request.operation === 'read');
  assert.equal(read.response.data.value, hash);
  assert.equal(read.response.mount_type, 'cubbyhole');
});

test('a record carries Vault\'s fields; the token and its accessor are hashed', async () => {
  const file = join(dir, 'fields.log');
  await enableFile(suite.srv, 'fields', file);
  await suite.srv.api('GET', 'sys/mounts');
  const [req, resp] = recordsFor(file, 'sys/mounts');
  assert.deepEqual([req.type, resp.type], ['request', 'response']);
  assert.ok(!Number.isNaN(Date.parse(req.time)));
  const tokenHash = await auditHash(suite.srv, 'fields', suite.srv.rootToken);
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
  await enableFile(suite.srv, 'auth-records', file);
  const created = await suite.srv.api('POST', 'auth/token/create', { policies: ['default'] });
  const token = created.body.auth.client_token as string;
  assert.ok(!readFileSync(file).includes(token), 'an issued token reached the audit log');
  const [resp] = recordsFor(file, 'auth/token/create', 'response');
  assert.equal(resp.response.auth.client_token, await auditHash(suite.srv, 'auth-records', token));
  assert.equal(resp.response.auth.accessor, await auditHash(suite.srv, 'auth-records', created.body.auth.accessor));
  assert.equal(resp.request.mount_point, 'auth/token/');

  suite.srv.useToken(token);
  try {
    assert.equal((await suite.srv.api('GET', 'sys/policies/acl/root')).status, 403);
  } finally {
    suite.srv.useToken(suite.srv.rootToken);
  }
  const [denied] = recordsFor(file, 'sys/policies/acl/root', 'request');
  assert.equal(denied.error, 'permission denied');
  assert.deepEqual(denied.auth.policies, ['default']);
});

test('log_raw keeps values; hmac_accessor=false keeps only accessors readable', async () => {
  const rawFile = join(dir, 'raw.log');
  const accFile = join(dir, 'accessor.log');
  await enableFile(suite.srv, 'raw', rawFile, { log_raw: 'true' });
  await enableFile(suite.srv, 'accessor', accFile, { hmac_accessor: 'false' });
  await suite.srv.api('PUT', 'cubbyhole/raw', { value: 'visible-on-purpose' });
  const [raw] = recordsFor(rawFile, 'cubbyhole/raw', 'request');
  assert.equal(raw.request.data.value, 'visible-on-purpose');
  assert.equal(raw.auth.client_token, suite.srv.rootToken);
  const [acc] = recordsFor(accFile, 'cubbyhole/raw', 'request');
  assert.match(acc.request.data.value, /^hmac-sha256:/);
  assert.match(acc.auth.client_token, /^hmac-sha256:/);
  assert.equal(acc.auth.accessor, raw.auth.accessor, 'the accessor is left as it is');
  assert.doesNotMatch(acc.auth.accessor, /^hmac-sha256:/);
  for (const p of ['raw', 'accessor']) assert.equal((await suite.srv.api('DELETE', `sys/audit/${p}`)).status, 204);
});

test('prefix goes before every line; format=jsonx writes XML', async () => {
  const file = join(dir, 'jsonx.log');
  await enableFile(suite.srv, 'jsonx', file, { format: 'jsonx', prefix: '@cee: ' });
  await suite.srv.api('GET', 'sys/mounts');
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.ok(lines.length >= 2);
  for (const line of lines) assert.ok(line.startsWith('@cee: <?xml version="1.0" encoding="UTF-8"?><json:object>'), line);
  assert.match(lines.at(-1) ?? '', /<json:string name="type">response<\/json:string>/);
  assert.equal((await suite.srv.api('DELETE', 'sys/audit/jsonx')).status, 204);
  const bad = await suite.srv.api('PUT', 'sys/audit/badformat', { type: 'file', options: { file_path: join(dir, 'x.log'), format: 'yaml' } });
  assert.equal(bad.status, 400);
});

test('the file gets mode 0600 by default or the one asked for; executable modes are refused', async () => {
  const plain = join(dir, 'mode-default.log');
  const shared = join(dir, 'mode-0640.log');
  await enableFile(suite.srv, 'mode-default', plain);
  await enableFile(suite.srv, 'mode-0640', shared, { mode: '0640' });
  assert.equal(statSync(plain).mode & 0o777, 0o600);
  assert.equal(statSync(shared).mode & 0o777, 0o640);
  const exec = await suite.srv.api('PUT', 'sys/audit/mode-exec', { type: 'file', options: { file_path: join(dir, 'e.log'), mode: '0755' } });
  assert.equal(exec.status, 400);
  for (const p of ['mode-default', 'mode-0640']) await suite.srv.api('DELETE', `sys/audit/${p}`);
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
