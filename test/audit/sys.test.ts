// sys/audit, sys/audit/:path and sys/audit-hash/:path: enable, list, disable, sudo, and a
// table (with its salts) that survives a seal.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../helpers/server.js';
import { auditHash, enableFile, recordsFor, useAuditServer } from './helpers.js';

const suite = useAuditServer();
const { dir } = suite;

test('a device is enabled, listed in Vault\'s shape (top level and data), and disabled', async () => {
  const file = join(dir, 'listed.log');
  const put = await suite.srv.api('PUT', 'sys/audit/listed', { type: 'file', description: 'for the auditors', options: { file_path: file } });
  assert.equal(put.status, 204);
  const expected = { type: 'file', description: 'for the auditors', options: { file_path: file }, local: false, path: 'listed/' };
  const list = await suite.srv.api('GET', 'sys/audit');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body['listed/'], expected);
  assert.deepEqual(list.body.data['listed/'], expected);
  assert.equal((await suite.srv.api('DELETE', 'sys/audit/listed')).status, 204);
  assert.equal((await suite.srv.api('GET', 'sys/audit')).body.data['listed/'], undefined);
  assert.equal((await suite.srv.api('DELETE', 'sys/audit/listed')).status, 204, 'disabling twice is not an error');
  const hash = await suite.srv.api('POST', 'sys/audit-hash/listed', { input: 'x' });
  assert.equal(hash.status, 400, 'a disabled device has no salt to hash with');
});

test('sys/audit-hash answers at the top level and in data', async () => {
  await enableFile(suite.srv, 'hashing', join(dir, 'hashing.log'));
  const res = await suite.srv.api('POST', 'sys/audit-hash/hashing', { input: 'some value' });
  assert.equal(res.status, 200);
  assert.match(res.body.hash, /^hmac-sha256:[0-9a-f]{64}$/);
  assert.equal(res.body.data.hash, res.body.hash);
  const again = await suite.srv.api('PUT', 'sys/audit-hash/hashing', { input: 'some value' });
  assert.equal(again.body.data.hash, res.body.hash, 'the salt is stable');
  assert.equal((await suite.srv.api('POST', 'sys/audit-hash/hashing', {})).status, 400);
  await suite.srv.api('DELETE', 'sys/audit/hashing');
});

test('bad requests are 400 and leave nothing behind', async () => {
  const cases: Array<[string, unknown]> = [
    ['bad-type', { type: 'carrier-pigeon' }],
    ['no-path', { type: 'file', options: {} }],
    ['a-directory', { type: 'file', options: { file_path: dir } }],
    ['no-parent', { type: 'file', options: { file_path: join(dir, 'missing', 'audit.log') } }],
    ['bad-bool', { type: 'file', options: { file_path: join(dir, 'b.log'), log_raw: 'maybe' } }],
    ['no-peer', { type: 'socket', options: { address: '127.0.0.1:1' } }],
    ['bad-socket-type', { type: 'socket', options: { address: '127.0.0.1:1', socket_type: 'sctp' } }],
  ];
  for (const [path, body] of cases) {
    const res = await suite.srv.api('PUT', `sys/audit/${path}`, body);
    assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.body)}`);
  }
  assert.equal((await suite.srv.api('PUT', 'sys/audit/no-type', { options: {} })).status, 400);
  assert.deepEqual((await suite.srv.api('GET', 'sys/audit')).body.data, {});
  assert.ok(!existsSync(join(dir, 'missing')), 'no directory is created');
});

test('paths nest but may not overlap another device\'s path', async () => {
  await enableFile(suite.srv, 'team/a', join(dir, 'team-a.log'));
  assert.equal((await suite.srv.api('PUT', 'sys/audit/team', { type: 'file', options: { file_path: join(dir, 't.log') } })).status, 400);
  assert.equal((await suite.srv.api('PUT', 'sys/audit/team/a/b', { type: 'file', options: { file_path: join(dir, 't.log') } })).status, 400);
  const dup = await suite.srv.api('PUT', 'sys/audit/team/a', { type: 'file', options: { file_path: join(dir, 't.log') } });
  assert.deepEqual([dup.status, dup.body.errors], [400, ['path already in use']]);
  assert.ok((await suite.srv.api('GET', 'sys/audit')).body.data['team/a/']);
  await suite.srv.api('DELETE', 'sys/audit/team/a');
});

test('listing, enabling and disabling need sudo; hashing does not', async () => {
  await enableFile(suite.srv, 'guarded', join(dir, 'guarded.log'));
  const all = '["create", "read", "update", "delete", "list"]';
  await suite.srv.api('PUT', 'sys/policies/acl/audit-nosudo', { policy: `path "sys/audit*" { capabilities = ${all} }` });
  await suite.srv.api('PUT', 'sys/policies/acl/audit-sudo', { policy: `path "sys/audit*" { capabilities = ["update", "read", "delete", "sudo"] }` });
  const token = async (policy: string) => (await suite.srv.api('POST', 'auth/token/create', { policies: [policy] })).body.auth.client_token as string;
  const [plain, sudo] = [await token('audit-nosudo'), await token('audit-sudo')];
  const body = { type: 'file', options: { file_path: join(dir, 'by-operator.log') } };
  try {
    suite.srv.useToken(plain);
    assert.equal((await suite.srv.api('GET', 'sys/audit')).status, 403);
    assert.equal((await suite.srv.api('PUT', 'sys/audit/by-operator', body)).status, 403);
    assert.equal((await suite.srv.api('DELETE', 'sys/audit/guarded')).status, 403);
    assert.equal((await suite.srv.api('POST', 'sys/audit-hash/guarded', { input: 'v' })).status, 200);
    suite.srv.useToken(sudo);
    assert.equal((await suite.srv.api('GET', 'sys/audit')).status, 200);
    assert.equal((await suite.srv.api('PUT', 'sys/audit/by-operator', body)).status, 204);
    assert.equal((await suite.srv.api('DELETE', 'sys/audit/by-operator')).status, 204);
  } finally {
    suite.srv.useToken(suite.srv.rootToken);
  }
  assert.ok((await suite.srv.api('GET', 'sys/audit')).body.data['guarded/'], 'the refused disable did nothing');
  await suite.srv.api('DELETE', 'sys/audit/guarded');
});

test('the table and salts survive a seal; devices reopen after unseal, fail closed if they cannot', async () => {
  const sealed = await startTestServer({ dev: false, storage: { type: 'sqlite', path: join(dir, 'lockbox.db') } });
  try {
    const init = await sealed.api('PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 });
    const key = init.body.keys_base64[0];
    await sealed.api('PUT', 'sys/unseal', { key });
    sealed.useToken(init.body.root_token);
    const logs = join(dir, 'reseal');
    mkdirSync(logs);
    await enableFile(sealed, 'kept', join(logs, 'audit.log'));
    const before = await auditHash(sealed, 'kept', 'value');
    assert.equal((await sealed.api('PUT', 'sys/seal')).status, 204);
    rmSync(logs, { recursive: true });
    assert.equal((await sealed.api('PUT', 'sys/unseal', { key })).status, 200);
    assert.equal((await sealed.api('GET', 'sys/mounts')).status, 500, 'the device cannot open: fail closed');
    mkdirSync(logs);
    assert.equal((await sealed.api('GET', 'sys/mounts')).status, 200);
    assert.equal(await auditHash(sealed, 'kept', 'value'), before);
    assert.ok((await sealed.api('GET', 'sys/audit')).body.data['kept/']);
    assert.equal(recordsFor(join(logs, 'audit.log'), 'sys/mounts').length, 2);
  } finally {
    await sealed.close();
  }
});
