// Random base62 strings (Vault's one-time passwords): bytes of 248 and above are drawn again,
// so that `byte % 62` favours no character.
import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` uniformly random characters of [0-9A-Za-z]. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length)) if (b < 248 && out.length < length) out += BASE62[b % 62];
  }
  return out;
}
