// A service-account JWT: its signature (against pem_keys when set, otherwise only parsed, as
// Vault does: the TokenReview is the proof), the standard claim checks with Vault's texts, and
// the service account it names in either claim shape (legacy secret-based or projected).
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { BadRequest } from '../../util/errors.js';

/** The algorithms Kubernetes signs service-account tokens with (Vault's list). */
export const SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'];

/** Vault's default issuer when issuer validation is on and none is configured. */
export const DEFAULT_ISSUER = 'kubernetes/serviceaccount';

/** Leeways of Vault's claim checks, in seconds: skew on every time, 150 s for a synthesised exp/nbf. */
const CLOCK_SKEW = 60;
const MISSING_TIME_LEEWAY = 150;

/** A signature that did not verify (or a token that does not parse): 403 "permission denied". */
export class SignatureFailure extends Error {}

/** A claim that fails a check: 403 with this message (Vault's text). */
export class ClaimsFailure extends Error {}

/** Reads a PEM public key or certificate; only RSA and EC keys verify service-account tokens. */
export function parseVerificationKey(pem: string): KeyObject {
  let key: KeyObject | undefined;
  try {
    key = pem.includes('CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
  } catch {
    key = undefined;
  }
  if (!key || (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec')) {
    throw new BadRequest('data does not contain any valid RSA or ECDSA public keys');
  }
  return key;
}

function payloadOf(jwt: string): Record<string, unknown> {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new SignatureFailure('compact JWS format must have three parts');
  let header: { alg?: unknown };
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw new SignatureFailure('the protected header is not valid');
  }
  if (typeof header.alg !== 'string' || !SIGNING_ALGS.includes(header.alg)) throw new SignatureFailure('unexpected signature algorithm');
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    throw new SignatureFailure('the payload is not JSON');
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw new SignatureFailure('the payload is not a JSON object');
  return claims as Record<string, unknown>;
}

/** The token's claims; with keys, only once one of them verified the signature. */
export async function readClaims(jwt: string, pemKeys: string[]): Promise<Record<string, unknown>> {
  const claims = payloadOf(jwt);
  if (pemKeys.length === 0) {
    // Unverified, but still a signed token (Vault's algorithm-header check).
    if (jwt.endsWith('.')) throw new ClaimsFailure('invalid algorithm (alg) header parameter: token must be signed');
    return claims;
  }
  for (const pem of pemKeys) {
    try {
      await compactVerify(jwt, parseVerificationKey(pem), { algorithms: SIGNING_ALGS });
      return claims;
    } catch {
      // the next key may be the signer
    }
  }
  throw new SignatureFailure('no known key successfully validated the token signature');
}

const audiencesOf = (aud: unknown): string[] =>
  typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];

function secondsOf(claims: Record<string, unknown>, name: string): number {
  const v = claims[name];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number') throw new ClaimsFailure(`invalid ${name} claim: not a number`);
  return Math.trunc(v);
}

/**
 * iss (when `issuer` is given), aud (when the role names one), then the times, which legacy
 * tokens lack entirely: then the time check is skipped. A missing exp or nbf is synthesised
 * from the others as Vault's validator does. `now` in ms.
 */
export function checkClaims(claims: Record<string, unknown>, want: { issuer?: string; audience: string }, now: number): void {
  if (want.issuer !== undefined && claims.iss !== want.issuer) throw new ClaimsFailure('invalid issuer (iss) claim');
  if (want.audience !== '' && !audiencesOf(claims.aud).includes(want.audience)) {
    throw new ClaimsFailure('invalid audience (aud) claim: audience claim does not match any expected audience');
  }
  const iat = secondsOf(claims, 'iat');
  let exp = secondsOf(claims, 'exp');
  let nbf = secondsOf(claims, 'nbf');
  if (iat === 0 && exp === 0 && nbf === 0) return;
  if (exp === 0) exp = Math.max(iat, nbf) + MISSING_TIME_LEEWAY;
  if (nbf === 0) nbf = iat !== 0 ? iat : exp - MISSING_TIME_LEEWAY;
  const t = now / 1000;
  if (t + CLOCK_SKEW < nbf) throw new ClaimsFailure('invalid not before (nbf) claim: token not yet valid');
  if (t - CLOCK_SKEW > exp) throw new ClaimsFailure('invalid expiration time (exp) claim: token is expired');
  if (iat !== 0 && t + CLOCK_SKEW < iat) throw new ClaimsFailure('invalid issued at (iat) claim: token issued in the future');
}

/** The service account a token names. */
export type ServiceAccount = { name: string; namespace: string; uid: string; secretName: string; audiences: string[] };

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const obj = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** Projected tokens keep the account under `kubernetes.io`; when present it wins over the legacy claims. */
export function serviceAccountOf(claims: Record<string, unknown>): ServiceAccount {
  const projected = obj(claims['kubernetes.io']);
  const account = obj(projected?.serviceaccount);
  return {
    name: account ? str(account.name) : str(claims['kubernetes.io/serviceaccount/service-account.name']),
    namespace: projected ? str(projected.namespace) : str(claims['kubernetes.io/serviceaccount/namespace']),
    uid: account ? str(account.uid) : str(claims['kubernetes.io/serviceaccount/service-account.uid']),
    secretName: str(claims['kubernetes.io/serviceaccount/secret.name']),
    audiences: audiencesOf(claims.aud),
  };
}
