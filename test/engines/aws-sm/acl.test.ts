// The ACL per action: a role allowed only to read aws-sm/data/app/* (and to list) reads app/x,
// is refused db/x with AWS's text, sees only app/ in ListSecrets and gets a per-secret error
// in BatchGetSecretValue. With an audit device on, a secret value never reaches the log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, startAwsServer, type AwsTestServer } from './setup.js';

const CANARY = `canary-${randomUUID()}`;
const dir = mkdtempSync(join(tmpdir(), 'aws-sm-audit-'));
const auditFile = join(dir, 'audit.log');
let srv: AwsTestServer;
let reader: { accessKeyId: string; secretAccessKey: string };

before(async () => {
  srv = await startAwsServer();
  assert.equal((await srv.api('PUT', 'sys/audit/file', { type: 'file', options: { file_path: auditFile } })).status, 204);
  for (const name of ['app/x', 'app/y', 'db/x']) {
    assert.equal((await call(srv, 'CreateSecret', { Name: name, SecretString: `${CANARY}-${name}`, ClientRequestToken: randomUUID() })).status, 200);
  }
  reader = await srv.keyFor('app-reader', 'path "aws-sm/data/app/*" { capabilities = ["read"] }\npath "aws-sm/metadata/" { capabilities = ["list"] }');
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the role reads app/x', async () => {
  const r = await call(srv, 'GetSecretValue', { SecretId: 'app/x' }, reader);
  assert.equal(r.body.SecretString, `${CANARY}-app/x`);
});

test('the role is refused db/x with AWS\'s AccessDeniedException text', async () => {
  const r = await call(srv, 'GetSecretValue', { SecretId: 'db/x' }, reader);
  assert.equal(r.status, 400);
  assert.equal(r.body.__type, 'AccessDeniedException');
  assert.match(r.body.Message, /^User: arn:aws:iam::\d{12}:user\/app-reader is not authorized to perform: secretsmanager:GetSecretValue on resource: db\/x because no identity-based policy allows the secretsmanager:GetSecretValue action$/);
  const write = await call(srv, 'PutSecretValue', { SecretId: 'app/x', SecretString: 'nope', ClientRequestToken: randomUUID() }, reader);
  assert.equal(write.body.__type, 'AccessDeniedException');
  const describe = await call(srv, 'DescribeSecret', { SecretId: 'app/x' }, reader);
  assert.equal(describe.body.__type, 'AccessDeniedException', 'metadata needs its own grant');
});

test('ListSecrets shows only what the role may read', async () => {
  const r = await call(srv, 'ListSecrets', {}, reader);
  assert.deepEqual(r.body.SecretList.map((s: { Name: string }) => s.Name), ['app/x', 'app/y']);
});

test('BatchGetSecretValue puts the refusal in Errors for that secret only', async () => {
  const r = await call(srv, 'BatchGetSecretValue', { SecretIdList: ['app/y', 'db/x'] }, reader);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.SecretValues.map((v: { Name: string }) => v.Name), ['app/y']);
  assert.deepEqual(r.body.Errors.map((e: { SecretId: string; ErrorCode: string }) => [e.SecretId, e.ErrorCode]), [['db/x', 'AccessDeniedException']]);
});

test('the audit log records the calls with values HMAC\'d; the server log never sees them', async () => {
  const log = readFileSync(auditFile, 'utf8');
  const records = log.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(records.some((r) => r.request.path === 'aws-sm/data/app/x' && r.request.operation === 'read' && r.type === 'response'));
  assert.ok(records.some((r) => r.request.path === 'aws-sm/data/db/x' && r.error === 'permission denied'));
  assert.equal(log.includes(CANARY), false, 'a secret value reached the audit log');
  assert.equal(log.includes(reader.secretAccessKey), false);
  assert.equal(srv.log().includes(CANARY), false, 'a secret value reached the server log');
});
