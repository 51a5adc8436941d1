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
 * Hashes every string in a JSON-like value. Keys stay readable and non-strings (numbers,
 * booleans, null) stay as they are: Vault's HashStructure hashes strings only. Walks with an
 * explicit stack, not recursion: however deep a value is, logging it cannot overflow the stack
 * (a request that cannot be audited is refused, so a crash here would block reads for good).
 */
export function hashStrings(value: unknown, hash: Hasher): unknown {
  const leaf = (v: unknown): unknown => {
    if (typeof v === 'string') return hash(v);
    if (Buffer.isBuffer(v)) return hash(v.toString('base64'));
    return v;
  };
  const isContainer = (v: unknown): v is object => v !== null && typeof v === 'object' && !Buffer.isBuffer(v);
  if (!isContainer(value)) return leaf(value);
  const copyOf = (v: object): Record<string, unknown> | unknown[] => (Array.isArray(v) ? new Array(v.length) : {});
  const root = copyOf(value);
  // Each item: a source container and the copy its hashed children go into.
  const stack: Array<[object, Record<string, unknown> | unknown[]]> = [[value, root]];
  while (stack.length > 0) {
    const [source, target] = stack.pop() as [object, Record<string, unknown> | unknown[]];
    for (const [key, child] of Object.entries(source)) {
      let out: unknown;
      if (isContainer(child)) {
        out = copyOf(child);
        stack.push([child, out as Record<string, unknown> | unknown[]]);
      } else out = leaf(child);
      (target as Record<string, unknown>)[key] = out;
    }
  }
  return root;
}
