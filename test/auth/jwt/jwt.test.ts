// The JWT method over a loopback issuer's discovery document and JWKS: logins, Vault's texts
// for bad tokens, key rotation with one refetch, the GitHub Actions glob role, and the canary.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/util/clock.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { assertRenewsWithCurrentTtls, call } from '../helpers.js';
import { makeKey, startIssuer, unsignedToken } from './issuer.js';

const clock = new ManualClock();
let srv: TestServer;
let iss: Awaited<ReturnType<typeof startIssuer>>;
const now = () => Math.floor(clock.now() / 1000);
const gh = (extra: Record<string, unknown> = {}) => ({
  iss: iss.url, aud: 'https://github.com/acme', sub: 'repo:acme/api:environment:prod', repository: 'acme/api',
  ref: 'refs/heads/main', environment: 'prod', iat: now(), exp: now() + 300, ...extra,
});

before(async () => {
  iss = await startIssuer();
  iss.keys.push(await makeKey('k1'));
  srv = await startTestServer({ clock });
  assert.equal((await srv.api('POST', 'sys/auth/jwt', { type: 'jwt' })).status, 204);
  const cfg = await srv.api('POST', 'auth/jwt/config', { oidc_discovery_url: iss.url, bound_issuer: iss.url });
  assert.equal(cfg.status, 204, JSON.stringify(cfg.body));
  const role = await srv.api('POST', 'auth/jwt/role/gha', {
    role_type: 'jwt', user_claim: 'sub', bound_audiences: ['https://github.com/acme'], bound_claims_type: 'glob',
    bound_claims: { repository: 'acme/*', ref: ['refs/heads/main', 'refs/tags/v*'], environment: 'prod' },
    claim_mappings: { repository: 'repository' }, token_policies: ['ci'],
  });
  assert.equal(role.status, 204, JSON.stringify(role.body));
});
after(async () => { await srv.close(); await iss.close(); });

const login = async (jwt: string, role = 'gha') => call(srv, '', 'POST', 'auth/jwt/login', { role, jwt });

test('GitHub Actions tokens on main and on a v tag log in; others get the bound-claims text', async () => {
  const k = iss.keys[0]!;
  const ok = await login(await iss.sign(k, gh()));
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.auth.metadata.repository, 'acme/api');
  assert.equal(ok.body.auth.metadata.role, 'gha');
  assert.deepEqual(ok.body.auth.token_policies, ['ci', 'default']);
  assert.equal((await login(await iss.sign(k, gh({ ref: 'refs/tags/v1.2' })))).status, 200);
  const evil = await login(await iss.sign(k, gh({ repository: 'evil/api' })));
  assert.deepEqual(evil.body.errors, ['error validating claims: claim "repository" does not match any associated bound claim values']);
  const dev = await login(await iss.sign(k, gh({ ref: 'refs/heads/dev' })));
  assert.deepEqual(dev.body.errors, ['error validating claims: claim "ref" does not match any associated bound claim values']);
  const noEnv = await login(await iss.sign(k, gh({ environment: undefined })));
  assert.deepEqual(noEnv.body.errors, ['error validating claims: claim "environment" is missing']);
});

test('bad tokens get Vault\'s texts', async () => {
  const k = iss.keys[0]!;
  const other = await makeKey('k1');
  const p = 'error validating token: ';
  const cases: Array<[string, Promise<string> | string, string]> = [
    ['aud', iss.sign(k, gh({ aud: 'x' })), `${p}invalid audience (aud) claim: audience claim does not match any expected audience`],
    ['iss', iss.sign(k, gh({ iss: 'https://evil' })), `${p}invalid issuer (iss) claim`],
    ['exp', iss.sign(k, gh({ exp: now() - 61 })), `${p}invalid expiration time (exp) claim: token is expired`],
    ['nbf', iss.sign(k, gh({ nbf: now() + 61 })), `${p}invalid not before (nbf) claim: token not yet valid`],
    ['none', unsignedToken(gh()), `${p}error verifying token signature: failed to verify id token signature`],
    ['other key', iss.sign(other, gh()), `${p}error verifying token signature: failed to verify id token signature`],
  ];
  for (const [name, jwt, text] of cases) {
    const r = await login(await jwt);
    assert.equal(r.status, 400, name);
    assert.deepEqual(r.body.errors, [text], name);
  }
  // The leeway edges, with the injected clock: exp and nbf get the 60s clock skew only.
  assert.equal((await login(await iss.sign(k, gh({ exp: now() - 60 })))).status, 200);
  assert.equal((await login(await iss.sign(k, gh({ nbf: now() + 60, iat: undefined })))).status, 200);
  assert.deepEqual((await login('')).body.errors, ['missing token']);
  assert.deepEqual((await call(srv, '', 'POST', 'auth/jwt/login', { jwt: 'x' })).body.errors, ['missing role']);
  assert.deepEqual((await login('x', 'nope')).body.errors, ['role "nope" could not be found']);
});

test('key rotation: a new kid costs exactly one JWKS fetch; a dropped key fails', async () => {
  const k1 = iss.keys[0]!;
  assert.equal((await login(await iss.sign(k1, gh()))).status, 200);
  const before = iss.jwksFetches();
  const k2 = await makeKey('k2');
  iss.keys.push(k2);
  const r = await login(await iss.sign(k2, gh()));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(iss.jwksFetches(), before + 1);
});

test('the deprecated token fields (ttl, max_ttl, num_uses, period, bound_cidrs, policies) set the token_ ones and read back', async () => {
  const base = { role_type: 'jwt', user_claim: 'sub', bound_audiences: ['https://github.com/acme'] };
  const w = await srv.api('POST', 'auth/jwt/role/old', { ...base, policies: 'ci', ttl: '10m', max_ttl: '1h', num_uses: 3 });
  assert.equal(w.status, 204, JSON.stringify(w.body));
  const r = (await srv.api('GET', 'auth/jwt/role/old')).body.data;
  assert.equal(r.token_ttl, 600);
  assert.equal(r.token_max_ttl, 3600);
  assert.equal(r.token_num_uses, 3);
  assert.deepEqual([r.ttl, r.max_ttl, r.num_uses, r.policies], [600, 3600, 3, ['ci']]);
  assert.ok(!('period' in r) && !('bound_cidrs' in r), 'unset deprecated fields are not shown');
  const auth = (await login(await iss.sign(iss.keys[0]!, gh()), 'old')).body.auth;
  assert.equal(auth.lease_duration, 600);
  assert.equal(auth.num_uses, 3);
  assert.deepEqual(auth.token_policies, ['ci', 'default']);
  await srv.api('POST', 'auth/jwt/role/old', { token_ttl: '5m' });
  const after = (await srv.api('GET', 'auth/jwt/role/old')).body.data;
  assert.equal(after.token_ttl, 300);
  assert.ok(!('ttl' in after), 'the token_ name clears the deprecated one');
  assert.equal(after.max_ttl, 3600);
  await srv.api('POST', 'auth/jwt/role/fenced', { ...base, bound_cidrs: '10.0.0.0/8' });
  assert.deepEqual((await srv.api('GET', 'auth/jwt/role/fenced')).body.data.bound_cidrs, ['10.0.0.0/8']);
  const fenced = await login(await iss.sign(iss.keys[0]!, gh()), 'fenced');
  assert.equal(fenced.status, 403, 'bound_cidrs binds the login');
});

test('a token_period above the mount\'s max TTL is refused with Vault\'s text', async () => {
  const base = { role_type: 'jwt', user_claim: 'sub', bound_audiences: ['https://github.com/acme'] };
  for (const body of [{ token_period: '800h' }, { period: 800 * 3600 }]) {
    const r = await srv.api('POST', 'auth/jwt/role/long', { ...base, ...body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.deepEqual(r.body.errors, ['\'period\' of \'"800h0m0s"\' is greater than the backend\'s maximum lease TTL of \'"768h0m0s"\'']);
  }
  assert.equal((await srv.api('POST', 'auth/jwt/role/long', { ...base, token_period: '24h' })).status, 204);
});

test('user_claim is a JSON pointer only with user_claim_json_pointer, as in Vault', async () => {
  const base = { role_type: 'jwt', bound_audiences: ['https://github.com/acme'], user_claim: '/actor/login' };
  await srv.api('POST', 'auth/jwt/role/plain', base);
  assert.equal((await srv.api('GET', 'auth/jwt/role/plain')).body.data.user_claim_json_pointer, false);
  const jwt = await iss.sign(iss.keys[0]!, gh({ actor: { login: 'octocat' } }));
  assert.deepEqual((await login(jwt, 'plain')).body.errors, ['claim "/actor/login" not found in token']);
  await srv.api('POST', 'auth/jwt/role/pointer', { ...base, user_claim_json_pointer: true });
  assert.equal((await srv.api('GET', 'auth/jwt/role/pointer')).body.data.user_claim_json_pointer, true);
  const ok = await login(jwt, 'pointer');
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const self = await call(srv, ok.body.auth.client_token, 'GET', 'auth/token/lookup-self');
  assert.equal(self.body.data.display_name, 'jwt-octocat');
  // A role stored before the flag existed keeps reading a '/' user_claim as a pointer.
  const view = srv.core.unsealed.mounts.viewOf(srv.core.unsealed.mounts.get('auth', 'jwt/')!);
  const stored = JSON.parse((await view.get('role/plain'))!.toString('utf8')) as Record<string, unknown>;
  delete stored.user_claim_json_pointer;
  await view.put('role/older', Buffer.from(JSON.stringify(stored)));
  assert.equal((await srv.api('GET', 'auth/jwt/role/older')).body.data.user_claim_json_pointer, true);
  assert.equal((await login(jwt, 'older')).status, 200);
  // Vault takes only a string as the user.
  for (const login_ of [42, { id: 1 }, true]) {
    const odd = await login(await iss.sign(iss.keys[0]!, gh({ actor: { login: login_ } })), 'pointer');
    assert.deepEqual(odd.body.errors, ['claim "/actor/login" could not be converted to string'], JSON.stringify(login_));
  }
});

test('renewal follows the role: changed policies do not refuse it, a deleted role does (Vault\'s text)', async () => {
  const base = { role_type: 'jwt', user_claim: 'sub', bound_audiences: ['https://github.com/acme'], token_policies: 'ci', token_ttl: '10m' };
  assert.equal((await srv.api('POST', 'auth/jwt/role/renewing', base)).status, 204);
  const token = (await login(await iss.sign(iss.keys[0]!, gh()), 'renewing')).body.auth.client_token as string;
  assert.equal((await srv.api('POST', 'auth/jwt/role/renewing', { token_policies: 'other' })).status, 204);
  const renewed = await call(srv, token, 'POST', 'auth/token/renew-self', {});
  assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
  assert.deepEqual(renewed.body.auth.token_policies, ['ci', 'default'], 'the token keeps its policies');
  await srv.api('DELETE', 'auth/jwt/role/renewing');
  const refused = await call(srv, token, 'POST', 'auth/token/renew-self', {});
  assert.equal(refused.status, 400);
  assert.deepEqual(refused.body.errors, ['role renewing does not exist during renewal']);
});

test('renewal applies the role\'s current token_ttl and token_max_ttl, as Vault re-reads the role', async () => {
  const base = { role_type: 'jwt', user_claim: 'sub', bound_audiences: ['https://github.com/acme'], token_ttl: '10m', token_max_ttl: '1h' };
  assert.equal((await srv.api('POST', 'auth/jwt/role/ttls', base)).status, 204);
  const token = (await login(await iss.sign(iss.keys[0]!, gh()), 'ttls')).body.auth.client_token as string;
  clock.advance(60_000);
  assert.equal((await srv.api('POST', 'auth/jwt/role/ttls', { token_ttl: '20m', token_max_ttl: '30m' })).status, 204);
  await assertRenewsWithCurrentTtls((body) => call(srv, token, 'POST', 'auth/token/renew-self', body), 1);
});

test('claim_mappings takes key=value pairs as well as an object (Vault\'s TypeKVPairs, what the CLI sends)', async () => {
  const base = { role_type: 'jwt', user_claim: 'sub', bound_audiences: ['https://github.com/acme'] };
  const w = await srv.api('POST', 'auth/jwt/role/pairs', { ...base, claim_mappings: ['repository=repo', 'ref=git_ref'] });
  assert.equal(w.status, 204, JSON.stringify(w.body));
  assert.deepEqual((await srv.api('GET', 'auth/jwt/role/pairs')).body.data.claim_mappings, { repository: 'repo', ref: 'git_ref' });
  const auth = (await login(await iss.sign(iss.keys[0]!, gh()), 'pairs')).body.auth;
  assert.deepEqual(auth.metadata, { role: 'pairs', repo: 'acme/api', git_ref: 'refs/heads/main' });
  assert.equal((await srv.api('POST', 'auth/jwt/role/pairs', { claim_mappings: 'environment=env' })).status, 204);
  assert.deepEqual((await srv.api('GET', 'auth/jwt/role/pairs')).body.data.claim_mappings, { environment: 'env' });
  const bad = await srv.api('POST', 'auth/jwt/role/pairs', { claim_mappings: ['=x'] });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.errors, ['error converting input for field "claim_mappings": invalid key pair "=x"']);
});

test('the jwt never appears in the server log', async () => {
  const jwt = await iss.sign(iss.keys[0]!, gh({ repository: 'evil/api' }));
  await login(jwt);
  assert.ok(!srv.log().includes(jwt.split('.')[2]!));
});
