// identity/group*, identity/group-alias* and identity/lookup/group over HTTP, errors included.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { enableAuth, ok, refused } from './helpers.js';

let srv: TestServer;
let acc: string;
before(async () => {
  srv = await startTestServer();
  acc = await enableAuth(srv, 'userpass', 'userpass');
});
after(() => srv.close());

test('an internal group: created (200 id/name), read with Vault fields, updated (204), members checked', async () => {
  const e = await ok(srv, 'POST', 'identity/entity', { name: 'g-member' });
  const g = await ok(srv, 'POST', 'identity/group', { name: 'eng', policies: ['eng'], member_entity_ids: [e.id] });
  assert.equal(g.name, 'eng');
  const read = await ok(srv, 'GET', `identity/group/id/${g.id}`);
  for (const k of ['alias', 'modify_index', 'parent_group_ids', 'member_group_ids', 'member_entity_ids', 'type', 'policies', 'metadata']) assert.ok(k in read, k);
  assert.deepEqual([read.type, read.member_entity_ids, read.alias], ['internal', [e.id], {}]);
  assert.equal((await srv.api('POST', 'identity/group/name/eng', { metadata: { a: 'b' } })).status, 204);
  const again = await ok(srv, 'GET', 'identity/group/name/ENG');
  assert.ok(again.modify_index > read.modify_index);
  assert.deepEqual((await ok(srv, 'GET', `identity/entity/id/${e.id}`)).direct_group_ids, [g.id]);
  await refused(srv, 'POST', 'identity/group', { name: 'bad', member_entity_ids: ['nope'] }, 'invalid entity ID "nope"');
  await refused(srv, 'POST', `identity/group/id/${g.id}`, { type: 'external' }, 'group type cannot be changed');
  await refused(srv, 'POST', 'identity/group', { name: 'weird', type: 'odd' }, 'invalid group type "odd"');
  await refused(srv, 'POST', 'identity/group', { name: 'r', policies: ['root'] }, 'policies cannot contain root');
  await refused(srv, 'POST', 'identity/group/id/nope', { name: 'x' }, 'invalid group ID');
  const other = await ok(srv, 'POST', 'identity/group', { name: 'other-g' });
  await refused(srv, 'POST', `identity/group/id/${other.id}`, { name: 'eng' }, 'group name is already in use');
});

test('nested groups pass policies down to members; cycles and self-membership are refused', async () => {
  const e = await ok(srv, 'POST', 'identity/entity', { name: 'nested-member', policies: ['own'] });
  const child = await ok(srv, 'POST', 'identity/group', { name: 'child', policies: ['child-p'], member_entity_ids: [e.id] });
  const parent = await ok(srv, 'POST', 'identity/group', { name: 'parent', policies: ['parent-p'], member_group_ids: [child.id] });
  const top = await ok(srv, 'POST', 'identity/group', { name: 'top', policies: ['top-p'], member_group_ids: [parent.id] });
  const read = await ok(srv, 'GET', `identity/entity/id/${e.id}`);
  assert.deepEqual(read.direct_group_ids, [child.id]);
  assert.deepEqual(read.inherited_group_ids.sort(), [parent.id, top.id].sort());
  assert.deepEqual((await ok(srv, 'GET', `identity/group/id/${child.id}`)).parent_group_ids, [parent.id]);
  assert.deepEqual((await ok(srv, 'GET', `identity/group/id/${parent.id}`)).member_group_ids, [child.id]);
  assert.deepEqual(srv.core.unsealed.identity.forToken(e.id)?.policies, ['child-p', 'own', 'parent-p', 'top-p']);
  await refused(srv, 'POST', `identity/group/id/${child.id}`, { member_group_ids: [top.id] }, `cyclic relationship detected for member group ID "${top.id}"`);
  await refused(srv, 'POST', `identity/group/id/${child.id}`, { member_group_ids: [child.id] }, `member group ID "${child.id}" is same as the ID of the group`);
  await refused(srv, 'POST', `identity/group/id/${child.id}`, { member_group_ids: ['nope'] }, 'invalid member group ID "nope"');
  // Dropping a member group takes its policies away from its members.
  assert.equal((await srv.api('POST', `identity/group/id/${parent.id}`, { member_group_ids: [] })).status, 204);
  assert.deepEqual(srv.core.unsealed.identity.forToken(e.id)?.policies, ['child-p', 'own']);
});

test('external groups: no manual members; aliases only on external groups; group-alias CRUD and lookup', async () => {
  const ext = await ok(srv, 'POST', 'identity/group', { name: 'ext', type: 'external', policies: ['ext-p'] });
  await refused(srv, 'POST', `identity/group/id/${ext.id}`, { member_entity_ids: [] }, "member entities can't be set manually for external groups");
  await refused(srv, 'POST', `identity/group/id/${ext.id}`, { member_group_ids: [] }, "member groups can't be set for external groups");
  const internal = await ok(srv, 'POST', 'identity/group', { name: 'int' });
  await refused(srv, 'POST', 'identity/group-alias', { name: 'devs', mount_accessor: acc, canonical_id: internal.id }, "alias can't be set on an internal group");
  await refused(srv, 'POST', 'identity/group-alias', { name: 'devs', mount_accessor: 'nope', canonical_id: ext.id }, 'invalid mount accessor "nope"');
  await refused(srv, 'POST', 'identity/group-alias', { mount_accessor: acc }, 'missing alias name');
  await refused(srv, 'POST', 'identity/group-alias', { name: 'devs' }, 'missing mount_accessor');
  await refused(srv, 'POST', 'identity/group-alias', { name: 'devs', mount_accessor: acc, canonical_id: 'nope' }, "invalid group ID given in 'canonical_id'");
  const alias = await ok(srv, 'POST', 'identity/group-alias', { name: 'devs', mount_accessor: acc, canonical_id: ext.id });
  assert.equal(alias.canonical_id, ext.id);
  await refused(srv, 'POST', 'identity/group-alias', { name: 'devs', mount_accessor: acc }, 'combination of mount and group alias name is already in use');
  const read = await ok(srv, 'GET', `identity/group-alias/id/${alias.id}`);
  assert.deepEqual([read.name, read.mount_path, read.mount_type, read.canonical_id], ['devs', 'auth/userpass/', 'userpass', ext.id]);
  assert.equal((await ok(srv, 'GET', `identity/group/id/${ext.id}`)).alias.id, alias.id);
  for (const q of [{ id: ext.id }, { name: 'ext' }, { alias_id: alias.id }, { alias_name: 'devs', alias_mount_accessor: acc }]) {
    assert.equal((await ok(srv, 'POST', 'identity/lookup/group', q)).id, ext.id, JSON.stringify(q));
  }
  assert.equal((await srv.api('POST', 'identity/lookup/group', { name: 'none' })).status, 204);
  assert.ok((await ok(srv, 'LIST', 'identity/group-alias/id')).keys.includes(alias.id));
  assert.ok((await ok(srv, 'LIST', 'identity/group/name')).keys.includes('ext'));
  assert.equal((await srv.api('DELETE', `identity/group-alias/id/${alias.id}`)).status, 204);
  assert.deepEqual((await ok(srv, 'GET', `identity/group/id/${ext.id}`)).alias, {});
  assert.equal((await srv.api('DELETE', 'identity/group/name/ext')).status, 204);
  assert.equal((await srv.api('GET', `identity/group/id/${ext.id}`)).status, 404);
});
