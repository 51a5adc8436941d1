// Talking to the OIDC provider for a browser login: the authorization URL, the code exchange
// (client secret + PKCE verifier), the ID token's checks and the best-effort /userinfo.
import type { Logger } from '../../core/log.js';
import { audienceHas, ClaimsError, validateTimes } from './claims.js';
import { keySource, type Discovered, type JwtConfig } from './config.js';
import { fetchWithCa, SignatureError, verifierFor } from './keys.js';
import { pkceChallenge, type OidcState } from './oidc-state.js';
import type { JwtRole } from './roles.js';

/** An exchange or ID token failure; the message goes inside Vault's "Error exchanging oidc code" text. */
export class ExchangeError extends Error {}

const LOOPBACKS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Vault's redirect check: exact, except that a loopback URI matches an entry whatever the port (RFC 8252 7.3). */
export function validRedirect(uri: string, allowed: string[]): boolean {
  let input: URL;
  try { input = new URL(uri); } catch { return false; }
  if (!LOOPBACKS.has(input.hostname)) return allowed.includes(uri);
  const portless = (u: URL) => { const c = new URL(u.href); c.port = ''; return c.href; };
  return allowed.some((a) => {
    try { const entry = new URL(a); return entry.hostname === input.hostname && portless(entry) === portless(input); } catch { return false; }
  });
}

/** The provider's authorization URL for one state. */
export function authorizationUrl(d: Discovered, clientId: string, role: JwtRole, stateId: string, state: OidcState): string {
  const url = new URL(d.authorization_endpoint);
  const scopes = ['openid', ...role.oidc_scopes.filter((s) => s !== 'openid')];
  const params = {
    client_id: clientId, code_challenge: pkceChallenge(state.verifier), code_challenge_method: 'S256', nonce: state.nonce,
    redirect_uri: state.redirectUri, response_type: 'code', scope: scopes.join(' '), state: stateId,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  // OIDC Core 3.1.2.1: the provider must re-authenticate a user whose login is older than this.
  if ((role.max_age ?? 0) > 0) url.searchParams.set('max_age', String(role.max_age));
  return url.href;
}

type Tokens = { idToken: string; accessToken: string };

/** POSTs the code to the token endpoint with HTTP Basic client authentication and the PKCE verifier. */
async function exchange(config: JwtConfig, d: Discovered, state: OidcState, code: string): Promise<Tokens> {
  const f = fetchWithCa(config.oidc_discovery_ca_pem) ?? fetch;
  const basic = Buffer.from(`${encodeURIComponent(config.oidc_client_id)}:${encodeURIComponent(config.oidc_client_secret)}`).toString('base64');
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: state.redirectUri, code_verifier: state.verifier });
  let res: Response;
  try {
    res = await f(d.token_endpoint, {
      method: 'POST', signal: AbortSignal.timeout(10_000), body: body.toString(),
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
  } catch {
    throw new ExchangeError('oauth2: cannot fetch token: the token endpoint could not be reached');
  }
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.status !== 200) {
    // The provider's error code and description are its own words about our request, not secrets.
    throw new ExchangeError(`oauth2: ${JSON.stringify(String(answer.error ?? res.status))} ${JSON.stringify(String(answer.error_description ?? ''))}`);
  }
  if (typeof answer.id_token !== 'string' || answer.id_token === '') throw new ExchangeError('id_token is missing from auth code exchange');
  return { idToken: answer.id_token, accessToken: typeof answer.access_token === 'string' ? answer.access_token : '' };
}

/** The ID token's checks: JWKS signature, iss, aud ∋ client id (and a bound audience), times, nonce. */
async function verifyIdToken(mountUuid: string, config: JwtConfig, d: Discovered, role: JwtRole, state: OidcState, idToken: string, now: number): Promise<Record<string, unknown>> {
  const fail = (why: string) => new ExchangeError(`id_token failed verification: ${why}`);
  let claims: Record<string, unknown>;
  try {
    const payload = await verifierFor(mountUuid, keySource(config), config.jwt_supported_algs).verify(idToken);
    claims = JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof SignatureError) throw fail(err.message);
    throw fail('the id_token payload is not JSON');
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw fail('the id_token payload is not a JSON object');
  // OIDC Core 3.1.3.7: the ID token's iss is the provider's issuer (the discovery URL).
  if (claims.iss !== d.issuer) throw fail('invalid id_token issuer');
  if (!audienceHas(claims, [config.oidc_client_id])) throw fail('invalid id_token audiences');
  if (role.bound_audiences.length > 0 && !audienceHas(claims, role.bound_audiences)) throw fail('invalid id_token audiences');
  try {
    validateTimes(claims, role, now);
  } catch (err) {
    if (err instanceof ClaimsError) throw fail(err.message);
    throw err;
  }
  if (claims.nonce !== state.nonce) throw fail('invalid id_token nonce');
  checkAuthTime(claims, role, now, fail);
  return claims;
}

/** With max_age, OIDC Core 3.1.3.7: auth_time must be present and no older than max_age (plus the clock skew). */
function checkAuthTime(claims: Record<string, unknown>, role: JwtRole, now: number, fail: (why: string) => Error): void {
  const maxAge = role.max_age ?? 0;
  if (maxAge <= 0) return;
  if (typeof claims.auth_time !== 'number') throw fail('missing auth_time claim when max age was requested');
  const skew = role.clock_skew_leeway === 0 ? 60 : Math.max(role.clock_skew_leeway, 0);
  if ((claims.auth_time + maxAge + skew) * 1000 < now) throw fail(`auth_time is beyond max age (${maxAge})`);
}

/** Merges the provider's /userinfo into the claims; a failure is logged, never fatal (as in Vault). */
async function mergeUserinfo(config: JwtConfig, d: Discovered, accessToken: string, claims: Record<string, unknown>, log: Logger): Promise<void> {
  if (d.userinfo_endpoint === '' || accessToken === '') {
    log.info('error reading /userinfo endpoint', { reason: 'user info endpoint is not supported by this provider' });
    return;
  }
  try {
    const f = fetchWithCa(config.oidc_discovery_ca_pem) ?? fetch;
    const res = await f(d.userinfo_endpoint, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    const info = (await res.json()) as Record<string, unknown>;
    // OIDC Core 5.3.2: the answer is about the ID token's subject, or it is not used.
    if (info === null || typeof info !== 'object' || info.sub !== claims.sub) throw new Error('userinfo sub does not match the id_token sub');
    Object.assign(claims, info);
  } catch (err) {
    log.warn('error reading /userinfo endpoint', { reason: (err as Error).message });
  }
}

/** The ID token without its signature, as verbose_oidc_logging shows it. */
function unsigned(idToken: string): string {
  const parts = idToken.split('.');
  return parts.length === 3 ? `${parts[0]}.${parts[1]}.xxxxxxxxxxx` : 'invalid token format';
}

/** Code → verified ID token claims merged with /userinfo; the `nonce` claim is dropped. */
export async function claimsForCode(
  o: { mountUuid: string; config: JwtConfig; discovered: Discovered; role: JwtRole; state: OidcState; code: string; now: number; log: Logger },
): Promise<Record<string, unknown>> {
  const tokens = await exchange(o.config, o.discovered, o.state, o.code);
  if (o.role.verbose_oidc_logging) o.log.debug('OIDC provider response', { unsigned_id: unsigned(tokens.idToken) });
  const claims = await verifyIdToken(o.mountUuid, o.config, o.discovered, o.role, o.state, tokens.idToken, o.now);
  delete claims.nonce;
  await mergeUserinfo(o.config, o.discovered, tokens.accessToken, claims, o.log);
  if (o.role.verbose_oidc_logging) o.log.debug('OIDC provider response', { claims: JSON.stringify(claims) });
  return claims;
}
