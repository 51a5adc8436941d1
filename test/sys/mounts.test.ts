// sys/mounts, sys/auth, tune, remount and sys/internal/ui/mounts, as Vault shapes them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(() => srv.close());

test('a new server lists sys/ and cubbyhole/ with Vault\'s fields, at the top level and under data', async () => {
  const r = await srv.api('GET', 'sys/mounts');
  assert.equal(r.status, 200);
  for (const body of [r.body, r.body.data]) {
    assert.equal(body['sys/'].type, 'system');
    assert.equal(body['cubbyhole/'].type, 'cubbyhole');
    assert.equal(typeof body['sys/'].config.default_lease_ttl, 'number');
    assert.match(body['cubbyhole/'].accessor, /^cubbyhole_[0-9a-f]{8}$/);
  }
  const auth = await srv.api('GET', 'sys/auth');
  assert.equal(auth.body.data['token/'].type, 'token');
  // Vault documents token_type in an auth mount's config and in its tune read; never on secret mounts.
  assert.equal(auth.body.data['token/'].config.token_type, 'default-service');
  assert.equal('token_type' in r.body.data['sys/'].config, false);
  const tune = await srv.api('GET', 'sys/auth/token/tune');
  assert.equal(tune.body.data.token_type, 'default-service');
  assert.equal('token_type' in (await srv.api('GET', 'sys/mounts/cubbyhole/tune')).body.data, false);
});

test('kv-v2 mounts as type kv with options.version "2"; TTL strings become integer seconds', async () => {
  const w = await srv.api('POST', 'sys/mounts/apps', { type: 'kv-v2', description: 'apps', config: { default_lease_ttl: '1200s', max_lease_ttl: 7200 } });
  assert.equal(w.status, 204, JSON.stringify(w.body));
  const one = await srv.api('GET', 'sys/mounts/apps');
  assert.equal(one.body.data.type, 'kv');
  assert.deepEqual(one.body.data.options, { version: '2' });
  assert.deepEqual([one.body.data.config.default_lease_ttl, one.body.data.config.max_lease_ttl], [1200, 7200]);
  const again = await srv.api('POST', 'sys/mounts/apps', { type: 'kv' });
  assert.deepEqual([again.status, again.body.errors], [400, ['path is already in use at apps/']]);
  const unknown = await srv.api('POST', 'sys/mounts/x', { type: 'nope' });
  assert.deepEqual([unknown.status, unknown.body.errors], [400, ['plugin not found in the catalog: nope']]);
  const nested = await srv.api('POST', 'sys/mounts/apps/inner', { type: 'kv' });
  assert.equal(nested.status, 400);
});

test('tune reads effective TTLs and writes partially', async () => {
  await srv.api('POST', 'sys/mounts/tuned', { type: 'kv' });
  let t = await srv.api('GET', 'sys/mounts/tuned/tune');
  assert.equal(t.body.data.default_lease_ttl, 768 * 3600);
  assert.equal(t.body.default_lease_ttl, 768 * 3600);
  assert.equal((await srv.api('POST', 'sys/mounts/tuned/tune', { max_lease_ttl: '2h', description: 'tuned' })).status, 204);
  t = await srv.api('GET', 'sys/mounts/tuned/tune');
  assert.deepEqual([t.body.data.max_lease_ttl, t.body.data.default_lease_ttl, t.body.data.description], [7200, 768 * 3600, 'tuned']);
  const bad = await srv.api('POST', 'sys/mounts/tuned/tune', { default_lease_ttl: '3h' });
  assert.equal(bad.status, 400);
});

test('disable deletes exactly the mount\'s data; remount keeps it', async () => {
  await srv.api('POST', 'sys/mounts/gone', { type: 'cubbyhole' });
  await srv.api('POST', 'sys/mounts/kept', { type: 'cubbyhole' });
  const { mounts } = srv.core.unsealed;
  const gone = mounts.get('mounts', 'gone/')!;
  const kept = mounts.get('mounts', 'kept/')!;
  await mounts.viewOf(gone).put('x', Buffer.from('1'));
  await mounts.viewOf(kept).put('y', Buffer.from('2'));
  assert.equal((await srv.api('DELETE', 'sys/mounts/gone')).status, 204);
  assert.deepEqual(await mounts.viewOf(gone).list(''), []);
  assert.deepEqual(await mounts.viewOf(kept).list(''), ['y']);
  const moved = await srv.api('POST', 'sys/remount', { from: 'kept', to: 'moved' });
  assert.equal(moved.status, 200);
  assert.equal(typeof moved.body.data.migration_id, 'string');
  assert.equal((await srv.api('GET', 'sys/mounts/moved')).body.data.uuid, kept.uuid);
  assert.deepEqual(await srv.api('GET', 'sys/mounts/kept').then((r) => [r.status, r.body.errors]), [400, ['No secret engine mount at kept/']]);
});

test('sys/auth enables and disables auth mounts; unknown types are refused', async () => {
  const r = await srv.api('POST', 'sys/auth/other', { type: 'nope' });
  assert.equal(r.status, 400);
  const list = await srv.api('GET', 'sys/auth');
  assert.deepEqual(Object.keys(list.body.data), ['token/']);
});

test('sys/internal/ui/mounts tells a path\'s mount to callers with any capability under it', async () => {
  await srv.api('POST', 'sys/mounts/team', { type: 'kv', options: { version: '2' } });
  const root = await srv.api('GET', 'sys/internal/ui/mounts/team/app/db');
  assert.equal(root.status, 200);
  assert.deepEqual([root.body.data.path, root.body.data.type, root.body.data.options.version], ['team/', 'kv', '2']);
  assert.equal((await srv.api('GET', 'sys/mounts-all/team/app')).body.data.path, 'team/');

  await srv.api('PUT', 'sys/policies/acl/app', { policy: 'path "team/data/app/*" { capabilities = ["read"] }' });
  const token = (await srv.api('POST', 'auth/token/create', { policies: ['app'] })).body.auth.client_token;
  srv.useToken(token);
  try {
    assert.equal((await srv.api('GET', 'sys/internal/ui/mounts/team/app/db')).status, 200);
    assert.equal((await srv.api('GET', 'sys/internal/ui/mounts/apps/x')).status, 403);
    assert.equal((await srv.api('GET', 'sys/mounts')).status, 403);
  } finally {
    srv.useToken(srv.rootToken);
  }
});
