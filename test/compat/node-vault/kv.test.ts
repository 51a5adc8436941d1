// Key/value secrets and the cubbyhole through node-vault, the way applications use it:
// node-vault has no KV helpers of its own (bar destroySecretVersions), so apps call
// read/write/list/delete/update on KV v2's data/, metadata/, delete/, undelete/ and destroy/
// paths, on KV v1 paths and on cubbyhole/.
// `vault.list` sends the LIST method (node-vault's default; `noCustomHTTPVerbs` switches
// to GET ?list=1, also covered).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import nodeVault from 'node-vault';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { failure, vaultClient } from './client.js';

let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(() => srv.close());

const root = () => vaultClient(srv.url, srv.rootToken);
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

test('KV v2 write and read: response.data.data is the secret, response.data.metadata its version', async () => {
  const vault = root();
  const written = await vault.write('secret/data/app/db', { data: { username: 'app', password: 's3cret' } });
  assert.equal(written.data.version, 1);
  assert.match(written.data.created_time, RFC3339);
  assert.equal(written.data.deletion_time, '');
  assert.equal(written.data.destroyed, false);
  assert.equal(written.data.custom_metadata, null);

  const read = await vault.read('secret/data/app/db');
  assert.deepEqual(read.data.data, { username: 'app', password: 's3cret' });
  assert.equal(read.data.metadata.version, 1);
  // KV never hands out a lease: consul-template and friends would start renewing one.
  assert.deepEqual([read.lease_id, read.lease_duration, read.renewable], ['', 0, false]);

  const missing = await failure(vault.read('secret/data/app/nope'));
  assert.deepEqual([missing.response.statusCode, missing.response.body], [404, { errors: [] }]);
});

test('KV v2 versions: write again, read ?version=, check-and-set, PATCH through vault.update', async () => {
  const vault = root();
  await vault.write('secret/data/versioned', { data: { n: 1 } });
  const v2 = await vault.write('secret/data/versioned', { data: { n: 2 }, options: { cas: 1 } });
  assert.equal(v2.data.version, 2);
  assert.deepEqual((await vault.read('secret/data/versioned?version=1')).data.data, { n: 1 });
  assert.deepEqual((await vault.read('secret/data/versioned')).data.data, { n: 2 });

  const stale = await failure(vault.write('secret/data/versioned', { data: { n: 3 }, options: { cas: 1 } }));
  assert.equal(stale.response.statusCode, 400);
  assert.equal(stale.message, 'check-and-set parameter did not match the current version');

  // vault.update sends PATCH with Content-Type application/merge-patch+json.
  const patched = await vault.update('secret/data/versioned', { data: { extra: 'x' } });
  assert.equal(patched.data.version, 3);
  assert.deepEqual((await vault.read('secret/data/versioned')).data.data, { n: 2, extra: 'x' });
});

test('KV v2 delete, undelete and destroy versions; metadata shows each version\'s state', async () => {
  const vault = root();
  for (const n of [1, 2, 3]) await vault.write('secret/data/lifecycle', { data: { n } });

  // DELETE data/<path> soft-deletes the latest version: a read is then a 404 that still carries metadata.
  await vault.delete('secret/data/lifecycle');
  const deleted = await failure(vault.read('secret/data/lifecycle'));
  assert.equal(deleted.response.statusCode, 404);
  assert.equal(deleted.response.body.data.data, null);
  assert.match(deleted.response.body.data.metadata.deletion_time, RFC3339);

  await vault.write('secret/undelete/lifecycle', { versions: [3] });
  assert.deepEqual((await vault.read('secret/data/lifecycle')).data.data, { n: 3 });

  await vault.write('secret/delete/lifecycle', { versions: [1] });
  // node-vault's one KV helper: destroySecretVersions (mount_point defaults to "secret").
  await vault.destroySecretVersions({ path: 'lifecycle', versions: [2] });

  const meta = await vault.read('secret/metadata/lifecycle');
  assert.equal(meta.data.current_version, 3);
  assert.equal(meta.data.oldest_version, 0);
  assert.equal(meta.data.max_versions, 0);
  assert.equal(meta.data.cas_required, false);
  assert.equal(meta.data.delete_version_after, '0s');
  assert.deepEqual(Object.keys(meta.data.versions).sort(), ['1', '2', '3']);
  assert.match(meta.data.versions['1'].deletion_time, RFC3339);
  assert.equal(meta.data.versions['2'].destroyed, true);
  assert.equal(meta.data.versions['3'].deletion_time, '');

  // Metadata is written partially; custom_metadata is a string map.
  await vault.write('secret/metadata/lifecycle', { max_versions: 5, custom_metadata: { owner: 'team-a' } });
  const meta2 = await vault.read('secret/metadata/lifecycle');
  assert.equal(meta2.data.max_versions, 5);
  assert.deepEqual(meta2.data.custom_metadata, { owner: 'team-a' });
  assert.equal(meta2.data.delete_version_after, '0s');

  await vault.delete('secret/metadata/lifecycle');
  assert.equal((await failure(vault.read('secret/metadata/lifecycle'))).response.statusCode, 404);
});

test('KV v2 list: LIST on metadata/ folders, keys ending in / for folders; an empty folder is a 404', async () => {
  const vault = root();
  for (const p of ['team/a', 'team/b', 'team/sub/c']) await vault.write(`secret/data/${p}`, { data: { p } });
  const listed = await vault.list('secret/metadata/team');
  assert.deepEqual(listed.data.keys, ['a', 'b', 'sub/']);
  assert.deepEqual((await vault.list('secret/metadata/team/')).data.keys, ['a', 'b', 'sub/']);
  assert.ok((await vault.list('secret/metadata')).data.keys.includes('team/'));
  const none = await failure(vault.list('secret/metadata/nothing-here'));
  assert.deepEqual([none.response.statusCode, none.response.body], [404, { errors: [] }]);

  // The same list with GET ?list=1, as node-vault sends it with noCustomHTTPVerbs.
  const plain = nodeVault({ apiVersion: 'v1', endpoint: srv.url, token: srv.rootToken, noCustomHTTPVerbs: true });
  assert.deepEqual((await plain.list('secret/metadata/team')).data.keys, ['a', 'b', 'sub/']);
});

test('KV v1: write, read, list and delete on a kv mount without versions', async () => {
  const vault = root();
  await vault.mount({ mount_point: 'kv1', type: 'kv', options: { version: '1' } });
  assert.equal(await vault.write('kv1/app/config', { url: 'https://example.test', retries: 3 }), '');
  const read = await vault.read('kv1/app/config');
  assert.deepEqual(read.data, { url: 'https://example.test', retries: 3 });
  assert.equal(read.renewable, false);
  assert.equal(read.lease_id, '');
  assert.equal(typeof read.lease_duration, 'number');

  await vault.write('kv1/app/other', { a: 'b' });
  await vault.write('kv1/top', { a: 'b' });
  assert.deepEqual((await vault.list('kv1/app')).data.keys, ['config', 'other']);
  assert.deepEqual((await vault.list('kv1/')).data.keys, ['app/', 'top']);

  await vault.delete('kv1/app/config');
  assert.equal((await failure(vault.read('kv1/app/config'))).response.statusCode, 404);
  // A write with no data is refused, as Vault refuses it.
  assert.equal((await failure(vault.write('kv1/empty', {}))).response.statusCode, 400);
});

test('a token limited by policy reads what it may and gets 403 "permission denied" elsewhere', async () => {
  const vault = root();
  await vault.addPolicy({ name: 'app-only', rules: 'path "secret/data/app/*" { capabilities = ["read"] }\npath "secret/metadata/app/*" { capabilities = ["list"] }' });
  await vault.write('secret/data/app/key', { data: { v: 1 } });
  await vault.write('secret/data/other/key', { data: { v: 2 } });
  const { auth } = await root().tokenCreate({ policies: ['app-only'] });
  const app = vaultClient(srv.url, auth.client_token);
  assert.deepEqual((await app.read('secret/data/app/key')).data.data, { v: 1 });
  assert.deepEqual((await app.list('secret/metadata/app')).data.keys, ['db', 'key']);
  const denied = await failure(app.read('secret/data/other/key'));
  assert.deepEqual([denied.response.statusCode, denied.message], [403, 'permission denied']);
  const noWrite = await failure(app.write('secret/data/app/key', { data: { v: 9 } }));
  assert.equal(noWrite.response.statusCode, 403);
});

test('cubbyhole: each token reads, lists and deletes only its own', async () => {
  const mine = vaultClient(srv.url, (await root().tokenCreate({ policies: ['default'] })).auth.client_token);
  const other = vaultClient(srv.url, (await root().tokenCreate({ policies: ['default'] })).auth.client_token);
  await mine.write('cubbyhole/app/creds', { password: 'p4ss' });
  assert.deepEqual((await mine.read('cubbyhole/app/creds')).data, { password: 'p4ss' });
  assert.deepEqual((await mine.list('cubbyhole/app')).data.keys, ['creds']);
  assert.equal((await failure(other.read('cubbyhole/app/creds'))).response.statusCode, 404);
  await mine.delete('cubbyhole/app/creds');
  assert.equal((await failure(mine.read('cubbyhole/app/creds'))).response.statusCode, 404);
});
