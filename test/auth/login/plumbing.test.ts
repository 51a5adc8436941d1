// The shared login plumbing, through AppRole roles that ask for each token parameter: every
// tokenutil field is enforced on the token a login issues (or refused at the role).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/util/clock.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { call } from '../helpers.js';

const clock = new ManualClock();
let srv: TestServer;

before(async () => {
  srv = await startTestServer({ clock });
  assert.equal((await srv.api('POST', 'sys/auth/ar', { type: 'approle', config: { default_lease_ttl: '30m', max_lease_ttl: '2h', token_type: 'default-service' } })).status, 204);
});
after(() => srv.close());

/** Makes a role with `params` and logs in to it; answers the login. */
async function loginWith(name: string, params: Record<string, unknown>) {
  const w = await srv.api('POST', `auth/ar/role/${name}`, params);
  assert.equal(w.status, 204, JSON.stringify(w.body));
  const roleId = (await srv.api('GET', `auth/ar/role/${name}/role-id`)).body.data.role_id;
  const secretId = (await srv.api('POST', `auth/ar/role/${name}/secret-id`)).body.data.secret_id;
  return call(srv, '', 'POST', 'auth/ar/login', { role_id: roleId, secret_id: secretId });
}

test('sys/auth: unknown types and bad tune values are refused; config on enable applies', async () => {
  const unknown = await srv.api('POST', 'sys/auth/x', { type: 'nosuch' });
  assert.equal(unknown.status, 400);
  assert.deepEqual(unknown.body.errors, ['plugin not found in the catalog: nosuch']);
  const badType = await srv.api('POST', 'sys/auth/y', { type: 'userpass', config: { token_type: 'both' } });
  assert.deepEqual(badType.body.errors, ["invalid value for 'token_type'"]);
  assert.equal((await srv.api('GET', 'sys/auth')).body.data['y/'], undefined, 'nothing half-mounted');
  const tune = (await srv.api('GET', 'sys/auth/ar/tune')).body.data;
  assert.equal(tune.default_lease_ttl, 1800);
  assert.equal(tune.max_lease_ttl, 7200);
});

test('the mount default applies without token_ttl; the mount max caps token_ttl', async () => {
  assert.equal((await loginWith('deflt', {})).body.auth.lease_duration, 1800);
  const capped = await loginWith('capped', { token_ttl: '5h' });
  assert.equal(capped.body.auth.lease_duration, 7200);
});

test('token_num_uses, token_period, token_explicit_max_ttl and token_no_default_policy reach the token', async () => {
  const uses = await loginWith('uses', { token_num_uses: 2 });
  assert.equal(uses.body.auth.num_uses, 2);
  const t = uses.body.auth.client_token;
  assert.equal((await call(srv, t, 'GET', 'auth/token/lookup-self')).status, 200);
  assert.equal((await call(srv, t, 'GET', 'auth/token/lookup-self')).status, 200);
  assert.equal((await call(srv, t, 'GET', 'auth/token/lookup-self')).status, 403, 'used up');

  const periodic = await loginWith('periodic', { token_period: '10m', token_ttl: '1h' });
  assert.equal(periodic.body.auth.lease_duration, 600);
  const look = await call(srv, periodic.body.auth.client_token, 'GET', 'auth/token/lookup-self');
  assert.equal(look.body.data.period, 600);

  const explicit = await loginWith('explicit', { token_ttl: '20m', token_explicit_max_ttl: '25m' });
  clock.advance(15 * 60_000);
  const renewed = await call(srv, explicit.body.auth.client_token, 'POST', 'auth/token/renew-self', { increment: '20m' });
  assert.equal(renewed.body.auth.lease_duration, 10 * 60, 'explicit max counted from issue');

  const noDefault = await loginWith('nodefault', { token_policies: ['x'], token_no_default_policy: true });
  assert.deepEqual(noDefault.body.auth.policies, ['x']);
});

test('token_type on the role: batch where the mount defaults to service', async () => {
  const b = await loginWith('batchy', { token_type: 'batch' });
  assert.equal(b.body.auth.token_type, 'batch');
  assert.match(b.body.auth.client_token, /^hvb\./);
  assert.equal((await call(srv, b.body.auth.client_token, 'GET', 'auth/token/lookup-self')).body.data.path, 'auth/ar/login');
  // A mount forced to service wins over the role.
  await srv.api('POST', 'sys/auth/ar/tune', { token_type: 'service' });
  const s = await loginWith('batchy2', { token_type: 'batch' });
  assert.equal(s.body.auth.token_type, 'service');
  await srv.api('POST', 'sys/auth/ar/tune', { token_type: 'default-service' });
});

test('a login may not grant root, nor internal policies', async () => {
  const r = await loginWith('rooty', { token_policies: ['root'] });
  assert.equal(r.status, 400);
  assert.deepEqual(r.body.errors, ['auth methods cannot create root tokens']);
  const w = await loginWith('wrappy', { token_policies: ['response-wrapping'] });
  assert.deepEqual(w.body.errors, ['cannot assign policy "response-wrapping"']);
});

test('a login can be response-wrapped', async () => {
  await srv.api('POST', 'auth/ar/role/wrapped', {});
  const roleId = (await srv.api('GET', 'auth/ar/role/wrapped/role-id')).body.data.role_id;
  const secretId = (await srv.api('POST', 'auth/ar/role/wrapped/secret-id')).body.data.secret_id;
  const res = await fetch(`${srv.url}/v1/auth/ar/login`, { method: 'POST', headers: { 'X-Vault-Wrap-TTL': '60s' }, body: JSON.stringify({ role_id: roleId, secret_id: secretId }) });
  const body = await res.json() as { auth: unknown; wrap_info: { token: string } };
  assert.equal(body.auth, null);
  const unwrapped = await call(srv, body.wrap_info.token, 'POST', 'sys/wrapping/unwrap');
  assert.match(unwrapped.body.auth.client_token, /^hvs\./);
});
