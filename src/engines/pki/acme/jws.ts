// JWS authentication of ACME requests (RFC 8555 §6.2), verified with jose: flattened JSON,
// `jwk` for new-account and `kid` (the account URL) after, a fresh nonce and the exact URL.
import { calculateJwkThumbprint, flattenedVerify, importJWK, type JWK } from 'jose';
import type { Storage } from '../../../storage/storage.js';
import { AcmeProblem, malformed, unauthorized } from './problem.js';
import { accounts, spendNonce, type Account } from './state.js';

const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'];

/** A verified request: its payload (undefined for POST-as-GET) and who sent it. */
export type Verified = { payload: Record<string, unknown> | undefined; jwk: JWK; thumbprint: string; account?: Account };

type Body = { protected?: unknown; payload?: unknown; signature?: unknown };

/**
 * Verifies the JWS in `body` for `url`. With `expectJwk` the key comes in the header (new
 * account, revoke by certificate key); otherwise `kid` must name a valid account of ours.
 */
export async function verifyJws(storage: Storage, body: Body, url: string, accountUrlPrefix: string, nowMs: number, expectJwk: 'jwk' | 'kid' | 'either'): Promise<Verified> {
  if (typeof body.protected !== 'string' || typeof body.payload !== 'string' || typeof body.signature !== 'string') {
    throw malformed('request is not a flattened JWS');
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(body.protected, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw malformed('protected header is not valid JSON');
  }
  const alg = String(header.alg ?? '');
  if (!ALGORITHMS.includes(alg)) throw new AcmeProblem('badSignatureAlgorithm', `unsupported signature algorithm: ${alg}`);
  if (typeof header.nonce !== 'string' || !spendNonce(header.nonce, nowMs)) throw new AcmeProblem('badNonce', 'invalid or reused nonce');
  if (header.url !== url) throw unauthorized('the JWS url does not match the request URL');
  const hasJwk = header.jwk !== undefined;
  const hasKid = header.kid !== undefined;
  if (hasJwk === hasKid) throw malformed('exactly one of jwk and kid must be present');
  if (expectJwk === 'jwk' && !hasJwk) throw malformed('this request must carry a jwk');
  if (expectJwk === 'kid' && !hasKid) throw malformed('this request must carry a kid');
  let jwk: JWK;
  let account: Account | undefined;
  if (hasJwk) {
    jwk = header.jwk as JWK;
    if (typeof jwk !== 'object' || jwk === null || 'd' in jwk) throw malformed('invalid jwk');
  } else {
    const kid = String(header.kid);
    if (!kid.startsWith(accountUrlPrefix)) throw new AcmeProblem('accountDoesNotExist', 'unknown account');
    account = await accounts.get(storage, kid.slice(accountUrlPrefix.length));
    if (!account) throw new AcmeProblem('accountDoesNotExist', 'unknown account');
    if (account.status !== 'valid') throw unauthorized(`account is ${account.status}`);
    jwk = account.jwk as JWK;
  }
  try {
    const key = await importJWK(jwk, alg);
    await flattenedVerify({ protected: body.protected, payload: body.payload, signature: body.signature }, key, { algorithms: [alg] });
  } catch {
    throw malformed('JWS signature verification failed');
  }
  let payload: Record<string, unknown> | undefined;
  if (body.payload !== '') {
    try {
      payload = JSON.parse(Buffer.from(body.payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      throw malformed('payload is not valid JSON');
    }
  }
  return { payload, jwk, thumbprint: await calculateJwkThumbprint(jwk), account };
}
