// node-vault's token helpers against Lockbox: create (child, orphan, against a role), look up
// (by token, accessor, self), renew (by token, self), revoke (by token, accessor, orphan,
// self), list accessors (sent as a LIST request) and token roles.
//
// node-vault's tokenCreate*, tokenRenew* and login helpers are "token sources": on success
// the client switches to the token in `auth.client_token`. Each test below therefore uses a
// client of its own for the token it means to act as. node-vault validates arguments against
// its own JSON schemas before sending: `ttl` and `explicit_max_ttl` must be strings there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { failure, vaultClient } from './client.js';

let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(() => srv.close());

const root = () => vaultClient(srv.url, srv.rootToken);

test('tokenCreate answers an auth block with Vault\'s types, and the client switches to the new token', async () => {
  const vault = root();
  const created = await vault.tokenCreate({ policies: ['default'], ttl: '1h', meta: { app: 'billing' }, display_name: 'billing app!' });
  const auth = created.auth;
  assert.match(auth.client_token, /^hvs\./);
  assert.equal(typeof auth.accessor, 'string');
  assert.deepEqual(auth.policies, ['default']);
  assert.deepEqual(auth.token_policies, ['default']);
  assert.deepEqual(auth.metadata, { app: 'billing' });
  assert.equal(auth.lease_duration, 3600);
  assert.equal(auth.renewable, true);
  assert.equal(auth.orphan, false);
  assert.equal(auth.token_type, 'service');
  assert.equal(created.data, null);
  assert.equal(created.lease_id, '');
  // node-vault adopted the new token.
  assert.equal(vault.token, auth.client_token);
  const self = await vault.tokenLookupSelf();
  // Vault prefixes `token-` and turns anything but [a-zA-Z0-9-] into '-' (one trailing '-' dropped).
  assert.equal(self.data.display_name, 'token-billing-app');
  assert.deepEqual(self.data.meta, { app: 'billing' });
  assert.equal(self.data.path, 'auth/token/create');
});

test('tokenLookup, tokenLookupAccessor and tokenLookupSelf show the fields apps read', async () => {
  const { auth } = await root().tokenCreate({ policies: ['default'], ttl: '600s', num_uses: 5 });
  const vault = root();
  const byToken = await vault.tokenLookup({ token: auth.client_token });
  assert.equal(byToken.data.id, auth.client_token);
  assert.equal(byToken.data.accessor, auth.accessor);
  assert.deepEqual(byToken.data.policies, ['default']);
  assert.equal(byToken.data.num_uses, 5);
  assert.ok(byToken.data.ttl > 590 && byToken.data.ttl <= 600);
  assert.equal(byToken.data.creation_ttl, 600);
  assert.equal(typeof byToken.data.expire_time, 'string');
  assert.equal(byToken.data.renewable, true);

  const byAccessor = await vault.tokenLookupAccessor({ accessor: auth.accessor });
  assert.equal(byAccessor.data.id, '', 'an accessor lookup never reveals the token');
  assert.equal(byAccessor.data.accessor, auth.accessor);

  const rootSelf = await vault.tokenLookupSelf();
  assert.deepEqual(rootSelf.data.policies, ['root']);
  assert.equal(rootSelf.data.expire_time, null);
  assert.equal(rootSelf.data.ttl, 0);
  // tokenLookup with an empty token looks up the caller, as Vault does.
  assert.equal((await vault.tokenLookup({ token: '' })).data.id, srv.rootToken);

  // Vault answers a lookup of an unknown token with 403 "bad token".
  const bad = await failure(vault.tokenLookup({ token: 'hvs.not-a-token' }));
  assert.deepEqual([bad.response.statusCode, bad.message], [403, 'bad token']);
  // An unknown token on the header is a 403 "permission denied", never a 401.
  const stranger = await failure(vaultClient(srv.url, 'hvs.not-a-token').tokenLookupSelf());
  assert.equal(stranger.response.statusCode, 403);
  assert.equal(stranger.message, 'permission denied');
});

test('tokenRenew and tokenRenewSelf answer an auth block; increment caps at the token\'s maximum', async () => {
  const { auth } = await root().tokenCreate({ policies: ['default'], ttl: '300s', explicit_max_ttl: '1h' });
  const renewed = await root().tokenRenew({ token: auth.client_token, increment: 1200 });
  assert.equal(renewed.auth.client_token, auth.client_token);
  assert.equal(renewed.auth.accessor, auth.accessor);
  assert.equal(renewed.auth.lease_duration, 1200);
  assert.equal(renewed.auth.renewable, true);

  const self = vaultClient(srv.url, auth.client_token);
  const again = await self.tokenRenewSelf({ increment: '2h' });
  // Capped by explicit_max_ttl (Vault warns about it).
  assert.ok(again.auth.lease_duration <= 3600 && again.auth.lease_duration > 3590);
  assert.ok(Array.isArray(again.warnings) && again.warnings.length === 1, JSON.stringify(again.warnings));
  assert.equal(self.token, auth.client_token);

  const root2 = await failure(root().tokenRenewSelf({}));
  assert.equal(root2.response.statusCode, 400, 'a root token with no TTL cannot be renewed');
});

test('tokenRevoke, tokenRevokeAccessor, tokenRevokeOrphan and tokenRevokeSelf', async () => {
  // Parents need a policy that lets them create children; `default` does not.
  await root().addPolicy({ name: 'token-parent', rules: 'path "auth/token/create" { capabilities = ["update"] }' });
  const make = async () => (await root().tokenCreate({ policies: ['token-parent'] })).auth;
  const a = await make();
  // A 204 resolves with axios' empty body.
  assert.equal(await root().tokenRevoke({ token: a.client_token }), '');
  assert.equal((await failure(root().tokenLookup({ token: a.client_token }))).response.statusCode, 403);
  // Revoking is idempotent in Vault: an unknown or already revoked token is a 204 too.
  assert.equal(await root().tokenRevoke({ token: a.client_token }), '');
  // Renewing or orphan-revoking one is a 400 with Vault's messages.
  const renew = await failure(root().tokenRenew({ token: a.client_token }));
  assert.deepEqual([renew.response.statusCode, renew.message], [400, 'token not found']);
  const orphanGone = await failure(root().tokenRevokeOrphan({ token: a.client_token }));
  assert.deepEqual([orphanGone.response.statusCode, orphanGone.message], [400, 'token to revoke not found']);

  const b = await make();
  await root().tokenRevokeAccessor({ accessor: b.accessor });
  assert.equal((await failure(vaultClient(srv.url, b.client_token).tokenLookupSelf())).response.statusCode, 403);

  // A parent revoked with revoke-orphan leaves its child alive, now an orphan.
  const parent = await make();
  const child = (await vaultClient(srv.url, parent.client_token).tokenCreate({})).auth;
  assert.equal(child.orphan, false);
  await root().tokenRevokeOrphan({ token: parent.client_token });
  const orphaned = await vaultClient(srv.url, child.client_token).tokenLookupSelf();
  assert.equal(orphaned.data.orphan, true);

  // Revoking the parent normally takes its children with it.
  const p2 = await make();
  const c2 = (await vaultClient(srv.url, p2.client_token).tokenCreate({})).auth;
  assert.deepEqual(c2.policies, ['default', 'token-parent'], 'a child inherits its parent\'s policies');
  await vaultClient(srv.url, p2.client_token).tokenRevokeSelf();
  assert.equal((await failure(vaultClient(srv.url, c2.client_token).tokenLookupSelf())).response.statusCode, 403);

  const orphan = (await root().tokenCreateOrphan({ policies: ['default'] })).auth;
  assert.equal(orphan.orphan, true);
});

test('creating a token with a policy that does not exist works, with Vault\'s warning', async () => {
  const created = await root().tokenCreate({ policies: ['not-written-yet'] });
  assert.deepEqual(created.auth.policies, ['default', 'not-written-yet']);
  assert.deepEqual(created.warnings, ['Policy "not-written-yet" does not exist']);
});

test('tokenAccessors lists accessors with the LIST method (sudo on auth/token/accessors)', async () => {
  const { auth } = await root().tokenCreate({ policies: ['default'] });
  const listed = await root().tokenAccessors();
  assert.ok(Array.isArray(listed.data.keys));
  assert.ok(listed.data.keys.includes(auth.accessor));
  // The default policy does not grant sudo there.
  const denied = await failure(vaultClient(srv.url, auth.client_token).tokenAccessors());
  assert.equal(denied.response.statusCode, 403);
});

test('token roles: addTokenRole, getTokenRole, tokenRoles (GET ?list=true), tokenCreateRole, removeTokenRole', async () => {
  const vault = root();
  await vault.addTokenRole({ role_name: 'ci', allowed_policies: 'default,ci', orphan: true, period: 3600, renewable: true });
  const role = await vault.getTokenRole({ role_name: 'ci' });
  assert.deepEqual(role.data.allowed_policies, ['ci', 'default']);
  assert.equal(role.data.orphan, true);
  assert.equal(role.data.period, 3600);
  assert.equal(role.data.token_period, 3600);
  assert.deepEqual((await vault.tokenRoles()).data.keys, ['ci']);

  const created = await root().tokenCreateRole({ role_name: 'ci', policies: ['ci'] });
  assert.deepEqual(created.auth.policies, ['ci', 'default']);
  assert.equal(created.auth.orphan, true);
  assert.equal(created.auth.lease_duration, 3600);
  const look = await root().tokenLookup({ token: created.auth.client_token });
  assert.equal(look.data.role, 'ci');
  assert.equal(look.data.period, 3600);
  assert.equal(look.data.path, 'auth/token/create/ci');

  await vault.removeTokenRole({ role_name: 'ci' });
  const gone = await failure(vault.getTokenRole({ role_name: 'ci' }));
  assert.deepEqual([gone.response.statusCode, gone.response.body], [404, { errors: [] }]);
  // Listing an empty folder is a 404 too, as in Vault.
  assert.equal((await failure(vault.tokenRoles())).response.statusCode, 404);
});
