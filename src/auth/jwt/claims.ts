// The checks on a verified token's claims, with Vault's texts and in Vault's order, and the
// claim look-ups (names or JSON pointers) that bound_claims and claim_mappings use.
import { globMatch } from '../../util/glob.js';
import type { JwtRole } from './roles.js';

/** A claims failure; its message is Vault's text without the "error validating token: " prefix. */
export class ClaimsError extends Error {}

/** A claim by name, or by JSON pointer when it starts with '/' (`/a/b`, `~1` and `~0` escapes). */
export function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (!name.startsWith('/')) return claims[name];
  let at: unknown = claims;
  for (const raw of name.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

const seconds = (v: unknown) => (typeof v === 'number' ? v : undefined);
/** A role's leeway in seconds: 0 means the default, -1 (any negative) none. */
const leeway = (s: number, fallback: number) => (s === 0 ? fallback : s < 0 ? 0 : s);

/** iss, sub, aud and the times; `now` in ms from the server's clock. */
export function validateStandard(claims: Record<string, unknown>, role: JwtRole, boundIssuer: string, now: number): void {
  if (boundIssuer !== '' && claims.iss !== boundIssuer) throw new ClaimsError('invalid issuer (iss) claim');
  if (role.bound_subject !== '' && claims.sub !== role.bound_subject) throw new ClaimsError('invalid subject (sub) claim');
  if (role.bound_audiences.length > 0 && !audienceHas(claims, role.bound_audiences)) {
    throw new ClaimsError('invalid audience (aud) claim: audience claim does not match any expected audience');
  }
  validateTimes(claims, role, now);
}

/** True when the token's aud (a string or a list) names one of `wanted`. */
export function audienceHas(claims: Record<string, unknown>, wanted: string[]): boolean {
  const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  return aud.some((a) => wanted.includes(String(a)));
}

/**
 * nbf, exp and iat (in that order, as Vault checks them), each within clock_skew_leeway. A missing exp stands at the later of iat and
 * nbf plus expiration_leeway; a missing nbf at iat, else at exp minus not_before_leeway.
 */
export function validateTimes(claims: Record<string, unknown>, role: JwtRole, now: number): void {
  const iat = seconds(claims.iat);
  let exp = seconds(claims.exp);
  let nbf = seconds(claims.nbf);
  if (exp === undefined && nbf === undefined && iat === undefined) throw new ClaimsError('no issued at (iat), not before (nbf), or expiration time (exp) claims in token');
  if (exp === undefined) exp = Math.max(iat ?? -Infinity, nbf ?? -Infinity) + leeway(role.expiration_leeway, 150);
  if (nbf === undefined) nbf = iat ?? exp - leeway(role.not_before_leeway, 150);
  const t = now / 1000;
  const skew = leeway(role.clock_skew_leeway, 60);
  if (t < nbf - skew) throw new ClaimsError('invalid not before (nbf) claim: token not yet valid');
  if (t > exp + skew) throw new ClaimsError('invalid expiration time (exp) claim: token is expired');
  if (iat !== undefined && t < iat - skew) throw new ClaimsError('invalid issued at (iat) claim: token issued in the future');
}


/** bound_claims: each bound claim must be present and one of its values must match one bound value. */
export function validateBoundClaims(claims: Record<string, unknown>, role: JwtRole): void {
  for (const [name, bound] of Object.entries(role.bound_claims)) {
    const actual = claimAt(claims, name);
    if (actual === undefined) throw new ClaimsError(`claim ${JSON.stringify(name)} is missing`);
    const actuals = Array.isArray(actual) ? actual : [actual];
    const wanted = Array.isArray(bound) ? bound : [bound];
    const ok = actuals.some((a) => wanted.some((w) => role.bound_claims_type === 'glob'
      ? typeof a === 'string' && globMatch(String(w), a)
      : (typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean') && String(a) === String(w)));
    if (!ok) throw new ClaimsError(`claim ${JSON.stringify(name)} does not match any associated bound claim values`);
  }
}

/** claim_mappings: the mapped claims that are present and scalar, by their metadata key. */
export function mappedClaims(claims: Record<string, unknown>, mappings: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [claim, key] of Object.entries(mappings)) {
    const v = claimAt(claims, claim);
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[key] = String(v);
  }
  return out;
}

/** groups_claim values: a list of strings or one string; absent gives none. */
export function groupsOf(claims: Record<string, unknown>, groupsClaim: string): string[] {
  if (groupsClaim === '') return [];
  const v = claimAt(claims, groupsClaim);
  if (v === undefined) throw new ClaimsError(`${JSON.stringify(groupsClaim)} claim not found in token`);
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((g): g is string => typeof g === 'string');
  throw new ClaimsError(`${JSON.stringify(groupsClaim)} claim could not be converted to string list`);
}
