// Logins and the identity store: one entity per alias, found through the index, reused, kept
// up to date, surviving a restart; tokens carry its id; disabled and merged entities.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { enableFile, recordsFor } from '../../audit/helpers.js';
import { addUser, call, CANARY, enableAuth, loginUser, ok } from './helpers.js';

let srv: TestServer;
let dir: string;
let upAcc: string;
let arAcc: string;
before(async () => {
  srv = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'lockbox-identity-'));
  await enableFile(srv, 'file', join(dir, 'audit.log'));
  upAcc = await enableAuth(srv, 'userpass', 'userpass');
  arAcc = await enableAuth(srv, 'approle', 'approle');
});
after(async () => {
  assert.ok(!srv.log().includes(CANARY), 'a password reached the server log');
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

const entityCount = () => srv.core.unsealed.identity.state.entities.size;

test('the first login creates one entity with the alias; later logins reuse it; audit marks the first', async () => {
  await addUser(srv, 'userpass', 'alice', ['dev']);
  const first = await loginUser(srv, 'userpass', 'alice');
  assert.match(first.entity_id, /^[0-9a-f-]{36}$/);
  assert.deepEqual([first.orphan, first.mfa_requirement, first.token_type, first.num_uses], [true, null, 'service', 0]);
  assert.deepEqual(first.token_policies, ['default', 'dev']);
  assert.ok(!('identity_policies' in first), 'identity_policies omitted when empty');
  const count = entityCount();
  const second = await loginUser(srv, 'userpass', 'alice');
  assert.equal(second.entity_id, first.entity_id);
  assert.equal(entityCount(), count);
  const alias = await ok(srv, 'POST', 'identity/lookup/entity', { alias_name: 'alice', alias_mount_accessor: upAcc });
  assert.equal(alias.id, first.entity_id);
  const self = await call(srv, first.client_token, 'GET', 'auth/token/lookup-self');
  assert.equal(self.body.data.entity_id, first.entity_id);
  const logins = recordsFor(join(dir, 'audit.log'), 'auth/userpass/login/alice', 'response');
  assert.equal(logins.length, 2);
  assert.equal(logins[0].response.auth.entity_created, true);
  assert.equal(logins[1].response.auth.entity_created, undefined);
  assert.equal(logins[0].response.auth.entity_id, first.entity_id);
  // A request made with the token carries the entity in its audit entry.
  const reqs = recordsFor(join(dir, 'audit.log'), 'auth/token/lookup-self', 'request');
  assert.equal(reqs.at(-1).auth.entity_id, first.entity_id);
});

test('approle: the alias is the role_id, its metadata the token metadata, rewritten when it changes', async () => {
  await ok(srv, 'POST', 'auth/approle/role/ci', { token_policies: ['ci'] });
  const roleId = (await ok(srv, 'GET', 'auth/approle/role/ci/role-id')).role_id;
  const secret = async (metadata: Record<string, string>) =>
    (await ok(srv, 'POST', 'auth/approle/role/ci/secret-id', { metadata: JSON.stringify(metadata) })).secret_id;
  const login = async (secretId: string) => (await call(srv, '', 'POST', 'auth/approle/login', { role_id: roleId, secret_id: secretId })).body.auth;
  const a = await login(await secret({ env: 'prod' }));
  const entity = await ok(srv, 'GET', `identity/entity/id/${a.entity_id}`);
  assert.deepEqual([entity.aliases[0].name, entity.aliases[0].mount_accessor, entity.aliases[0].metadata], [roleId, arAcc, { env: 'prod', role_name: 'ci' }]);
  const b = await login(await secret({ env: 'dev' }));
  assert.equal(b.entity_id, a.entity_id);
  assert.deepEqual((await ok(srv, 'GET', `identity/entity/id/${a.entity_id}`)).aliases[0].metadata, { env: 'dev', role_name: 'ci' });
});

test('20 concurrent first logins for one alias make one entity', async () => {
  await addUser(srv, 'userpass', 'crowd');
  const before = entityCount();
  const auths = await Promise.all(Array.from({ length: 20 }, () => loginUser(srv, 'userpass', 'crowd')));
  assert.equal(new Set(auths.map((a) => a.entity_id)).size, 1);
  assert.equal(entityCount(), before + 1);
});

test('a pre-created entity alias is the one a login uses', async () => {
  const e = await ok(srv, 'POST', 'identity/entity', { name: 'pre', policies: ['pre-p'] });
  await ok(srv, 'POST', 'identity/entity-alias', { name: 'precreated', mount_accessor: upAcc, canonical_id: e.id });
  await addUser(srv, 'userpass', 'precreated');
  const auth = await loginUser(srv, 'userpass', 'precreated');
  assert.equal(auth.entity_id, e.id);
  assert.deepEqual(auth.identity_policies, ['pre-p']);
  assert.deepEqual(auth.policies, ['default', 'pre-p']);
  const self = (await call(srv, auth.client_token, 'GET', 'auth/token/lookup-self')).body.data;
  assert.deepEqual([self.entity_id, self.identity_policies, self.policies], [e.id, ['pre-p'], ['default']]);
});

test('group policies reach tokens already issued; a disabled entity gets 403 and is not revoked', async () => {
  await addUser(srv, 'userpass', 'gina');
  const auth = await loginUser(srv, 'userpass', 'gina');
  await ok(srv, 'PUT', 'sys/policies/acl/reader', { policy: 'path "secret/data/shared" { capabilities = ["read"] }' });
  await ok(srv, 'POST', 'secret/data/shared', { data: { v: 1 } });
  assert.equal((await call(srv, auth.client_token, 'GET', 'secret/data/shared')).status, 403);
  await ok(srv, 'POST', 'identity/group', { name: 'readers', policies: ['reader'], member_entity_ids: [auth.entity_id] });
  assert.equal((await call(srv, auth.client_token, 'GET', 'secret/data/shared')).status, 200);
  await ok(srv, 'POST', `identity/entity/id/${auth.entity_id}`, { disabled: true });
  const refused = await call(srv, auth.client_token, 'GET', 'auth/token/lookup-self');
  assert.deepEqual([refused.status, refused.body.errors], [403, ['permission denied']]);
  assert.equal((await call(srv, '', 'POST', 'auth/userpass/login/gina', { password: CANARY })).status, 403);
  await ok(srv, 'POST', `identity/entity/id/${auth.entity_id}`, { disabled: false });
  assert.equal((await call(srv, auth.client_token, 'GET', 'auth/token/lookup-self')).status, 200);
});

test('child tokens inherit the entity; orphans and root-made tokens have none', async () => {
  await ok(srv, 'PUT', 'sys/policies/acl/creator', { policy: 'path "auth/token/create*" { capabilities = ["update"] }' });
  await addUser(srv, 'userpass', 'parent-user', ['creator']);
  const auth = await loginUser(srv, 'userpass', 'parent-user');
  const child = (await call(srv, auth.client_token, 'POST', 'auth/token/create', {})).body.auth;
  assert.equal(child.entity_id, auth.entity_id);
  assert.equal((await call(srv, child.client_token, 'GET', 'auth/token/lookup-self')).body.data.entity_id, auth.entity_id);
  const orphan = (await call(srv, auth.client_token, 'POST', 'auth/token/create-orphan', {})).body.auth;
  assert.equal(orphan.entity_id, '');
  const rootMade = (await srv.api('POST', 'auth/token/create', { policies: ['default'] })).body.auth;
  assert.equal(rootMade.entity_id, '');
});

test('merge: aliases move, merged ids recorded, old tokens resolve to the survivor; clashes refused', async () => {
  await addUser(srv, 'userpass', 'm-one');
  await addUser(srv, 'userpass', 'm-two');
  const one = await loginUser(srv, 'userpass', 'm-one');
  const two = await loginUser(srv, 'userpass', 'm-two');
  const clash = await srv.api('POST', 'identity/entity/merge', { from_entity_ids: [two.entity_id], to_entity_id: one.entity_id });
  assert.equal(clash.status, 400);
  assert.match(clash.body.errors[0], /^2 errors occurred:\n\t\* toEntity and at least one fromEntity have aliases with the same mount accessor/);
  const errors = [
    [{ to_entity_id: one.entity_id }, 'missing entity ids to merge from'],
    [{ from_entity_ids: [two.entity_id] }, 'missing entity id to merge to'],
    [{ from_entity_ids: [two.entity_id], to_entity_id: 'nope' }, 'entity id to merge to is invalid'],
    [{ from_entity_ids: ['nope'], to_entity_id: one.entity_id }, 'entity id to merge from is invalid'],
    [{ from_entity_ids: [one.entity_id], to_entity_id: one.entity_id }, 'to_entity_id should not be present in from_entity_ids'],
  ] as const;
  for (const [body, text] of errors) {
    const r = await srv.api('POST', 'identity/entity/merge', body);
    assert.deepEqual([r.status, r.body.errors], [400, [text]]);
  }
  const twoAlias = (await ok(srv, 'GET', `identity/entity/id/${two.entity_id}`)).aliases[0].id;
  assert.equal((await srv.api('POST', 'identity/entity/merge', {
    from_entity_ids: [two.entity_id], to_entity_id: one.entity_id, conflicting_alias_ids_to_keep: [twoAlias],
  })).status, 204);
  const survivor = await ok(srv, 'GET', `identity/entity/id/${one.entity_id}`);
  assert.deepEqual(survivor.merged_entity_ids, [two.entity_id]);
  assert.deepEqual(survivor.aliases.map((a: any) => [a.id, a.merged_from_canonical_ids]), [[twoAlias, [two.entity_id]]]);
  assert.equal((await srv.api('GET', `identity/entity/id/${two.entity_id}`)).status, 404);
  // The merged-away entity's token still works and now acts as the survivor.
  assert.equal((await call(srv, two.client_token, 'GET', 'auth/token/lookup-self')).status, 200);
  assert.equal(srv.core.unsealed.identity.forToken(two.entity_id)?.entityId, one.entity_id);
  assert.equal((await loginUser(srv, 'userpass', 'm-two')).entity_id, one.entity_id);
});

test('entities, aliases, groups and merges survive a restart (SQLite)', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lockbox-identity-db-'));
  try {
    const storage = { type: 'sqlite' as const, path: join(tmp, 'db.sqlite') };
    const first = await startTestServer({ dev: false, storage });
    const init = await first.core.initialize(1, 1);
    await first.core.seal.unseal(init.keys[0]!);
    first.useToken(init.rootToken);
    await enableAuth(first, 'userpass', 'userpass');
    await addUser(first, 'userpass', 'rita');
    const auth = await loginUser(first, 'userpass', 'rita');
    const group = await ok(first, 'POST', 'identity/group', { name: 'kept', policies: ['kept-p'], member_entity_ids: [auth.entity_id] });
    await first.close();
    const second = await startTestServer({ dev: false, storage });
    await second.core.seal.unseal(init.keys[0]!);
    second.useToken(init.rootToken);
    assert.equal((await loginUser(second, 'userpass', 'rita')).entity_id, auth.entity_id);
    assert.equal(second.core.unsealed.identity.state.entities.size, 1);
    assert.deepEqual((await ok(second, 'GET', `identity/entity/id/${auth.entity_id}`)).direct_group_ids, [group.id]);
    assert.deepEqual((await call(second, auth.client_token, 'GET', 'auth/token/lookup-self')).body.data.entity_id, auth.entity_id);
    await second.close();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
