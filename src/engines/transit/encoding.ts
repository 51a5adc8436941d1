// Strict base64 and Vault's `vault:v<N>:<payload>` framing. Node's Buffer.from(…, 'base64')
// accepts anything; Go's StdEncoding does not, and Vault's error texts come from Go's.
import { BadRequest } from '../../util/errors.js';

const STD = /^[A-Za-z0-9+/]*$/;
const STD_PADDED = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE = /^[A-Za-z0-9_-]*$/;

/** Decodes standard padded base64 as Go does, or throws Go's error text as a BadRequest. */
export function decodeBase64(text: string): Buffer {
  // Fast path: one regex over the whole string; the slow path below only words the error.
  if (text.length % 4 === 0 && STD_PADDED.test(text)) return Buffer.from(text, 'base64');
  const body = text.replace(/=+$/, '');
  const pad = text.length - body.length;
  const bad = [...body].findIndex((c) => !STD.test(c));
  if (bad !== -1) throw new BadRequest(`illegal base64 data at input byte ${bad}`);
  if (text.length % 4 !== 0 || pad > 2 || (pad > 0 && (body.length + pad) % 4 !== 0)) {
    throw new BadRequest(`illegal base64 data at input byte ${Math.max(0, text.length - (text.length % 4 || 4))}`);
  }
  return Buffer.from(text, 'base64');
}

/** Decodes unpadded URL-safe base64 (JWS marshaling), or undefined. */
export function decodeBase64Url(text: string): Buffer | undefined {
  return URL_SAFE.test(text) && text.length % 4 !== 1 ? Buffer.from(text, 'base64url') : undefined;
}

/** The versioned text form of a ciphertext, signature or HMAC. */
export const frame = (version: number, payload: string): string => `vault:v${version}:${payload}`;

/** What `vault:v<N>:<payload>` holds; `what` names it in Vault's errors ("ciphertext", "signature"). */
export function unframe(text: string, what: string): { version: number; payload: string } {
  if (!text.startsWith('vault:v')) throw new BadRequest(`invalid ${what}: no prefix`);
  const rest = text.slice('vault:v'.length);
  const colon = rest.indexOf(':');
  if (colon === -1) throw new BadRequest(`invalid ${what}: wrong number of fields`);
  const digits = rest.slice(0, colon);
  if (!/^[+-]?\d+$/.test(digits)) throw new BadRequest(`invalid ${what}: version number could not be decoded`);
  return { version: Number(digits), payload: rest.slice(colon + 1) };
}
