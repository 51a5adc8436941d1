// Each bad token gets Vault's text over all three key sources (discovery, jwks_url, static PEM
// keys); the leeways standing in for a missing exp or nbf, on the injected clock; token_bound_cidrs
// at login; a groups claim giving an external group's policy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, type JsonWebKey as NodeJwk } from 'node:crypto';
import { ManualClock } from '../../../src/util/clock.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { call } from '../helpers.js';
import { makeKey, startIssuer, unsignedToken, type IssuerKey } from './issuer.js';

const clock = new ManualClock();
let srv: TestServer;
let iss: Awaited<ReturnType<typeof startIssuer>>;
let k1: IssuerKey;
let ec: IssuerKey;
const now = () => Math.floor(clock.now() / 1000);
const SOURCES = ['disc', 'jwks', 'static'] as const;
const pemOf = (k: IssuerKey) => createPublicKey({ key: k.jwk as NodeJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
const claims = (extra: Record<string, unknown> = {}) => ({ iss: iss.url, aud: 'lockbox', sub: 'svc-1', groups: ['ops'], iat: now(), exp: now() + 300, ...extra });

before(async () => {
  iss = await startIssuer();
  k1 = await makeKey('k1');
  ec = await makeKey('ec1', 'ES256');
  iss.keys.push(k1, ec);
  srv = await startTestServer({ clock });
  const configs: Record<string, Record<string, unknown>> = {
    disc: { oidc_discovery_url: iss.url },
    jwks: { jwks_url: `${iss.url}/.well-known/jwks` },
    static: { jwt_validation_pubkeys: [pemOf(k1), pemOf(ec)] },
  };
  for (const m of SOURCES) {
    // A group has one alias, so one external group per mount.
    const group = await srv.api('POST', 'identity/group', { name: `ops-${m}`, type: 'external', policies: ['ops-policy'] });
    assert.equal((await srv.api('POST', `sys/auth/${m}`, { type: 'jwt' })).status, 204);
    const cfg = await srv.api('POST', `auth/${m}/config`, { ...configs[m], bound_issuer: iss.url });
    assert.equal(cfg.status, 204, JSON.stringify(cfg.body));
    const role = await srv.api('POST', `auth/${m}/role/svc`, {
      role_type: 'jwt', user_claim: 'sub', bound_audiences: ['lockbox'], bound_subject: 'svc-1', groups_claim: 'groups', token_policies: ['svc'],
    });
    assert.equal(role.status, 204, JSON.stringify(role.body));
    const accessor = (await srv.api('GET', 'sys/auth')).body.data[`${m}/`].accessor as string;
    assert.equal((await srv.api('POST', 'identity/group-alias', { name: 'ops', mount_accessor: accessor, canonical_id: group.body.data.id })).status, 200);
  }
});
after(async () => { await srv.close(); await iss.close(); });

const login = (mount: string, jwt: string, role = 'svc') => call(srv, '', 'POST', `auth/${mount}/login`, { role, jwt });

test('a good token logs in over every source; its groups claim gives the external group\'s policy', async () => {
  for (const m of SOURCES) {
    const r = await login(m, await iss.sign(k1, claims()));
    assert.equal(r.status, 200, `${m}: ${JSON.stringify(r.body)}`);
    assert.deepEqual(r.body.auth.identity_policies, ['ops-policy'], m);
    assert.deepEqual(r.body.auth.policies, ['default', 'ops-policy', 'svc'], m);
    // Without an OIDC client the browser flow is not offered.
    const u = await call(srv, '', 'POST', `auth/${m}/oidc/auth_url`, { role: 'svc', redirect_uri: 'http://127.0.0.1:8250/oidc/callback' });
    assert.deepEqual(u.body.errors, ['OIDC login is not configured for this mount'], m);
  }
});

test('each bad token gets Vault\'s text over discovery, JWKS and static keys', async () => {
  const p = 'error validating token: ';
  const stranger = await makeKey('ghost');
  const sig = (m: string) => `${p}error verifying token signature: ${m === 'static' ? 'no known key successfully validated the token signature' : 'failed to verify id token signature'}`;
  const cases: Array<[string, () => Promise<string> | string, (m: string) => string]> = [
    ['aud', () => iss.sign(k1, claims({ aud: 'other' })), () => `${p}invalid audience (aud) claim: audience claim does not match any expected audience`],
    ['iss', () => iss.sign(k1, claims({ iss: 'https://evil.example.com' })), () => `${p}invalid issuer (iss) claim`],
    ['sub', () => iss.sign(k1, claims({ sub: 'svc-2' })), () => `${p}invalid subject (sub) claim`],
    ['expired', () => iss.sign(k1, claims({ exp: now() - 61 })), () => `${p}invalid expiration time (exp) claim: token is expired`],
    ['nbf', () => iss.sign(k1, claims({ nbf: now() + 61 })), () => `${p}invalid not before (nbf) claim: token not yet valid`],
    ['iat', () => iss.sign(k1, claims({ iat: now() + 61, nbf: now() })), () => `${p}invalid issued at (iat) claim: token issued in the future`],
    ['no times', () => iss.sign(k1, claims({ iat: undefined, exp: undefined })), () => `${p}no issued at (iat), not before (nbf), or expiration time (exp) claims in token`],
    ['alg none', () => unsignedToken(claims()), sig],
    ['kid in no JWKS', () => iss.sign(stranger, claims()), sig],
    ['another key, known kid', () => iss.sign({ ...stranger, kid: 'k1' }, claims()), sig],
    ['alg outside jwt_supported_algs', () => iss.sign(ec, claims()), sig],
  ];
  for (const m of SOURCES) {
    for (const [name, token, text] of cases) {
      const r = await login(m, await token());
      assert.equal(r.status, 400, `${m}/${name}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(r.body.errors, [text(m)], `${m}/${name}`);
    }
  }
  // Allowing ES256 on the static mount makes the EC token good, so the refusal above was the algorithm's.
  assert.equal((await srv.api('POST', 'auth/static/config', { jwt_validation_pubkeys: [pemOf(k1), pemOf(ec)], bound_issuer: iss.url, jwt_supported_algs: ['RS256', 'ES256'] })).status, 204);
  assert.equal((await login('static', await iss.sign(ec, claims()))).status, 200);
});

test('expiration_leeway and not_before_leeway stand in for a missing exp or nbf (injected clock)', async () => {
  const base = { role_type: 'jwt', user_claim: 'sub', bound_audiences: ['lockbox'] };
  assert.equal((await srv.api('POST', 'auth/disc/role/lee', base)).status, 204);
  assert.equal((await srv.api('POST', 'auth/disc/role/strict', { ...base, expiration_leeway: -1, not_before_leeway: -1, clock_skew_leeway: -1 })).status, 204);
  // Only iat: exp stands at iat + 150s, then the 60s clock skew.
  const t0 = now();
  const onlyIat = await iss.sign(k1, claims({ iat: t0, exp: undefined }));
  clock.advance(210_000);
  assert.equal((await login('disc', onlyIat, 'lee')).status, 200);
  assert.equal((await login('disc', onlyIat, 'strict')).status, 400);
  clock.advance(1000);
  assert.deepEqual((await login('disc', onlyIat, 'lee')).body.errors, ['error validating token: invalid expiration time (exp) claim: token is expired']);
  // Only exp: nbf stands at exp - 150s, then the 60s skew; with -1 leeways, nbf = exp.
  const t1 = now();
  const onlyExp = await iss.sign(k1, claims({ iat: undefined, exp: t1 + 210 }));
  assert.equal((await login('disc', onlyExp, 'lee')).status, 200);
  assert.deepEqual((await login('disc', onlyExp, 'strict')).body.errors, ['error validating token: invalid not before (nbf) claim: token not yet valid']);
  const later = await iss.sign(k1, claims({ iat: undefined, exp: t1 + 211 }));
  assert.deepEqual((await login('disc', later, 'lee')).body.errors, ['error validating token: invalid not before (nbf) claim: token not yet valid']);
});

test('token_bound_cidrs refuses a login from elsewhere with 403', async () => {
  const r = await srv.api('POST', 'auth/jwks/role/fenced', { role_type: 'jwt', user_claim: 'sub', token_bound_cidrs: ['10.0.0.0/8'] });
  assert.equal(r.status, 204, JSON.stringify(r.body));
  const refused = await login('jwks', await iss.sign(k1, claims({ aud: undefined })), 'fenced');
  assert.equal(refused.status, 403);
  assert.deepEqual(refused.body.errors, ['permission denied']);
  assert.equal((await srv.api('POST', 'auth/jwks/role/fenced', { token_bound_cidrs: ['127.0.0.0/8'] })).status, 204);
  assert.equal((await login('jwks', await iss.sign(k1, claims({ aud: undefined })), 'fenced')).status, 200);
});

test('config: what a read shows can be written back (Terraform sends namespace_in_state and provider_config as read)', async () => {
  const read = (await srv.api('GET', 'auth/static/config')).body.data;
  assert.equal(read.namespace_in_state, true);
  const { provider_config: providerConfig, namespace_in_state: inState, jwt_validation_pubkeys: keys, bound_issuer: issuer } = read;
  const back = await srv.api('POST', 'auth/static/config', { jwt_validation_pubkeys: keys, bound_issuer: issuer, provider_config: providerConfig, namespace_in_state: inState });
  assert.equal(back.status, 204, JSON.stringify(back.body));
  const off = await srv.api('POST', 'auth/static/config', { jwt_validation_pubkeys: keys, bound_issuer: issuer, namespace_in_state: false });
  assert.equal(off.status, 204, JSON.stringify(off.body));
  assert.equal((await srv.api('GET', 'auth/static/config')).body.data.namespace_in_state, false);
  const bad = await srv.api('POST', 'auth/static/config', { jwt_validation_pubkeys: keys, namespace_in_state: 'maybe' });
  assert.equal(bad.status, 400);
  const refused = await srv.api('POST', 'auth/static/config', { jwt_validation_pubkeys: keys, provider_config: { provider: 'azure' } });
  assert.deepEqual(refused.body.errors, ['unsupported: provider_config']);
  const restored = await srv.api('POST', 'auth/static/config', { jwt_validation_pubkeys: keys, bound_issuer: issuer });
  assert.equal(restored.status, 204);
  const login = await call(srv, '', 'POST', 'auth/static/login', { role: 'svc', jwt: await iss.sign(k1, claims()) });
  assert.equal(login.status, 200, JSON.stringify(login.body));
});
