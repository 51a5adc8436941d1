// AppRole over HTTP: roles, role-ids, secret-ids (generate, custom, lookup, destroy, accessors,
// num_uses, TTL, CIDRs, metadata), login, renewal through the method, tidy and wrapping.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/util/clock.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { AUTH_BLOCK_KEYS, assertRenewsWithCurrentTtls, call } from '../helpers.js';

const clock = new ManualClock();
let srv: TestServer;

before(async () => {
  srv = await startTestServer({ clock });
  assert.equal((await srv.api('POST', 'sys/auth/approle', { type: 'approle' })).status, 204);
  assert.equal((await srv.api('PUT', 'sys/policies/acl/app', { policy: 'path "secret/data/app/*" { capabilities = ["read"] }' })).status, 204);
});
after(() => srv.close());

async function role(name: string, body: Record<string, unknown> = {}) {
  const r = await srv.api('POST', `auth/approle/role/${name}`, body);
  assert.equal(r.status, 204, JSON.stringify(r.body));
  const id = await srv.api('GET', `auth/approle/role/${name}/role-id`);
  return id.body.data.role_id as string;
}

async function secretId(name: string, body: Record<string, unknown> = {}) {
  const r = await srv.api('POST', `auth/approle/role/${name}/secret-id`, body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.data as { secret_id: string; secret_id_accessor: string; secret_id_ttl: number; secret_id_num_uses: number };
}

const login = (roleId: string, secret?: string) => call(srv, '', 'POST', 'auth/approle/login', { role_id: roleId, ...(secret === undefined ? {} : { secret_id: secret }) });

test('sys/auth lists approle with Vault\'s shape and tune shows the token type', async () => {
  const list = await srv.api('GET', 'sys/auth');
  const entry = list.body.data['approle/'];
  assert.equal(entry.type, 'approle');
  assert.match(entry.accessor, /^auth_approle_[0-9a-f]{8}$/);
  assert.equal(entry.config.token_type, 'default-service');
  const tune = await srv.api('GET', 'sys/auth/approle/tune');
  assert.equal(tune.body.data.token_type, 'default-service');
  assert.equal(tune.body.data.max_lease_ttl, 768 * 3600);
  assert.equal((await srv.api('LIST', 'auth/approle/role')).status, 404, 'an empty list is a 404, as in Vault');
});

test('a role reads back with Vault\'s fields and types; LIST names it', async () => {
  await role('Web', { token_policies: 'app', token_ttl: '10m', token_max_ttl: '30m', secret_id_ttl: '1h', secret_id_num_uses: 4 });
  const r = await srv.api('GET', 'auth/approle/role/web');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.data, {
    bind_secret_id: true, local_secret_ids: false, secret_id_bound_cidrs: [], secret_id_num_uses: 4, secret_id_ttl: 3600,
    token_bound_cidrs: [], token_explicit_max_ttl: 0, token_max_ttl: 1800, token_no_default_policy: false, token_num_uses: 0,
    token_period: 0, token_policies: ['app'], token_type: 'default', token_ttl: 600,
  });
  const list = await srv.api('LIST', 'auth/approle/role');
  assert.ok(list.body.data.keys.includes('web'));
  assert.equal((await srv.api('GET', 'auth/approle/role/missing')).status, 404);
});

test('token parameters are validated with Vault\'s texts', async () => {
  const bad = async (body: Record<string, unknown>, text: string) => {
    const r = await srv.api('POST', 'auth/approle/role/bad', body);
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.errors, [text]);
  };
  await bad({ token_ttl: '2h', token_max_ttl: '1h' }, "'token_ttl' cannot be greater than 'token_max_ttl'");
  await bad({ token_type: 'weird' }, "invalid 'token_type' value \"weird\"");
  await bad({ token_num_uses: -1 }, "'token_num_uses' cannot be negative");
  await bad({ token_type: 'batch', token_period: 60 }, "'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens");
  await bad({ bind_secret_id: false }, 'at least one constraint should be enabled on the role');
  await bad({ token_bound_cidrs: ['10.0.0.0/33'] }, 'failed to parse token_bound_cidrs: invalid CIDR block "10.0.0.0/33"');
  await bad({ secret_id_num_uses: -2 }, 'secret_id_num_uses cannot be negative');
  assert.equal((await srv.api('GET', 'auth/approle/role/bad')).status, 404, 'nothing half-written');
});

test('login answers Vault\'s auth block; the token carries metadata, policies and the role\'s TTL', async () => {
  const roleId = await role('login1', { token_policies: ['app'], token_ttl: '20m', token_max_ttl: '1h' });
  const s = await secretId('login1', { metadata: JSON.stringify({ team: 'ci' }) });
  const r = await login(roleId, s.secret_id);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const auth = r.body.auth;
  assert.deepEqual(Object.keys(auth).filter((k) => k !== 'identity_policies').sort(), AUTH_BLOCK_KEYS);
  assert.match(auth.client_token, /^hvs\./);
  assert.deepEqual(auth.policies, ['app', 'default']);
  assert.deepEqual(auth.token_policies, ['app', 'default']);
  assert.deepEqual(auth.metadata, { role_name: 'login1', team: 'ci' });
  assert.equal(auth.lease_duration, 1200);
  assert.equal(auth.renewable, true);
  assert.equal(auth.token_type, 'service');
  assert.equal(auth.orphan, true);
  assert.equal(auth.mfa_requirement, null);
  const self = await call(srv, auth.client_token, 'GET', 'auth/token/lookup-self');
  assert.equal(self.body.data.path, 'auth/approle/login');
  assert.equal(self.body.data.display_name, 'approle');
  assert.deepEqual(self.body.data.meta, { role_name: 'login1', team: 'ci' });
});

test('wrong, missing and expired credentials are refused alike', async () => {
  const roleId = await role('refuse', { secret_id_ttl: '60s' });
  const s = await secretId('refuse');
  for (const [id, secret, text] of [
    ['', s.secret_id, 'missing role_id'], [roleId, undefined, 'missing secret_id'],
    ['nope', s.secret_id, 'invalid role or secret ID'], [roleId, 'not-a-secret', 'invalid role or secret ID'],
  ] as const) {
    const r = await login(id, secret);
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.errors, [text]);
  }
  clock.advance(61_000);
  const expired = await login(roleId, s.secret_id);
  assert.equal(expired.status, 400);
  assert.deepEqual(expired.body.errors, ['invalid role or secret ID']);
  // The expired secret-id is gone, not just refused.
  const look = await srv.api('POST', 'auth/approle/role/refuse/secret-id/lookup', { secret_id: s.secret_id });
  assert.equal(look.status, 204);
});

test('a num_uses=1 secret-id serves exactly one of 50 concurrent logins', async () => {
  const roleId = await role('once');
  const s = await secretId('once', { num_uses: 1 });
  const results = await Promise.all(Array.from({ length: 50 }, () => login(roleId, s.secret_id)));
  assert.equal(results.filter((r) => r.status === 200).length, 1);
  // The rest find no secret-id; after five such failures lockout answers 403 for the role-id.
  assert.ok(results.every((r) => r.status === 200 || r.status === 400 || r.status === 403));
});

test('num_uses counts down in lookups and cannot exceed the role\'s', async () => {
  const roleId = await role('counted', { secret_id_num_uses: 3 });
  const tooMany = await srv.api('POST', 'auth/approle/role/counted/secret-id', { num_uses: 5 });
  assert.equal(tooMany.status, 400);
  assert.deepEqual(tooMany.body.errors, ["num_uses cannot be higher than the role's secret_id_num_uses"]);
  const s = await secretId('counted');
  assert.equal(s.secret_id_num_uses, 3);
  assert.equal((await login(roleId, s.secret_id)).status, 200);
  const look = await srv.api('POST', 'auth/approle/role/counted/secret-id/lookup', { secret_id: s.secret_id });
  assert.equal(look.body.data.secret_id_num_uses, 2);
  assert.equal(look.body.data.secret_id_accessor, s.secret_id_accessor);
  assert.equal(look.body.data.expiration_time, '0001-01-01T00:00:00Z');
  const ttl = await srv.api('POST', 'auth/approle/role/web/secret-id', { ttl: '2h' });
  assert.deepEqual(ttl.body.errors, ["ttl cannot be longer than the role's secret_id_ttl"]);
});

test('CIDR binding: the role\'s and the secret-id\'s lists refuse other addresses; token_bound_cidrs binds the token', async () => {
  const far = await role('far', { secret_id_bound_cidrs: ['10.9.0.0/16'] });
  const sFar = await secretId('far');
  const r = await login(far, sFar.secret_id);
  assert.equal(r.status, 400);
  assert.match(r.body.errors[0], /unauthorized through CIDR restrictions on the role/);
  const notSubset = await srv.api('POST', 'auth/approle/role/far/secret-id', { cidr_list: '192.168.0.0/16' });
  assert.equal(notSubset.status, 400);

  const near = await role('near', { token_bound_cidrs: ['127.0.0.0/8'] });
  const sNear = await secretId('near', { cidr_list: ['10.1.2.3/32'] });
  const refused = await login(near, sNear.secret_id);
  assert.match(refused.body.errors[0], /CIDR restrictions on the secret ID/);
  const sOk = await secretId('near', { cidr_list: '127.0.0.1/32' });
  const ok = await login(near, sOk.secret_id);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal((await call(srv, ok.body.auth.client_token, 'GET', 'auth/token/lookup-self')).status, 200);

  // A token bound elsewhere is no token at all from here.
  const elsewhere = await role('elsewhere', { token_bound_cidrs: ['10.0.0.0/8'], bind_secret_id: false, secret_id_bound_cidrs: ['127.0.0.1/32'] });
  const t = await login(elsewhere);
  assert.equal(t.status, 200, JSON.stringify(t.body));
  assert.equal((await call(srv, t.body.auth.client_token, 'GET', 'auth/token/lookup-self')).status, 403);
});

test('custom secret-ids, accessor lookup and destroy, LIST of accessors', async () => {
  const roleId = await role('custom');
  const c = await srv.api('POST', 'auth/approle/role/custom/custom-secret-id', { secret_id: 'my-own-secret-value' });
  assert.equal(c.status, 200);
  assert.equal(c.body.data.secret_id, 'my-own-secret-value');
  const again = await srv.api('POST', 'auth/approle/role/custom/custom-secret-id', { secret_id: 'my-own-secret-value' });
  assert.equal(again.status, 400);
  const list = await srv.api('LIST', 'auth/approle/role/custom/secret-id');
  assert.deepEqual(list.body.data.keys, [c.body.data.secret_id_accessor]);
  const byAcc = await srv.api('POST', 'auth/approle/role/custom/secret-id-accessor/lookup', { secret_id_accessor: c.body.data.secret_id_accessor });
  assert.equal(byAcc.status, 200);
  assert.equal(byAcc.body.data.secret_id_num_uses, 0);
  assert.equal((await srv.api('POST', 'auth/approle/role/custom/secret-id-accessor/destroy', { secret_id_accessor: c.body.data.secret_id_accessor })).status, 204);
  assert.equal((await login(roleId, 'my-own-secret-value')).status, 400);
  const gone = await srv.api('POST', 'auth/approle/role/custom/secret-id-accessor/lookup', { secret_id_accessor: c.body.data.secret_id_accessor });
  assert.equal(gone.status, 404, 'Vault answers an unknown accessor with a 404, which Terraform reads as "gone"');
  assert.deepEqual(gone.body.errors, [`failed to find accessor entry for secret_id_accessor: ${JSON.stringify(c.body.data.secret_id_accessor)}`]);
  const s = await secretId('custom');
  assert.equal((await srv.api('POST', 'auth/approle/role/custom/secret-id/destroy', { secret_id: s.secret_id })).status, 204);
  assert.equal((await login(roleId, s.secret_id)).status, 400);
});

test('login trims the role-id and secret-id, as Vault does (values read from files end in a newline)', async () => {
  const roleId = await role('trimmed', { token_policies: 'app' });
  const s = await secretId('trimmed');
  const r = await login(`${roleId}\n`, ` ${s.secret_id}\n`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.auth.metadata, { role_name: 'trimmed' });
  const blank = await login('  \n', s.secret_id);
  assert.equal(blank.status, 400);
  assert.deepEqual(blank.body.errors, ['missing role_id']);
  const noSecret = await login(roleId, ' \n');
  assert.deepEqual(noSecret.body.errors, ['missing secret_id']);
});

test('token_type default-service and default-batch are taken as service and batch, with Vault\'s warning', async () => {
  const w = await srv.api('POST', 'auth/approle/role/typed', { token_type: 'default-service' });
  assert.equal(w.status, 200, JSON.stringify(w.body));
  assert.deepEqual(w.body.warnings, ['default-service has no useful meaning; adjusting to service']);
  assert.equal((await srv.api('GET', 'auth/approle/role/typed')).body.data.token_type, 'service');
  const b = await srv.api('POST', 'auth/approle/role/typed', { token_type: 'default-batch' });
  assert.deepEqual(b.body.warnings, ['default-batch has no useful meaning; adjusting to batch']);
  assert.equal((await srv.api('GET', 'auth/approle/role/typed')).body.data.token_type, 'batch');
  const roleId = (await srv.api('GET', 'auth/approle/role/typed/role-id')).body.data.role_id as string;
  const r = await login(roleId, (await secretId('typed')).secret_id);
  assert.equal(r.body.auth.token_type, 'batch', 'the stored type is enforced');
  const odd = await srv.api('POST', 'auth/approle/role/typed', { token_type: 'default-other' });
  assert.equal(odd.status, 400);
  assert.deepEqual(odd.body.errors, ["invalid 'token_type' value \"default-other\""]);
  const big = await srv.api('POST', 'auth/approle/role/typed', { token_type: 'service', token_max_ttl: '9999h' });
  assert.deepEqual(big.body.warnings, ["token_max_ttl is greater than the backend mount's maximum TTL value; issued tokens' max TTL value will be truncated"]);
});

test('a deprecated period above the mount\'s max TTL is refused with Vault\'s text (token_period is not checked)', async () => {
  const r = await srv.api('POST', 'auth/approle/role/long', { period: '800h' });
  assert.equal(r.status, 400);
  assert.deepEqual(r.body.errors, ['period of "800h0m0s" is greater than the backend\'s maximum lease TTL of "768h0m0s"']);
  assert.equal((await srv.api('GET', 'auth/approle/role/long')).status, 404, 'nothing written');
  assert.equal((await srv.api('POST', 'auth/approle/role/long', { token_period: '800h' })).status, 204);
  const sub = await srv.api('POST', 'auth/approle/role/long/period', { period: '800h' });
  assert.deepEqual(sub.body.errors, ['period of "800h0m0s" is greater than the backend\'s maximum lease TTL of "768h0m0s"']);
});

test('secret-ids are stored only as HMACs', async () => {
  await role('hashed');
  const s = await secretId('hashed');
  const roleId = (await srv.api('GET', 'auth/approle/role/hashed/role-id')).body.data.role_id as string;
  const mount = srv.core.unsealed.mounts.get('auth', 'approle/')!;
  const view = srv.core.unsealed.mounts.viewOf(mount);
  const seen: string[] = [];
  const walk = async (prefix: string): Promise<void> => {
    for (const k of await view.list(prefix)) {
      if (k.endsWith('/')) await walk(prefix + k);
      else seen.push(prefix + k, (await view.get(prefix + k))!.toString('latin1'));
    }
  };
  await walk('');
  const all = seen.join('\n');
  assert.ok(!all.includes(s.secret_id), 'secret-id value stored');
  assert.ok(!all.includes(`role_id/${roleId}`), 'role-id used as a key');
});

test('the per-field subpaths read, set and reset one setting', async () => {
  await role('fields', { token_policies: ['a'] });
  assert.deepEqual((await srv.api('GET', 'auth/approle/role/fields/policies')).body.data, { token_policies: ['a'] });
  // The policies subpath parses names as Vault's policy parser does; the deprecated name is shown while it set them.
  assert.equal((await srv.api('POST', 'auth/approle/role/fields/policies', { policies: 'Zed, b,,B' })).status, 204);
  assert.deepEqual((await srv.api('GET', 'auth/approle/role/fields/policies')).body.data, { token_policies: ['b', 'zed'], policies: ['b', 'zed'] });
  assert.equal((await srv.api('POST', 'auth/approle/role/fields/policies', { token_policies: 'a' })).status, 204);
  assert.deepEqual((await srv.api('GET', 'auth/approle/role/fields/policies')).body.data, { token_policies: ['a'] });
  assert.deepEqual((await srv.api('GET', 'auth/approle/role/fields/period')).body.data, { token_period: 0 });
  assert.equal((await srv.api('POST', 'auth/approle/role/fields/period', { period: '1h' })).status, 204);
  assert.deepEqual((await srv.api('GET', 'auth/approle/role/fields/period')).body.data, { token_period: 3600, period: 3600 });
  assert.equal((await srv.api('DELETE', 'auth/approle/role/fields/period')).status, 204);
  assert.equal((await srv.api('POST', 'auth/approle/role/fields/secret-id-ttl', { secret_id_ttl: '5m' })).status, 204);
  assert.deepEqual((await srv.api('GET', 'auth/approle/role/fields/secret-id-ttl')).body.data, { secret_id_ttl: 300 });
  assert.equal((await srv.api('POST', 'auth/approle/role/fields/token-ttl', { token_ttl: 90 })).status, 204);
  assert.equal((await srv.api('GET', 'auth/approle/role/fields')).body.data.token_ttl, 90);
  assert.equal((await srv.api('DELETE', 'auth/approle/role/fields/token-ttl')).status, 204);
  assert.equal((await srv.api('GET', 'auth/approle/role/fields')).body.data.token_ttl, 0);
  const missing = await srv.api('POST', 'auth/approle/role/fields/token-num-uses', {});
  assert.deepEqual(missing.body.errors, ['missing token_num_uses']);
  assert.equal((await srv.api('POST', 'auth/approle/role/fields/role-id', { role_id: 'custom-id-1' })).status, 204);
  assert.equal((await srv.api('GET', 'auth/approle/role/fields/role-id')).body.data.role_id, 'custom-id-1');
  const s = await secretId('fields');
  assert.equal((await login('custom-id-1', s.secret_id)).status, 200);
  const taken = await srv.api('POST', 'auth/approle/role/web/role-id', { role_id: 'custom-id-1' });
  assert.deepEqual(taken.body.errors, ['role_id already in use']);
});

test('renewal goes back to the role: capped by token_max_ttl, refused once the role is gone', async () => {
  const roleId = await role('renew', { token_ttl: '10m', token_max_ttl: '15m' });
  const s = await secretId('renew');
  const token = (await login(roleId, s.secret_id)).body.auth.client_token as string;
  clock.advance(9 * 60_000);
  const renewed = await call(srv, token, 'POST', 'auth/token/renew-self', { increment: '1h' });
  assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
  assert.equal(renewed.body.auth.lease_duration, 6 * 60, 'capped at 15m from issue');
  // Vault's AppRole does not refuse a renewal when the role's policies changed; the token keeps its own.
  assert.equal((await srv.api('POST', 'auth/approle/role/renew', { token_policies: 'app' })).status, 204);
  const changed = await call(srv, token, 'POST', 'auth/token/renew-self', {});
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assert.deepEqual(changed.body.auth.token_policies, ['default']);
  await srv.api('DELETE', 'auth/approle/role/renew');
  const refused = await call(srv, token, 'POST', 'auth/token/renew-self', {});
  assert.equal(refused.status, 400);
  assert.deepEqual(refused.body.errors, ['role "renew" does not exist during renewal']);
});

test('renewal applies the role\'s current token_ttl and token_max_ttl, as Vault re-reads the role', async () => {
  const roleId = await role('current', { token_ttl: '10m', token_max_ttl: '1h' });
  const token = (await login(roleId, (await secretId('current')).secret_id)).body.auth.client_token as string;
  clock.advance(60_000);
  assert.equal((await srv.api('POST', 'auth/approle/role/current', { token_ttl: '20m', token_max_ttl: '30m' })).status, 204);
  await assertRenewsWithCurrentTtls((body) => call(srv, token, 'POST', 'auth/token/renew-self', body), 1);
  // Unset on the role: the mount's default and maximum apply.
  assert.equal((await srv.api('POST', 'auth/approle/role/current', { token_ttl: 0, token_max_ttl: 0 })).status, 204);
  assert.equal((await srv.api('POST', 'sys/auth/approle/tune', { default_lease_ttl: '40m', max_lease_ttl: '2h' })).status, 204);
  const mount = await call(srv, token, 'POST', 'auth/token/renew-self', {});
  assert.equal(mount.body.auth.lease_duration, 40 * 60, 'the mount\'s default_lease_ttl');
  const long = await call(srv, token, 'POST', 'auth/token/renew-self', { increment: '3h' });
  assert.equal(long.body.auth.lease_duration, 119 * 60, 'the mount\'s max_lease_ttl, counted from issue');
  assert.equal((await srv.api('POST', 'sys/auth/approle/tune', { default_lease_ttl: 0, max_lease_ttl: 0 })).status, 204);
});

test('a secret-id can be response-wrapped, as CI pipelines receive them', async () => {
  const roleId = await role('wrapped');
  const w = await srv.api('POST', 'auth/approle/role/wrapped/secret-id', {}, { 'X-Vault-Wrap-TTL': '60s' });
  assert.equal(w.status, 200);
  assert.equal(w.body.data, null);
  const unwrapped = await call(srv, w.body.wrap_info.token, 'POST', 'sys/wrapping/unwrap');
  assert.equal(unwrapped.status, 200);
  assert.equal((await login(roleId, unwrapped.body.data.secret_id)).status, 200);
});

test('tidy removes expired secret-ids; deleting a role removes its secret-ids', async () => {
  await role('tidy', { secret_id_ttl: '10s' });
  const s = await secretId('tidy');
  clock.advance(11_000);
  const t = await srv.api('POST', 'auth/approle/tidy/secret-id');
  assert.equal(t.status, 202);
  assert.equal((await srv.api('LIST', 'auth/approle/role/tidy/secret-id')).status, 404);
  void s;
  const roleId = await role('doomed');
  const d = await secretId('doomed');
  assert.equal((await srv.api('DELETE', 'auth/approle/role/doomed')).status, 204);
  assert.equal((await login(roleId, d.secret_id)).status, 400);
});

test('disabling the mount revokes the tokens its logins issued', async () => {
  assert.equal((await srv.api('POST', 'sys/auth/approle2', { type: 'approle' })).status, 204);
  assert.equal((await srv.api('POST', 'auth/approle2/role/r', {})).status, 204);
  const roleId = (await srv.api('GET', 'auth/approle2/role/r/role-id')).body.data.role_id;
  const sid = (await srv.api('POST', 'auth/approle2/role/r/secret-id')).body.data.secret_id;
  const token = (await call(srv, '', 'POST', 'auth/approle2/login', { role_id: roleId, secret_id: sid })).body.auth.client_token;
  assert.equal((await call(srv, token, 'GET', 'auth/token/lookup-self')).status, 200);
  assert.equal((await srv.api('DELETE', 'sys/auth/approle2')).status, 204);
  assert.equal((await call(srv, token, 'GET', 'auth/token/lookup-self')).status, 403);
});

test('canary: secret-ids never appear in logs or error bodies', async () => {
  const roleId = await role('canary');
  const s = await secretId('canary');
  const bodies = [
    await login(roleId, `${s.secret_id}x`),
    await srv.api('POST', 'auth/approle/role/canary/secret-id/lookup', { secret_id: 5 }),
    await srv.api('POST', 'auth/approle/role/canary/custom-secret-id', { secret_id: s.secret_id }),
  ];
  for (const b of bodies) assert.ok(!JSON.stringify(b.body ?? '').includes(s.secret_id));
  assert.ok(!srv.log().includes(s.secret_id));
});

test('renewal applies the role\'s current token_period: periodic once set, not once cleared', async () => {
  const roleId = await role('periodic', { token_ttl: '10m', token_max_ttl: '1h' });
  const token = (await login(roleId, (await secretId('periodic')).secret_id)).body.auth.client_token as string;
  assert.equal((await srv.api('POST', 'auth/approle/role/periodic', { token_period: '15m' })).status, 204);
  const periodic = await call(srv, token, 'POST', 'auth/token/renew-self', { increment: '2m' });
  assert.equal(periodic.status, 200, JSON.stringify(periodic.body));
  assert.equal(periodic.body.auth.lease_duration, 15 * 60, 'a period wins over the increment');
  assert.equal((await srv.api('POST', 'auth/approle/role/periodic', { token_period: 0 })).status, 204);
  const plain = await call(srv, token, 'POST', 'auth/token/renew-self', {});
  assert.equal(plain.body.auth.lease_duration, 10 * 60, 'no period: the role\'s token_ttl again');
});
