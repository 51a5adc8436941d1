// auth/token/*: creation rules, lookups, renewal, revocation of trees, orphans, use counts and
// expiry — over HTTP, with time moved by a manual clock.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/util/clock.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

const clock = new ManualClock();
let srv: TestServer;

before(async () => {
  srv = await startTestServer({ clock });
  const policy = `
    path "secret/*" { capabilities = ["read", "list"] }
    path "auth/token/create*" { capabilities = ["update"] }`;
  assert.equal((await srv.api('PUT', 'sys/policies/acl/reader', { policy })).status, 204);
});
after(() => srv.close());

/** Creates a token with the root token and returns its auth block. */
async function create(body: Record<string, unknown> = {}, path = 'auth/token/create') {
  const r = await srv.api('POST', path, body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.auth;
}

/** Calls the API with another token. */
async function as(token: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${srv.url}/v1/${path}`, {
    method, headers: { 'X-Vault-Token': token }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

test('create answers Vault\'s auth block with integer TTLs and default added to policies', async () => {
  const auth = await create({ policies: ['reader'], ttl: '1h', meta: { team: 'a' }, display_name: 'ci' });
  assert.match(auth.client_token, /^hvs\./);
  assert.deepEqual(auth.policies, ['default', 'reader']);
  assert.deepEqual(auth.token_policies, ['default', 'reader']);
  assert.deepEqual(auth.metadata, { team: 'a' });
  assert.equal(auth.lease_duration, 3600);
  assert.equal(auth.renewable, true);
  assert.equal(auth.orphan, false);
  assert.equal(auth.token_type, 'service');
  const look = await as(auth.client_token, 'GET', 'auth/token/lookup-self');
  assert.equal(look.status, 200);
  assert.equal(look.body.data.display_name, 'token-ci');
  assert.equal(look.body.data.ttl, 3600);
  assert.equal(look.body.data.creation_ttl, 3600);
  assert.equal(look.body.data.expire_time, new Date(clock.now() + 3600_000).toISOString());
  assert.equal(look.body.data.id, auth.client_token);
  assert.equal('last_renewal' in look.body.data, false, 'Vault shows last_renewal only once renewed');
});

test('Terraform\'s child token create: type "", entity_alias "", ttl "1200s" inherits the parent\'s policies', async () => {
  const parent = await create({ policies: ['reader'] });
  const r = await as(parent.client_token, 'POST', 'auth/token/create', { type: '', entity_alias: '', ttl: '1200s', no_parent: false });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.auth.policies, ['default', 'reader']);
  assert.equal(r.body.auth.lease_duration, 1200);
});

test('a child may not get policies its parent lacks; orphans need sudo', async () => {
  const parent = await create({ policies: ['reader'] });
  const more = await as(parent.client_token, 'POST', 'auth/token/create', { policies: ['admin'] });
  assert.deepEqual([more.status, more.body.errors], [400, ['child policies must be subset of parent']]);
  const orphan = await as(parent.client_token, 'POST', 'auth/token/create', { no_parent: true });
  assert.equal(orphan.status, 400);
});

test('lookup, lookup-accessor (no id) and capabilities-accessor', async () => {
  const t = await create({ policies: ['reader'] });
  const byToken = await srv.api('POST', 'auth/token/lookup', { token: t.client_token });
  assert.equal(byToken.body.data.accessor, t.accessor);
  const byAccessor = await srv.api('POST', 'auth/token/lookup-accessor', { accessor: t.accessor });
  assert.equal(byAccessor.body.data.id, '');
  assert.deepEqual(byAccessor.body.data.policies, ['default', 'reader']);
  const caps = await srv.api('POST', 'sys/capabilities-accessor', { accessor: t.accessor, paths: ['secret/x', 'sys/mounts'] });
  assert.deepEqual(caps.body.data['secret/x'], ['list', 'read']);
  assert.deepEqual(caps.body.data['sys/mounts'], ['deny']);
});

test('revoking a parent revokes its children; an orphan survives; revoke-orphan keeps children', async () => {
  const parent = await create({ policies: ['reader'] });
  const child = (await as(parent.client_token, 'POST', 'auth/token/create', {})).body.auth;
  const grandchild = (await as(child.client_token, 'POST', 'auth/token/create', {})).body.auth;
  const orphan = (await as(parent.client_token, 'POST', 'auth/token/create-orphan', {})).body.auth;
  assert.equal(orphan.orphan, true);
  assert.equal((await srv.api('POST', 'auth/token/revoke', { token: parent.client_token })).status, 204);
  for (const gone of [parent, child, grandchild]) {
    const r = await as(gone.client_token, 'GET', 'auth/token/lookup-self');
    assert.deepEqual([r.status, r.body], [403, { errors: ['permission denied'] }]);
  }
  assert.equal((await as(orphan.client_token, 'GET', 'auth/token/lookup-self')).status, 200);

  const p2 = await create({ policies: ['reader'] });
  const c2 = (await as(p2.client_token, 'POST', 'auth/token/create', {})).body.auth;
  assert.equal((await srv.api('POST', 'auth/token/revoke-orphan', { token: p2.client_token })).status, 204);
  const look = await as(c2.client_token, 'GET', 'auth/token/lookup-self');
  assert.equal(look.status, 200);
  assert.equal(look.body.data.orphan, true);
});

test('revoking a token destroys its cubbyhole', async () => {
  const t = await create({ policies: ['reader'] });
  assert.equal((await as(t.client_token, 'POST', 'cubbyhole/note', { v: 'x' })).status, 204);
  assert.equal((await as(t.client_token, 'GET', 'cubbyhole/note')).body.data.v, 'x');
  // Not even root reads another token's cubbyhole.
  assert.equal((await srv.api('GET', 'cubbyhole/note')).status, 404);
  const entry = await srv.core.unsealed.tokens.lookup(t.client_token);
  await srv.api('POST', 'auth/token/revoke-accessor', { accessor: t.accessor });
  const mount = srv.core.unsealed.mounts.get('mounts', 'cubbyhole/')!;
  assert.deepEqual(await srv.core.unsealed.mounts.viewOf(mount).list(`${entry!.id}/`), []);
});

test('an expired token is refused with 403; renew is capped by explicit_max_ttl with a warning', async () => {
  const t = await create({ policies: ['reader'], ttl: '10m', explicit_max_ttl: '15m' });
  clock.advance(5 * 60_000);
  const renewed = await as(t.client_token, 'POST', 'auth/token/renew-self', { increment: '1h' });
  assert.equal(renewed.status, 200);
  assert.equal(renewed.body.auth.lease_duration, 600);
  assert.match(renewed.body.warnings[0], /capped/);
  const zero = await as(t.client_token, 'POST', 'auth/token/renew-self', { increment: 0 });
  assert.equal(zero.body.auth.lease_duration, 600, 'increment 0 means the token\'s own TTL');
  const looked = (await as(t.client_token, 'GET', 'auth/token/lookup-self')).body.data;
  assert.equal(looked.last_renewal, new Date(clock.now()).toISOString());
  assert.equal(looked.last_renewal_time, Math.floor(clock.now() / 1000));
  clock.advance(11 * 60_000);
  const expired = await as(t.client_token, 'GET', 'auth/token/lookup-self');
  assert.deepEqual([expired.status, expired.body], [403, { errors: ['permission denied'] }]);
});

test('periodic tokens renew by their period indefinitely', async () => {
  const t = await create({ policies: ['reader'], period: '1h' });
  for (let i = 0; i < 3; i++) {
    clock.advance(50 * 60_000);
    const r = await as(t.client_token, 'POST', 'auth/token/renew-self', {});
    assert.equal(r.body.auth.lease_duration, 3600);
  }
});

test('num_uses counts down and the last use revokes the token', async () => {
  const t = await create({ policies: ['reader'], num_uses: 2 });
  assert.equal((await as(t.client_token, 'GET', 'auth/token/lookup-self')).body.data.num_uses, 1);
  assert.equal((await as(t.client_token, 'GET', 'auth/token/lookup-self')).status, 200);
  assert.equal((await as(t.client_token, 'GET', 'auth/token/lookup-self')).status, 403);
});

test('token roles shape the tokens created against them', async () => {
  assert.equal((await srv.api('POST', 'auth/token/roles/ci', { allowed_policies: ['reader'], orphan: true, token_period: '30m' })).status, 204);
  const role = await srv.api('GET', 'auth/token/roles/ci');
  assert.deepEqual(role.body.data.allowed_policies, ['reader']);
  assert.equal(role.body.data.token_period, 1800);
  const auth = await create({}, 'auth/token/create/ci');
  assert.deepEqual(auth.policies, ['default', 'reader']);
  assert.equal(auth.orphan, true);
  assert.equal(auth.lease_duration, 1800);
  const bad = await srv.api('POST', 'auth/token/create/ci', { policies: ['admin'] });
  assert.equal(bad.status, 400);
  assert.deepEqual((await srv.api('LIST', 'auth/token/roles')).body.data.keys, ['ci']);
});

test('accessors LIST needs sudo; root sees accessors', async () => {
  const t = await create({ policies: ['reader'] });
  const list = await srv.api('LIST', 'auth/token/accessors');
  assert.ok(list.body.data.keys.includes(t.accessor));
  assert.equal((await as(t.client_token, 'LIST', 'auth/token/accessors')).status, 403);
});

test('missing, unknown and garbage tokens are all 403 permission denied', async () => {
  for (const token of ['', 'hvs.nope', 'x'.repeat(500)]) {
    const r = await as(token, 'GET', 'auth/token/lookup-self');
    assert.deepEqual([r.status, r.body], [403, { errors: ['permission denied'] }]);
  }
});

test('role_name in the body of create does not create against the role (the ACL checked create only)', async () => {
  const policy = 'path "auth/token/create" { capabilities = ["update"] }';
  assert.equal((await srv.api('PUT', 'sys/policies/acl/creator', { policy })).status, 204);
  assert.equal((await srv.api('POST', 'auth/token/roles/powerful', { allowed_policies: ['admin'] })).status, 204);
  const t = await create({ policies: ['creator'] });
  const viaBody = await as(t.client_token, 'POST', 'auth/token/create', { role_name: 'powerful', policies: ['admin'] });
  assert.deepEqual([viaBody.status, viaBody.body.errors], [400, ['child policies must be subset of parent']]);
  const inherited = await as(t.client_token, 'POST', 'auth/token/create', { role_name: 'powerful' });
  assert.equal(inherited.status, 200);
  assert.deepEqual(inherited.body.auth.policies, ['creator', 'default']);
  assert.equal(inherited.body.auth.orphan, false);
  assert.equal((await as(t.client_token, 'POST', 'auth/token/create/powerful', {})).status, 403);
});

test('periodic tokens need root or sudo, and a period is capped by max_ttl; num_uses cannot be negative', async () => {
  const t = await create({ policies: ['reader'] });
  const periodic = await as(t.client_token, 'POST', 'auth/token/create', { period: '9999h' });
  assert.deepEqual([periodic.status, periodic.body.errors], [400, ['root or sudo privileges required to create periodic token']]);
  const capped = await srv.api('POST', 'auth/token/create', { policies: ['reader'], period: '9999h' });
  assert.equal(capped.status, 200);
  assert.equal(capped.body.auth.lease_duration, 768 * 3600);
  assert.match(capped.body.warnings[0], /period .* capped/);
  const negative = await as(t.client_token, 'POST', 'auth/token/create', { num_uses: -5 });
  assert.deepEqual([negative.status, negative.body.errors], [400, ['number of uses cannot be negative']]);
});

test('concurrent requests cannot share the remaining uses of a limited-use token', async () => {
  const t = await create({ policies: ['reader'], num_uses: 2 });
  const req = { id: 'r', operation: 'read' as const, path: 'auth/token/lookup-self', data: {}, query: {}, headers: {}, clientToken: t.client_token, remoteAddress: '' };
  // Straight into core, all in one turn: over HTTP the requests rarely interleave this tightly.
  const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => srv.core.handle({ ...req })));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
  assert.equal((await as(t.client_token, 'GET', 'auth/token/lookup-self')).status, 403);
});

test('the response-wrapping policy can be neither assigned nor written', async () => {
  const r = await srv.api('POST', 'auth/token/create', { policies: ['response-wrapping'] });
  assert.deepEqual([r.status, r.body.errors], [400, ['cannot assign policy "response-wrapping"']]);
  const w = await srv.api('PUT', 'sys/policies/acl/response-wrapping', { policy: 'path "*" { capabilities = ["read"] }' });
  assert.equal(w.status, 400);
});

test('a token with uses left cannot create children (it would escape its count)', async () => {
  const limited = await create({ policies: ['reader'], num_uses: 3 });
  const r = await as(limited.client_token, 'POST', 'auth/token/create', {});
  assert.deepEqual([r.status, r.body.errors], [400, ['restricted use token cannot generate child tokens']]);
});

test('children created while their parent is being revoked do not survive it', async () => {
  const parent = await create({ policies: ['reader'] });
  // Straight into core, all in one turn: over HTTP the race is too rare to show reliably.
  const request = (token: string, path: string, data: Record<string, unknown>) => srv.core.handle({
    id: 'race', operation: 'update', path, data, query: {}, headers: {}, clientToken: token, remoteAddress: '127.0.0.1',
  });
  const createChild = () => request(parent.client_token, 'auth/token/create', {}).catch(() => undefined);
  const outcomes = await Promise.all([
    ...Array.from({ length: 8 }, createChild),
    request(srv.rootToken, 'auth/token/revoke', { token: parent.client_token }),
    ...Array.from({ length: 8 }, createChild),
  ]);
  const children = outcomes.flatMap((o) => (o?.response?.auth ? [o.response.auth.client_token] : []));
  for (const child of children) {
    assert.equal(await srv.core.unsealed.tokens.lookup(child), undefined, 'a child outlived its revoked parent');
  }
});
