// Finding "token role restrictions are stored but not enforced": every field a token role
// accepts shapes or restricts what auth/token/create/:role issues, as in Vault; what cannot be
// enforced is refused with a 400 and never stored.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(() => srv.close());

async function as(token: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${srv.url}/v1/${path}`, { method, headers: { 'X-Vault-Token': token }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}
const role = async (name: string, body: Record<string, unknown>) => {
  const r = await srv.api('POST', `auth/token/roles/${name}`, body);
  assert.equal(r.status, 204, JSON.stringify(r.body));
};
const errorOf = async (path: string, body: Record<string, unknown>) => {
  const r = await srv.api('POST', path, body);
  assert.equal(r.status, 400, JSON.stringify(r.body));
  return r.body.errors[0];
};

test('token role restrictions: allowed_policies_glob admits matching policies and refuses others with Vault\'s text', async () => {
  await role('globbed', { allowed_policies: ['base'], allowed_policies_glob: ['app-*'] });
  const ok = await srv.api('POST', 'auth/token/create/globbed', { policies: ['app-web', 'base'] });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(ok.body.auth.policies, ['app-web', 'base', 'default']);
  assert.equal(await errorOf('auth/token/create/globbed', { policies: ['ops'] }),
    'token policies (["default" "ops"]) must be subset of the role\'s allowed policies (["base" "default"]) or glob policies (["app-*"])');
});

test('token role restrictions: disallowed_policies and disallowed_policies_glob refuse with Vault\'s text', async () => {
  await role('guarded', { disallowed_policies: ['admin'], disallowed_policies_glob: ['root-*'] });
  assert.equal(await errorOf('auth/token/create/guarded', { policies: ['admin'] }), 'token policy "admin" is disallowed by this role');
  assert.equal(await errorOf('auth/token/create/guarded', { policies: ['root-ish', 'x'] }), 'token policy "root-ish" is disallowed by this role');
  assert.equal((await srv.api('POST', 'auth/token/create/guarded', { policies: ['x'] })).status, 200);
});

test('token role restrictions: token_bound_cidrs refuse every request from outside, not only at creation', async () => {
  await role('far', { token_bound_cidrs: ['10.0.0.0/8'] });
  await role('near', { token_bound_cidrs: '127.0.0.1/32, ::1/128' });
  const far = await srv.api('POST', 'auth/token/create/far', { policies: ['default'] });
  assert.equal(far.status, 200);
  assert.equal((await as(far.body.auth.client_token, 'GET', 'auth/token/lookup-self')).status, 403);
  const near = await srv.api('POST', 'auth/token/create/near', { policies: ['default'] });
  const look = await as(near.body.auth.client_token, 'GET', 'auth/token/lookup-self');
  assert.equal(look.status, 200);
  assert.deepEqual(look.body.data.bound_cidrs, ['127.0.0.1/32', '::1/128']);
  assert.match(await errorOf('auth/token/roles/bad-cidr', { token_bound_cidrs: ['10.0.0.0/33'] }), /token_bound_cidrs/);
  assert.equal((await srv.api('GET', 'auth/token/roles/bad-cidr')).status, 404);
});

test('token role restrictions: token_type is validated and a service role issues service tokens', async () => {
  assert.equal(await errorOf('auth/token/roles/bad-type', { token_type: 'bogus' }), 'invalid \'token_type\' value "bogus"');
  await role('svc', { token_type: 'service' });
  const r = await srv.api('POST', 'auth/token/create/svc', { type: 'batch' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.auth.token_type, 'service');
  const read = await srv.api('GET', 'auth/token/roles/svc');
  assert.equal(read.body.data.token_type, 'service');
});

test('token role restrictions: path_suffix goes into the token\'s path; ".." is refused', async () => {
  await role('versioned', { path_suffix: 'rev1' });
  const r = await srv.api('POST', 'auth/token/create/versioned', {});
  const look = await srv.api('POST', 'auth/token/lookup', { token: r.body.auth.client_token });
  assert.equal(look.body.data.path, 'auth/token/create/versioned/rev1');
  assert.match(await errorOf('auth/token/roles/climb', { path_suffix: 'a/../b' }), /path suffix/);
});

test('token role restrictions: entity_alias puts the token under the alias\'s entity on the token mount', async () => {
  await role('aliased', { allowed_entity_aliases: ['Bob', 'svc-*', 'bob'] });
  assert.deepEqual((await srv.api('GET', 'auth/token/roles/aliased')).body.data.allowed_entity_aliases, ['bob', 'svc-*']);
  const accessor = (await srv.api('GET', 'sys/auth')).body.data['token/'].accessor as string;
  const first = await srv.api('POST', 'auth/token/create/aliased', { entity_alias: 'BOB' });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const entityId = first.body.auth.entity_id as string;
  assert.notEqual(entityId, '');
  // The alias keeps the case it was given and lives on the token mount.
  const entity = (await srv.api('GET', `identity/entity/id/${entityId}`)).body.data;
  assert.deepEqual(entity.aliases.map((a: { name: string; mount_accessor: string }) => [a.name, a.mount_accessor]), [['BOB', accessor]]);
  const again = await srv.api('POST', 'auth/token/create/aliased', { entity_alias: 'svc-web' });
  assert.notEqual(again.body.auth.entity_id, entityId);
  // The alias is found again, not duplicated; a child token of an aliased one inherits the entity.
  const reused = await srv.api('POST', 'auth/token/create/aliased', { entity_alias: 'BOB' });
  assert.equal(reused.body.auth.entity_id, entityId);
  const child = await as(reused.body.auth.client_token, 'POST', 'auth/token/create', {});
  assert.equal(child.body.auth.entity_id, entityId);
  // The entity's policies reach the token.
  await srv.api('POST', `identity/entity/id/${entityId}`, { policies: ['from-entity'] });
  const look = await as(reused.body.auth.client_token, 'GET', 'auth/token/lookup-self');
  assert.equal(look.body.data.entity_id, entityId);
  assert.deepEqual(look.body.data.identity_policies, ['from-entity']);
  // Vault's refusals: no role, a name the role does not allow, a disabled entity.
  assert.equal(await errorOf('auth/token/create', { entity_alias: 'bob' }), '\'entity_alias\' is only allowed in combination with token role');
  await role('plain', {});
  assert.equal(await errorOf('auth/token/create/plain', { entity_alias: 'bob' }), "invalid 'entity_alias' value");
  assert.equal(await errorOf('auth/token/create/aliased', { entity_alias: 'alice' }), "invalid 'entity_alias' value");
  await srv.api('POST', `identity/entity/id/${entityId}`, { disabled: true });
  const refused = await srv.api('POST', 'auth/token/create/aliased', { entity_alias: 'BOB' });
  assert.equal(refused.status, 403);
  assert.deepEqual(refused.body.errors, ['entity from given entity alias is disabled']);
});

test('token role restrictions: TTL, period, uses and renewable fields shape the token (the lesser of role and request)', async () => {
  await role('shaped', { token_explicit_max_ttl: '2h', token_period: '', token_num_uses: 5, renewable: false });
  const r = await srv.api('POST', 'auth/token/create/shaped', { explicit_max_ttl: '3h', num_uses: 3, ttl: '4h' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const look = await srv.api('POST', 'auth/token/lookup', { token: r.body.auth.client_token });
  assert.equal(look.body.data.explicit_max_ttl, 7200);
  assert.equal(look.body.data.num_uses, 3);
  assert.equal(look.body.data.renewable, false);
  assert.equal(look.body.data.ttl, 7200);
  await role('periodic', { token_period: '10m' });
  const p = await srv.api('POST', 'auth/token/create/periodic', { period: '20m' });
  assert.equal(p.body.auth.lease_duration, 600);
  assert.ok(p.body.warnings.some((w: string) => w.includes('using the lesser value of 600 seconds')));
});

test('token role restrictions: token_ttl is not a token-role field in Vault: warned about, never stored', async () => {
  const r = await srv.api('POST', 'auth/token/roles/ttl-less', { token_ttl: '1h' });
  assert.equal(r.status, 200);
  assert.match(r.body.warnings[0], /token_ttl/);
  assert.equal('token_ttl' in (await srv.api('GET', 'auth/token/roles/ttl-less')).body.data, false);
});
