// HMAC of audited values. Vault: every string inside request/response data, and every token,
// becomes "hmac-sha256:<hex>" under the device's own salt, so a log reader learns nothing but
// can still confirm a known value through sys/audit-hash.
import { createHmac, randomBytes } from 'node:crypto';

/** Hashes one string; the function every device applies to the values it must hide. */
export type Hasher = (value: string) => string;

/** A fresh per-device HMAC key (Vault keeps one salt per audit device). */
export const newSalt = (): Buffer => randomBytes(32);

/** The Vault-shaped HMAC of `value` under `salt`: "hmac-sha256:<hex>". */
export function hmacOf(salt: Buffer, value: string): string {
  return 'hmac-sha256:' + createHmac('sha256', salt).update(value).digest('hex');
}

/** A hasher bound to one salt. */
export const hasherFor = (salt: Buffer): Hasher => (value) => hmacOf(salt, value);

/** The identity "hasher" of a log_raw device. */
export const rawHasher: Hasher = (value) => value;

/**
 * Hashes every string in a JSON-like value, recursively. Keys stay readable and non-strings
 * (numbers, booleans, null) stay as they are: Vault's HashStructure hashes strings only.
 */
export function hashStrings(value: unknown, hash: Hasher): unknown {
  if (typeof value === 'string') return hash(value);
  if (Array.isArray(value)) return value.map((v) => hashStrings(v, hash));
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return hash(value.toString('base64'));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = hashStrings(v, hash);
  return out;
}
