// identity/entity*, identity/entity-alias* and identity/lookup/entity over HTTP, errors included.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { enableAuth, ok, refused } from './helpers.js';

let srv: TestServer;
let upAcc: string;
let arAcc: string;
before(async () => {
  srv = await startTestServer();
  upAcc = await enableAuth(srv, 'userpass', 'userpass');
  arAcc = await enableAuth(srv, 'approle', 'approle');
});
after(() => srv.close());

const ENTITY_KEYS = ['aliases', 'creation_time', 'direct_group_ids', 'disabled', 'group_ids', 'id', 'inherited_group_ids',
  'last_update_time', 'merged_entity_ids', 'metadata', 'name', 'namespace_id', 'policies'];

test('an entity is created with a generated name, read back with Vault fields, updated with 204', async () => {
  const created = await srv.api('POST', 'identity/entity', { metadata: { team: 'a' }, policies: 'p2,p1' });
  assert.equal(created.status, 200);
  assert.match(created.body.data.name, /^entity_[0-9a-f]{8}$/);
  assert.equal(created.body.data.aliases, null);
  const { id } = created.body.data;
  const read = await ok(srv, 'GET', `identity/entity/id/${id}`);
  assert.deepEqual(Object.keys(read).sort(), ENTITY_KEYS);
  assert.deepEqual([read.metadata, read.policies, read.disabled, read.namespace_id], [{ team: 'a' }, ['p1', 'p2'], false, 'root']);
  assert.match(read.creation_time, /^\d{4}-\d\d-\d\dT/);
  const upd = await srv.api('POST', `identity/entity/id/${id}`, { metadata: ['team=b', 'tier=gold'] });
  assert.equal(upd.status, 204);
  assert.deepEqual((await ok(srv, 'GET', `identity/entity/id/${id}`)).metadata, { team: 'b', tier: 'gold' });
  // POST identity/entity with an id updates that entity.
  assert.equal((await srv.api('POST', 'identity/entity', { id, disabled: true })).status, 204);
  assert.equal((await ok(srv, 'GET', `identity/entity/id/${id}`)).disabled, true);
});

test('entity write refusals carry Vault\'s texts', async () => {
  await ok(srv, 'POST', 'identity/entity', { name: 'taken' });
  const other = await ok(srv, 'POST', 'identity/entity', { name: 'other' });
  await refused(srv, 'POST', 'identity/entity', { id: 'no-such-id' }, 'entity not found from id');
  await refused(srv, 'POST', `identity/entity/id/${other.id}`, { name: 'taken' }, 'entity name is already in use');
  await refused(srv, 'POST', 'identity/entity', { name: 'rooty', policies: ['root'] }, 'policies cannot contain root');
  await refused(srv, 'POST', 'identity/entity/batch-delete', {}, 'missing entity ids to delete');
  const bad = await srv.api('POST', 'identity/entity', { name: 'x', metadata: 'nope' });
  assert.equal(bad.status, 400);
});

test('by name: create, read (case-insensitive), update, delete; a missing entity is 404', async () => {
  const created = await ok(srv, 'POST', 'identity/entity/name/Carol', { policies: ['c'] });
  assert.equal(created.name, 'Carol');
  assert.equal((await ok(srv, 'GET', 'identity/entity/name/carol')).id, created.id);
  assert.equal((await srv.api('POST', 'identity/entity/name/Carol', { policies: ['d'] })).status, 204);
  assert.deepEqual((await ok(srv, 'GET', `identity/entity/id/${created.id}`)).policies, ['d']);
  assert.equal((await srv.api('DELETE', 'identity/entity/name/Carol')).status, 204);
  assert.deepEqual((await srv.api('GET', 'identity/entity/name/Carol')).status, 404);
  assert.deepEqual((await srv.api('GET', 'identity/entity/id/nope')).body, { errors: [] });
});

test('LIST entity/id and entity/name, key_info keyed by id; batch-delete removes several', async () => {
  const a = await ok(srv, 'POST', 'identity/entity', { name: 'list-a' });
  const b = await ok(srv, 'POST', 'identity/entity', { name: 'list-b' });
  const ids = await ok(srv, 'LIST', 'identity/entity/id');
  assert.ok(ids.keys.includes(a.id) && ids.keys.includes(b.id));
  assert.equal(ids.key_info[a.id].name, 'list-a');
  const names = await ok(srv, 'GET', 'identity/entity/name?list=true');
  assert.ok(names.keys.includes('list-b'));
  assert.equal(names.key_info[b.id].name, 'list-b');
  assert.equal((await srv.api('POST', 'identity/entity/batch-delete', { entity_ids: [a.id, b.id, 'unknown'] })).status, 204);
  assert.equal((await srv.api('GET', `identity/entity/id/${a.id}`)).status, 404);
  assert.equal((await srv.api('GET', `identity/entity/id/${b.id}`)).status, 404);
});

test('entity aliases: create, read with mount path and type, the one-per-mount and one-per-name rules', async () => {
  const e = await ok(srv, 'POST', 'identity/entity', { name: 'dana' });
  const created = await ok(srv, 'POST', 'identity/entity-alias', { name: 'dana', mount_accessor: upAcc, canonical_id: e.id, custom_metadata: { k: 'v' } });
  assert.equal(created.canonical_id, e.id);
  const alias = await ok(srv, 'GET', `identity/entity-alias/id/${created.id}`);
  assert.deepEqual([alias.mount_path, alias.mount_type, alias.name, alias.custom_metadata, alias.merged_from_canonical_ids],
    ['auth/userpass/', 'userpass', 'dana', { k: 'v' }, null]);
  assert.ok('metadata' in alias);
  await refused(srv, 'POST', 'identity/entity-alias', { name: 'dana2', mount_accessor: upAcc, canonical_id: e.id },
    'Alias already exists for requested entity and mount accessor');
  await refused(srv, 'POST', 'identity/entity-alias', { name: 'x', mount_accessor: 'auth_nope_123' }, 'invalid mount accessor "auth_nope_123"');
  await refused(srv, 'POST', 'identity/entity-alias', { name: 'x' }, "'id' or 'mount_accessor' and 'name' must be provided");
  await refused(srv, 'POST', 'identity/entity-alias', { name: 'x', mount_accessor: upAcc, canonical_id: 'nope' }, 'invalid canonical ID');
  await refused(srv, 'POST', 'identity/entity-alias', { id: 'nope', name: 'x' }, 'invalid alias ID provided');
  // A second alias on the mount, on a new entity; renaming it onto dana's name is refused.
  const second = await ok(srv, 'POST', 'identity/entity-alias', { name: 'erin', mount_accessor: upAcc });
  assert.notEqual(second.canonical_id, e.id);
  await refused(srv, 'POST', `identity/entity-alias/id/${second.id}`, { name: 'dana' }, 'alias with combination of mount accessor and name already exists');
  const read = await ok(srv, 'GET', `identity/entity/id/${e.id}`);
  assert.deepEqual(read.aliases.map((a: any) => [a.id, a.mount_type, a.mount_path]), [[created.id, 'userpass', 'auth/userpass/']]);
  const list = await ok(srv, 'LIST', 'identity/entity-alias/id');
  assert.equal(list.key_info[created.id].mount_accessor, upAcc);
  assert.equal((await srv.api('DELETE', `identity/entity-alias/id/${created.id}`)).status, 204);
  assert.equal((await srv.api('GET', `identity/entity-alias/id/${created.id}`)).status, 404);
  assert.deepEqual((await ok(srv, 'GET', `identity/entity/id/${e.id}`)).aliases, []);
});

test('an alias moves to another entity by canonical_id; a target with an alias on that mount refuses', async () => {
  const a = await ok(srv, 'POST', 'identity/entity', { name: 'mover-a' });
  const b = await ok(srv, 'POST', 'identity/entity', { name: 'mover-b' });
  const alias = await ok(srv, 'POST', 'identity/entity-alias', { name: 'mover', mount_accessor: arAcc, canonical_id: a.id });
  const moved = await ok(srv, 'POST', `identity/entity-alias/id/${alias.id}`, { canonical_id: b.id });
  assert.equal(moved.canonical_id, b.id);
  assert.equal((await ok(srv, 'POST', 'identity/lookup/entity', { alias_id: alias.id })).id, b.id);
  await ok(srv, 'POST', 'identity/entity-alias', { name: 'other', mount_accessor: arAcc, canonical_id: a.id });
  await refused(srv, 'POST', `identity/entity-alias/id/${alias.id}`, { canonical_id: a.id },
    'Alias cannot be updated as the given entity already has an alias for this mount ');
});

test('lookup/entity by id, name, alias_id and alias name + accessor; no match is 204; bad queries refused', async () => {
  const e = await ok(srv, 'POST', 'identity/entity', { name: 'lookme' });
  const alias = await ok(srv, 'POST', 'identity/entity-alias', { name: 'lookme-alias', mount_accessor: upAcc, canonical_id: e.id });
  for (const q of [{ id: e.id }, { name: 'LOOKME' }, { alias_id: alias.id }, { alias_name: 'lookme-alias', alias_mount_accessor: upAcc }]) {
    const found = await ok(srv, 'POST', 'identity/lookup/entity', q);
    assert.equal(found.id, e.id, JSON.stringify(q));
  }
  assert.equal((await srv.api('POST', 'identity/lookup/entity', { name: 'nobody' })).status, 204);
  await refused(srv, 'POST', 'identity/lookup/entity', {}, 'query parameter not supplied');
  await refused(srv, 'POST', 'identity/lookup/entity', { id: e.id, name: 'lookme' }, 'query parameter conflict; please supply distinct set of query parameters');
  await refused(srv, 'POST', 'identity/lookup/entity', { alias_name: 'lookme-alias' }, "both 'alias_name' and 'alias_mount_accessor' needs to be set");
});

test('identity/ is mounted and cannot be unmounted or mounted over', async () => {
  const mounts = await srv.api('GET', 'sys/mounts');
  assert.equal(mounts.body.data['identity/'].type, 'identity');
  assert.equal((await srv.api('DELETE', 'sys/mounts/identity')).status, 400);
  assert.equal((await srv.api('POST', 'sys/mounts/identity/x', { type: 'kv' })).status, 400);
});
