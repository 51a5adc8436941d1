// userpass over HTTP: users CRUD, password and policy changes, login, renewal through the user,
// timing-equal refusals and the secret canary.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/util/clock.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { AUTH_BLOCK_KEYS, assertRenewsWithCurrentTtls, call } from '../helpers.js';
import { checkPassword, hashPassword } from '../../../src/auth/userpass/password.js';

const clock = new ManualClock();
let srv: TestServer;
const PASSWORD = `pw-${Math.random().toString(36).slice(2)}`;

before(async () => {
  srv = await startTestServer({ clock });
  assert.equal((await srv.api('POST', 'sys/auth/userpass', { type: 'userpass', description: 'people' })).status, 204);
});
after(() => srv.close());

const login = (user: string, password: string) => call(srv, '', 'POST', `auth/userpass/login/${user}`, { password });

test('users are created, read without their password, listed and deleted', async () => {
  const w = await srv.api('POST', 'auth/userpass/users/Alice', { password: PASSWORD, token_policies: 'dev,ops', token_ttl: '1h' });
  assert.equal(w.status, 204, JSON.stringify(w.body));
  const r = await srv.api('GET', 'auth/userpass/users/alice');
  assert.deepEqual(r.body.data, {
    token_bound_cidrs: [], token_explicit_max_ttl: 0, token_max_ttl: 0, token_no_default_policy: false, token_num_uses: 0,
    token_period: 0, token_policies: ['dev', 'ops'], token_type: 'default', token_ttl: 3600,
  });
  assert.deepEqual((await srv.api('LIST', 'auth/userpass/users')).body.data.keys, ['alice']);
  const noPw = await srv.api('POST', 'auth/userpass/users/bob', { token_policies: 'dev' });
  assert.deepEqual(noPw.body.errors, ['missing password']);
  await srv.api('POST', 'auth/userpass/users/carol', { password: 'x' });
  assert.equal((await srv.api('DELETE', 'auth/userpass/users/carol')).status, 204);
  assert.equal((await srv.api('GET', 'auth/userpass/users/carol')).status, 404);
});

test('legacy fields are accepted and shown back as Vault does', async () => {
  await srv.api('POST', 'auth/userpass/users/legacy', { password: 'p', policies: ['old'], ttl: 120, max_ttl: '10m' });
  const r = await srv.api('GET', 'auth/userpass/users/legacy');
  assert.deepEqual(r.body.data.policies, ['old']);
  assert.deepEqual(r.body.data.token_policies, ['old']);
  assert.equal(r.body.data.ttl, 120);
  assert.equal(r.body.data.token_max_ttl, 600);
});

test('login answers Vault\'s auth block with the user\'s policies, TTL and metadata', async () => {
  const r = await login('ALICE', PASSWORD);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const auth = r.body.auth;
  assert.deepEqual(Object.keys(auth).filter((k) => k !== 'identity_policies').sort(), AUTH_BLOCK_KEYS);
  assert.deepEqual(auth.policies, ['default', 'dev', 'ops']);
  assert.deepEqual(auth.metadata, { username: 'alice' });
  assert.equal(auth.lease_duration, 3600);
  assert.equal(auth.token_type, 'service');
  const self = await call(srv, auth.client_token, 'GET', 'auth/token/lookup-self');
  assert.equal(self.body.data.display_name, 'userpass-alice');
  assert.equal(self.body.data.path, 'auth/userpass/login/ALICE', 'the login request\'s path, as sent');
});

test('a wrong password and an unknown user get the same answer', async () => {
  const wrong = await login('alice', 'nope');
  const unknown = await login('nobody', 'nope');
  assert.equal(wrong.status, 400);
  assert.deepEqual(wrong.body.errors, ['invalid username or password']);
  assert.deepEqual(unknown, wrong);
});

test('password and policy changes take effect; renewal refuses once policies changed', async () => {
  await srv.api('POST', 'auth/userpass/users/dave', { password: 'first', token_policies: 'a', token_ttl: '10m', token_max_ttl: '20m' });
  const token = (await login('dave', 'first')).body.auth.client_token as string;
  assert.equal((await srv.api('POST', 'auth/userpass/users/dave/password', { password: 'second' })).status, 204);
  assert.equal((await login('dave', 'first')).status, 400);
  assert.equal((await login('dave', 'second')).status, 200);
  clock.advance(5 * 60_000);
  const renewed = await call(srv, token, 'POST', 'auth/token/renew-self', { increment: '1h' });
  assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
  assert.equal(renewed.body.auth.lease_duration, 15 * 60, 'capped by token_max_ttl from issue');
  assert.equal((await srv.api('POST', 'auth/userpass/users/dave/policies', { token_policies: 'a,b' })).status, 204);
  assert.deepEqual((await srv.api('GET', 'auth/userpass/users/dave')).body.data.token_policies, ['a', 'b']);
  const refused = await call(srv, token, 'POST', 'auth/token/renew-self', {});
  assert.equal(refused.status, 400);
  assert.deepEqual(refused.body.errors, ['policies have changed, not renewing']);
  const missing = await srv.api('POST', 'auth/userpass/users/nobody/password', { password: 'x' });
  assert.equal(missing.status, 400);
});

test('renewal applies the user\'s current token_ttl and token_max_ttl, as Vault re-reads the user', async () => {
  assert.equal((await srv.api('POST', 'auth/userpass/users/gina', { password: 'pw', token_ttl: '10m', token_max_ttl: '1h' })).status, 204);
  const token = (await login('gina', 'pw')).body.auth.client_token as string;
  clock.advance(60_000);
  assert.equal((await srv.api('POST', 'auth/userpass/users/gina', { token_ttl: '20m', token_max_ttl: '30m' })).status, 204);
  await assertRenewsWithCurrentTtls((body) => call(srv, token, 'POST', 'auth/token/renew-self', body), 1);
  assert.equal((await srv.api('DELETE', 'auth/userpass/users/gina')).status, 204);
  const refused = await call(srv, token, 'POST', 'auth/token/renew-self', {});
  assert.deepEqual([refused.status, refused.body.errors], [400, ['user no longer exists']]);
});

test('the mount\'s tune caps the login TTL and its token_type applies', async () => {
  await srv.api('POST', 'auth/userpass/users/erin', { password: 'pw', token_ttl: '5h' });
  assert.equal((await srv.api('POST', 'sys/auth/userpass/tune', { max_lease_ttl: '2h' })).status, 204);
  const r = await login('erin', 'pw');
  assert.equal(r.body.auth.lease_duration, 7200);
  assert.match(r.body.warnings[0], /exceeded the effective max_ttl/);
  assert.equal((await srv.api('POST', 'sys/auth/userpass/tune', { token_type: 'batch' })).status, 204);
  assert.equal((await srv.api('GET', 'sys/auth/userpass/tune')).body.data.token_type, 'batch');
  const b = await login('erin', 'pw');
  assert.equal(b.body.auth.token_type, 'batch');
  assert.match(b.body.auth.client_token, /^hvb\./);
  assert.equal(b.body.auth.renewable, false);
  assert.equal(b.body.auth.accessor, '');
  const bad = await srv.api('POST', 'sys/auth/userpass/tune', { token_type: 'weird' });
  assert.deepEqual(bad.body.errors, ["invalid value for 'token_type'"]);
  const tokenStore = await srv.api('POST', 'sys/auth/token/tune', { token_type: 'batch' });
  assert.deepEqual(tokenStore.body.errors, ["'token_type' cannot be set for 'token' or 'ns_token' auth mounts"]);
  await srv.api('POST', 'sys/auth/userpass/tune', { token_type: 'default-service', max_lease_ttl: 'system' });
});

test('token_bound_cidrs refuses the login itself from elsewhere, after the password check (Vault\'s order)', async () => {
  await srv.api('POST', 'auth/userpass/users/frank', { password: 'pw', token_bound_cidrs: '10.0.0.0/8' });
  const r = await login('frank', 'pw');
  assert.equal(r.status, 403);
  assert.deepEqual(r.body.errors, ['permission denied']);
  assert.deepEqual((await login('frank', 'wrong')).body.errors, ['invalid username or password']);
  await srv.api('POST', 'auth/userpass/users/frank', { token_bound_cidrs: '127.0.0.0/8' });
  const here = await login('frank', 'pw');
  assert.equal(here.status, 200, JSON.stringify(here.body));
  assert.equal((await call(srv, here.body.auth.client_token, 'GET', 'auth/token/lookup-self')).status, 200);
  await srv.api('POST', 'auth/userpass/users/frank', { bound_cidrs: '10.0.0.0/8' });
  assert.equal((await login('frank', 'pw')).status, 403, 'the deprecated bound_cidrs binds the login as well');
});

test('password_hash (Vault 1.17+) is refused rather than ignored', async () => {
  const hash = '$2a$10$abcdefghijklmnopqrstuuO6v3yCwq0sbsGmXmVZ3Vx0gW1Pq1bQa';
  for (const path of ['auth/userpass/users/alice', 'auth/userpass/users/alice/password']) {
    const r = await srv.api('POST', path, { password_hash: hash });
    assert.equal(r.status, 400, path);
    assert.deepEqual(r.body.errors, ['password_hash is not supported: send password']);
  }
  assert.equal((await login('alice', PASSWORD)).status, 200, 'the password is unchanged');
  assert.equal((await srv.api('POST', 'auth/userpass/users/alice', { password_hash: '' })).status, 204, 'an empty one is no request for it');
});

test('a login without a password is refused as Vault words it', async () => {
  const r = await login('alice', '');
  assert.equal(r.status, 400);
  assert.deepEqual(r.body.errors, ['missing password']);
});

test('users/:username/policies stores the names as Vault\'s policy parser does', async () => {
  await srv.api('POST', 'auth/userpass/users/gina', { password: 'pw' });
  assert.equal((await srv.api('POST', 'auth/userpass/users/gina/policies', { token_policies: 'Zeta, alpha,,ALPHA' })).status, 204);
  assert.deepEqual((await srv.api('GET', 'auth/userpass/users/gina')).body.data.token_policies, ['alpha', 'zeta']);
  assert.equal((await srv.api('POST', 'auth/userpass/users/gina/policies', { policies: ['B', 'a'] })).status, 204);
  const r = (await srv.api('GET', 'auth/userpass/users/gina')).body.data;
  assert.deepEqual(r.token_policies, ['a', 'b']);
  assert.deepEqual(r.policies, ['a', 'b']);
});

test('passwords are stored as scrypt hashes that the same password matches', async () => {
  const h = await hashPassword('correct horse');
  assert.equal(h.alg, 'scrypt');
  assert.ok(!JSON.stringify(h).includes('correct horse'));
  assert.equal(await checkPassword('correct horse', h), true);
  assert.equal(await checkPassword('correct horsE', h), false);
  assert.equal(await checkPassword('correct horse', undefined), false);
  const raw = await srv.core.unsealed.mounts.viewOf(srv.core.unsealed.mounts.get('auth', 'userpass/')!).get('user/alice');
  assert.ok(raw && !raw.toString('utf8').includes(PASSWORD));
});

test('canary: the password never appears in logs or error bodies', async () => {
  const bodies = [await login('alice', `${PASSWORD}!`), await srv.api('POST', 'auth/userpass/users/alice', { password: PASSWORD, token_ttl: 'zz' })];
  for (const b of bodies) assert.ok(!JSON.stringify(b.body ?? '').includes(PASSWORD));
  assert.ok(!srv.log().includes(PASSWORD));
});

test('renewal applies the user\'s current token_period', async () => {
  assert.equal((await srv.api('POST', 'auth/userpass/users/pete', { password: 'pw', token_ttl: '10m' })).status, 204);
  const token = (await login('pete', 'pw')).body.auth.client_token as string;
  assert.equal((await srv.api('POST', 'auth/userpass/users/pete', { token_period: '25m' })).status, 204);
  const periodic = await call(srv, token, 'POST', 'auth/token/renew-self', {});
  assert.equal(periodic.status, 200, JSON.stringify(periodic.body));
  assert.equal(periodic.body.auth.lease_duration, 25 * 60);
});
