// node-vault's system-backend helpers against Lockbox: policies (sys/policy, and the newer
// sys/policies/acl through the generic read/write/list/delete), secrets engines (mounts,
// mount, unmount, remount, tune), auth methods, audit devices, capabilities and the mount
// discovery endpoint. node-vault sends its arguments as the JSON body of these calls, URL
// parameters (name, mount_point) included: the server must ignore the extra fields.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { failure, vaultClient } from './client.js';

let srv: TestServer;
let dir: string;
before(async () => {
  srv = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'lockbox-node-vault-'));
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

const root = () => vaultClient(srv.url, srv.rootToken);
const READER = 'path "secret/data/app/*" {\n  capabilities = ["read", "list"]\n}\n';

test('addPolicy, getPolicy, policies and removePolicy (sys/policy)', async () => {
  const vault = root();
  await vault.addPolicy({ name: 'reader', rules: READER });
  const got = await vault.getPolicy({ name: 'reader' });
  assert.equal(got.name, 'reader');
  assert.equal(got.rules, READER);
  assert.equal(got.data.rules, READER);
  const all = await vault.policies();
  for (const list of [all.policies, all.keys, all.data.policies, all.data.keys]) {
    assert.ok(list.includes('reader') && list.includes('default') && list.includes('root'), JSON.stringify(list));
  }
  // A policy that does not parse is a 400 naming the problem.
  const bad = await failure(vault.addPolicy({ name: 'broken', rules: 'path "x" { capabilities = ' }));
  assert.equal(bad.response.statusCode, 400);
  assert.match(bad.message, /failed to parse policy/);

  await vault.removePolicy({ name: 'reader' });
  const gone = await failure(vault.getPolicy({ name: 'reader' }));
  assert.deepEqual([gone.response.statusCode, gone.response.body], [404, { errors: [] }]);
  assert.ok(!(await vault.policies()).policies.includes('reader'));
  // The built-in policies cannot be removed.
  assert.equal((await failure(vault.removePolicy({ name: 'default' }))).response.statusCode, 400);
});

test('sys/policies/acl through the generic helpers: write, read, LIST and delete', async () => {
  const vault = root();
  await vault.write('sys/policies/acl/app-reader', { policy: READER });
  const got = await vault.read('sys/policies/acl/app-reader');
  assert.deepEqual(got.data, { name: 'app-reader', policy: READER });
  // vault.list sends the LIST method.
  const listed = await vault.list('sys/policies/acl');
  assert.ok(listed.data.keys.includes('app-reader'));
  assert.ok(listed.data.keys.includes('default'));
  await vault.delete('sys/policies/acl/app-reader');
  assert.equal((await failure(vault.read('sys/policies/acl/app-reader'))).response.statusCode, 404);
});

test('mounts, mount, tune, remount and unmount', async () => {
  const vault = root();
  const before = await vault.mounts();
  assert.equal(before['secret/'].type, 'kv');
  assert.deepEqual(before.data['secret/'].options, { version: '2' });
  assert.equal(before.data['sys/'].type, 'system');

  await vault.mount({ mount_point: 'apps', type: 'kv', description: 'app secrets', options: { version: '2' }, config: { default_lease_ttl: '30m' } });
  const mounted = (await vault.mounts()).data['apps/'];
  assert.equal(mounted.type, 'kv');
  assert.equal(mounted.description, 'app secrets');
  assert.deepEqual(mounted.options, { version: '2' });
  assert.equal(mounted.config.default_lease_ttl, 1800);
  assert.match(mounted.accessor, /^kv_/);
  // One mount: Vault repeats its fields at the top level for every sys/mounts/* answer.
  const one = await vault.read('sys/mounts/apps');
  assert.deepEqual([one.type, one.data.type, one.data.options.version], ['kv', 'kv', '2']);

  const dup = await failure(vault.mount({ mount_point: 'apps', type: 'kv' }));
  assert.equal(dup.response.statusCode, 400);
  assert.equal(dup.message, 'path is already in use at apps/');

  await vault.write('sys/mounts/apps/tune', { max_lease_ttl: '2h', description: 'tuned' });
  const tune = await vault.read('sys/mounts/apps/tune');
  assert.deepEqual([tune.data.default_lease_ttl, tune.data.max_lease_ttl, tune.data.description], [1800, 7200, 'tuned']);

  await vault.write('apps/data/one', { data: { k: 'v' } });
  const moved = await vault.remount({ from: 'apps', to: 'apps2' });
  assert.equal(typeof moved.migration_id, 'string');
  assert.equal(moved.data.migration_id, moved.migration_id);
  assert.deepEqual((await vault.read('apps2/data/one')).data.data, { k: 'v' }, 'data moves with the mount');

  await vault.unmount({ mount_point: 'apps2' });
  const after = await vault.mounts();
  assert.equal(after.data['apps2/'], undefined);
  assert.equal(after.data['apps/'], undefined);
  // Unmounting something that is not mounted is not an error in Vault.
  await vault.unmount({ mount_point: 'never-mounted' });
});

test('auths, enableAuth and disableAuth', async () => {
  const vault = root();
  const auths = await vault.auths();
  assert.equal(auths['token/'].type, 'token');
  assert.equal(auths.data['token/'].type, 'token');
  // Only the token method is built in: enabling another is refused as Vault refuses an unknown plugin.
  const unknown = await failure(vault.enableAuth({ mount_point: 'nope', type: 'no-such-method' }));
  assert.equal(unknown.response.statusCode, 400);
  await vault.disableAuth({ mount_point: 'never-enabled' });
});

test('enableAudit, audits and disableAudit with a file device; the log is written', async () => {
  const vault = root();
  const file = join(dir, 'audit.log');
  await vault.enableAudit({ name: 'file', type: 'file', description: 'to a file', options: { file_path: file } });
  const audits = await vault.audits();
  for (const table of [audits, audits.data]) {
    assert.equal(table['file/'].type, 'file');
    assert.equal(table['file/'].description, 'to a file');
    assert.deepEqual(table['file/'].options, { file_path: file });
    assert.equal(table['file/'].path, 'file/');
  }
  await vault.write('secret/data/audited', { data: { password: 'hunter2' } });
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.type === 'request' && l.request.path === 'secret/data/audited'));
  assert.ok(!readFileSync(file, 'utf8').includes('hunter2'), 'secret values are HMAC\'d in the audit log');

  const bad = await failure(vault.enableAudit({ name: 'bad', type: 'file', options: { file_path: join(dir, 'missing', 'x.log') } }));
  assert.equal(bad.response.statusCode, 400);

  await vault.disableAudit({ name: 'file' });
  const none = await vault.audits();
  assert.equal(none['file/'], undefined);
  assert.equal(none.data['file/'], undefined);
});

test('capabilities and sys/internal/ui/mounts through the generic helpers', async () => {
  const vault = root();
  await vault.addPolicy({ name: 'app-reader', rules: READER });
  const { auth } = await root().tokenCreate({ policies: ['app-reader'] });
  const caps = await vault.write('sys/capabilities', { token: auth.client_token, paths: ['secret/data/app/db'] });
  assert.deepEqual(caps.capabilities, ['list', 'read']);
  assert.deepEqual(caps.data['secret/data/app/db'], ['list', 'read']);
  const self = await vaultClient(srv.url, auth.client_token).write('sys/capabilities-self', { paths: ['sys/mounts'] });
  assert.deepEqual(self.capabilities, ['deny']);

  const ui = await vaultClient(srv.url, auth.client_token).read('sys/internal/ui/mounts/secret/app/db');
  assert.equal(ui.data.path, 'secret/');
  assert.equal(ui.data.type, 'kv');
  assert.deepEqual(ui.data.options, { version: '2' });
});
