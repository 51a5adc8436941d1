// The OIDC authorization-code flow against the real oidc-provider on loopback: auth_url →
// provider login and consent → callback; groups to an external group's policy; Vault's texts
// for bad states, tampered auth URLs and client nonces; redirect URI rules; config refusals.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/util/clock.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { AUTH_BLOCK_KEYS, call } from '../helpers.js';
import { browse, CLIENT_ID, CLIENT_SECRET, startProvider } from './provider.js';

const REDIRECT = 'http://127.0.0.1:8250/oidc/callback';
const UI_REDIRECT = 'https://vault.example.com/ui/vault/auth/oidc/oidc/callback';
const clock = new ManualClock(Date.now());
let srv: TestServer;
let idp: Awaited<ReturnType<typeof startProvider>>;

before(async () => {
  idp = await startProvider([REDIRECT, 'http://localhost:8250/oidc/callback']);
  srv = await startTestServer({ clock, logLevel: 'debug' });
  assert.equal((await srv.api('POST', 'sys/auth/oidc', { type: 'oidc' })).status, 204);
  const cfg = await srv.api('POST', 'auth/oidc/config', {
    oidc_discovery_url: idp.url, oidc_client_id: CLIENT_ID, oidc_client_secret: CLIENT_SECRET, default_role: 'web',
  });
  assert.equal(cfg.status, 204, JSON.stringify(cfg.body));
  const role = await srv.api('POST', 'auth/oidc/role/web', {
    user_claim: 'sub', groups_claim: 'groups', oidc_scopes: ['email', 'groups'], claim_mappings: { email: 'email' },
    allowed_redirect_uris: [REDIRECT, UI_REDIRECT], token_policies: ['web'],
  });
  assert.equal(role.status, 204, JSON.stringify(role.body));
  const accessor = (await srv.api('GET', 'sys/auth')).body.data['oidc/'].accessor as string;
  const group = await srv.api('POST', 'identity/group', { name: 'eng', type: 'external', policies: ['eng-policy'] });
  const alias = await srv.api('POST', 'identity/group-alias', { name: 'engineering', mount_accessor: accessor, canonical_id: group.body.data.id });
  assert.equal(alias.status, 200, JSON.stringify(alias.body));
});
after(async () => { await srv.close(); await idp.close(); });

const authUrl = async (body: Record<string, unknown>) => {
  const r = await call(srv, '', 'POST', 'auth/oidc/oidc/auth_url', body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.data.auth_url as string;
};
const callback = (q: Record<string, string>) => call(srv, '', 'GET', `auth/oidc/oidc/callback?${new URLSearchParams(q)}`);
/** auth_url, then the provider's pages as `user`; answers the redirect's code and state. */
async function signIn(user: string, body: Record<string, unknown> = {}, tamper?: (u: URL) => void) {
  const url = new URL(await authUrl({ redirect_uri: REDIRECT, ...body }));
  tamper?.(url);
  const back = await browse(url.href, user);
  assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
  return { code: back.searchParams.get('code') ?? '', state: back.searchParams.get('state') ?? '' };
}

test('auth_url names the provider, the client, PKCE S256 and fresh state and nonce', async () => {
  const u = new URL(await authUrl({ role: 'web', redirect_uri: REDIRECT }));
  assert.equal(u.origin, idp.url);
  const p = u.searchParams;
  assert.equal(p.get('client_id'), CLIENT_ID);
  assert.equal(p.get('redirect_uri'), REDIRECT);
  assert.equal(p.get('response_type'), 'code');
  assert.equal(p.get('scope'), 'openid email groups');
  assert.equal(p.get('code_challenge_method'), 'S256');
  assert.match(p.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
  assert.match(p.get('state') ?? '', /^[0-9a-f]{40}$/);
  assert.match(p.get('nonce') ?? '', /^[0-9a-f]{40}$/);
  const again = new URL(await authUrl({ redirect_uri: REDIRECT }));
  assert.notEqual(again.searchParams.get('state'), p.get('state'));
  assert.notEqual(again.searchParams.get('nonce'), p.get('nonce'));
});

test('the browser flow logs in; provider groups give the external group\'s policy; the state is single-use', async () => {
  const { code, state } = await signIn('alice', { client_nonce: 'cli-nonce-0123456789' });
  const r = await callback({ state, code, client_nonce: 'cli-nonce-0123456789' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const auth = r.body.auth;
  for (const k of AUTH_BLOCK_KEYS) assert.ok(k in auth, k);
  assert.deepEqual(auth.metadata, { role: 'web', email: 'alice@example.com' });
  assert.deepEqual(auth.token_policies, ['default', 'web']);
  assert.deepEqual(auth.identity_policies, ['eng-policy']);
  assert.deepEqual(auth.policies, ['default', 'eng-policy', 'web']);
  assert.notEqual(auth.entity_id, '');
  const self = await call(srv, auth.client_token, 'GET', 'auth/token/lookup-self');
  assert.equal(self.body.data.display_name, 'oidc-alice');
  assert.equal(self.body.data.entity_id, auth.entity_id);
  // bob is not in engineering: no identity policies.
  const bob = await signIn('bob');
  const b = await callback(bob);
  assert.equal(b.status, 200, JSON.stringify(b.body));
  assert.equal(b.body.auth.identity_policies, undefined);
  // The state was used once.
  const reused = await callback({ state, code, client_nonce: 'cli-nonce-0123456789' });
  assert.equal(reused.status, 400);
  assert.deepEqual(reused.body.errors, ['Vault login failed. Expired or missing OAuth state.']);
});

test('unknown and expired states get Vault\'s text (expiry on the injected clock)', async () => {
  assert.deepEqual((await callback({ state: 'f'.repeat(40), code: 'x' })).body.errors, ['Vault login failed. Expired or missing OAuth state.']);
  const { code, state } = await signIn('alice');
  clock.advance(10 * 60 * 1000 + 1000);
  const r = await callback({ state, code });
  assert.equal(r.status, 400);
  assert.deepEqual(r.body.errors, ['Vault login failed. Expired or missing OAuth state.']);
});

test('a wrong client_nonce, a tampered nonce or code_challenge fail with Vault\'s texts', async () => {
  const a = await signIn('alice', { client_nonce: 'right-nonce-0123456789' });
  const wrong = await callback({ ...a, client_nonce: 'wrong-nonce-0123456789' });
  assert.equal(wrong.status, 400);
  assert.deepEqual(wrong.body.errors, ['invalid client_nonce']);
  const missing = await signIn('alice', { client_nonce: 'right-nonce-0123456789' });
  assert.deepEqual((await callback(missing)).body.errors, ['invalid client_nonce']);

  const nonce = await signIn('alice', {}, (u) => u.searchParams.set('nonce', 'f'.repeat(40)));
  const n = await callback(nonce);
  assert.equal(n.status, 400);
  assert.deepEqual(n.body.errors, ['Vault login failed. Error exchanging oidc code: "id_token failed verification: invalid id_token nonce".']);

  const pkce = await signIn('alice', {}, (u) => u.searchParams.set('code_challenge', 'A'.repeat(43)));
  const p = await callback(pkce);
  assert.equal(p.status, 400);
  // The provider refuses the verifier that does not match the challenge it was shown.
  assert.deepEqual(p.body.errors, ['Vault login failed. Error exchanging oidc code: "oauth2: \\"invalid_grant\\" \\"grant request is invalid\\"".']);
});

test('redirect URIs: outside the list gives an empty auth_url and a warning; loopback matches any port', async () => {
  assert.equal(await authUrl({ redirect_uri: 'https://evil.example.com/callback' }), '');
  assert.match(srv.log(), /unauthorized redirect_uri/);
  assert.equal(await authUrl({ redirect_uri: 'http://127.0.0.1:1234/oidc/callback/x' }), '');
  assert.equal(await authUrl({ redirect_uri: 'http://localhost:8250/oidc/callback' }), '');
  const any = new URL(await authUrl({ redirect_uri: 'http://127.0.0.1:49152/oidc/callback' }));
  assert.equal(any.searchParams.get('redirect_uri'), 'http://127.0.0.1:49152/oidc/callback');
  assert.notEqual(await authUrl({ redirect_uri: UI_REDIRECT }), '');
  assert.equal(await authUrl({ redirect_uri: `${UI_REDIRECT}/` }), '');
  const r = await call(srv, '', 'POST', 'auth/oidc/oidc/auth_url', { role: 'web' });
  assert.deepEqual(r.body.errors, ['missing redirect_uri']);
  const nope = await call(srv, '', 'POST', 'auth/oidc/oidc/auth_url', { role: 'nope', redirect_uri: REDIRECT });
  assert.deepEqual(nope.body.errors, ['role "nope" could not be found']);
});

test('oidc roles and config: Vault\'s refusals and defaults', async () => {
  const refused = async (path: string, body: Record<string, unknown>, text: string) => {
    const r = await srv.api('POST', path, body);
    assert.equal(r.status, 400, path);
    assert.deepEqual(r.body.errors, [text]);
  };
  await refused('auth/oidc/role/x', { user_claim: 'sub' }, "'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.");
  await refused('auth/oidc/role/x', { user_claim: 'sub', allowed_redirect_uris: [REDIRECT], callback_mode: 'device' }, 'unsupported callback_mode: "device" (only \'client\' is supported)');
  await refused('auth/oidc/role/x', { user_claim: 'sub', role_type: 'saml' }, "invalid 'role_type': saml");
  const base = { oidc_discovery_url: idp.url, oidc_client_id: CLIENT_ID, oidc_client_secret: CLIENT_SECRET };
  await refused('auth/oidc/config', { oidc_discovery_url: idp.url, oidc_client_id: CLIENT_ID }, "both 'oidc_client_id' and 'oidc_client_secret' must be set for OIDC");
  await refused('auth/oidc/config', { ...base, oidc_response_mode: 'form_post' }, "unsupported oidc_response_mode: 'form_post' (only 'query' is supported)");
  await refused('auth/oidc/config', { ...base, oidc_response_types: ['code', 'id_token'] }, "unsupported oidc_response_types: 'id_token' (only 'code' is supported)");
  await refused('auth/oidc/config', { ...base, oidc_response_mode: 'fragment' }, 'invalid response_mode: "fragment"');
  const role = (await srv.api('GET', 'auth/oidc/role/web')).body.data;
  assert.equal(role.role_type, 'oidc');
  assert.deepEqual(role.oidc_scopes, ['email', 'groups']);
  assert.equal(role.verbose_oidc_logging, false);
  assert.equal(role.callback_mode, 'client');
  assert.equal(role.clock_skew_leeway, 60);
  const cfg = (await srv.api('GET', 'auth/oidc/config')).body.data;
  assert.equal(cfg.oidc_client_id, CLIENT_ID);
  assert.equal(cfg.oidc_response_mode, 'query');
  assert.deepEqual(cfg.oidc_response_types, ['code']);
  assert.ok(!('oidc_client_secret' in cfg));
  // jwt login on an oidc role is refused, as in Vault.
  assert.deepEqual((await call(srv, '', 'POST', 'auth/oidc/login', { role: 'web', jwt: 'x' })).body.errors, ['role with oidc role_type is not allowed']);
});

test('token_bound_cidrs refuses a callback from elsewhere with 403', async () => {
  const r = await srv.api('POST', 'auth/oidc/role/fenced', { user_claim: 'sub', allowed_redirect_uris: [REDIRECT], token_bound_cidrs: ['10.0.0.0/8'] });
  assert.equal(r.status, 204, JSON.stringify(r.body));
  const { code, state } = await signIn('alice', { role: 'fenced' });
  const cb = await callback({ code, state });
  assert.equal(cb.status, 403);
  assert.deepEqual(cb.body.errors, ['permission denied']);
});

test('the client secret, codes, states and client nonces reach neither the server log nor the audit log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-oidc-audit-'));
  try {
    const file = join(dir, 'audit.log');
    assert.equal((await srv.api('PUT', 'sys/audit/oidc-canary', { type: 'file', options: { file_path: file } })).status, 204);
    const { code, state } = await signIn('alice', { client_nonce: 'canary-client-nonce-42' });
    assert.equal((await callback({ code, state, client_nonce: 'canary-client-nonce-42' })).status, 200);
    assert.equal((await srv.api('DELETE', 'sys/audit/oidc-canary')).status, 204);
    const audit = readFileSync(file, 'utf8');
    assert.match(audit, /oidc\/callback/);
    assert.match(audit, /hmac-sha256:/);
    for (const secret of [CLIENT_SECRET, code, state, 'canary-client-nonce-42']) {
      assert.ok(!srv.log().includes(secret), `server log: ${secret}`);
      assert.ok(!audit.includes(secret), `audit log: ${secret}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('verbose_oidc_logging logs the ID token without its signature, and the claims, at debug level', async () => {
  assert.equal((await srv.api('POST', 'auth/oidc/role/verbose', { user_claim: 'sub', allowed_redirect_uris: [REDIRECT], oidc_scopes: ['email'], verbose_oidc_logging: true })).status, 204);
  const quiet = srv.log().split('\n').filter((l) => l.includes('OIDC provider response')).length;
  assert.equal(quiet, 0);
  const r = await callback(await signIn('alice', { role: 'verbose' }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const lines = srv.log().split('\n').filter((l) => l.includes('OIDC provider response'));
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /\[DEBUG\].*unsigned_id="[\w-]+\.[\w-]+\.xxxxxxxxxxx"/);
  assert.match(lines[1]!, /\[DEBUG\].*claims=.*alice@example\.com/);
});

test('max_age goes to the provider and bounds auth_time in the ID token', async () => {
  // The provider stamps auth_time from the real clock; earlier tests moved the server's ahead.
  const maxAge = Math.ceil((clock.now() - Date.now()) / 1000) + 120;
  const r = await srv.api('POST', 'auth/oidc/role/fresh', { user_claim: 'sub', allowed_redirect_uris: [REDIRECT], max_age: `${maxAge}s` });
  assert.equal(r.status, 204, JSON.stringify(r.body));
  assert.equal((await srv.api('GET', 'auth/oidc/role/fresh')).body.data.max_age, maxAge);
  assert.equal((await srv.api('GET', 'auth/oidc/role/web')).body.data.max_age, 0);
  const u = new URL(await authUrl({ role: 'fresh', redirect_uri: REDIRECT }));
  assert.equal(u.searchParams.get('max_age'), String(maxAge));
  const ok = await callback(await signIn('alice', { role: 'fresh' }));
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const late = await signIn('alice', { role: 'fresh' });
  // Within the state's 10 minutes, but past max_age and the 60 s skew.
  clock.advance(200_000);
  const cb = await callback(late);
  assert.equal(cb.status, 400);
  assert.deepEqual(cb.body.errors, [`Vault login failed. Error exchanging oidc code: "id_token failed verification: auth_time is beyond max age (${maxAge})".`]);
});
