// custom_metadata on a v2 key: a string map with Vault's limits (64 keys, keys up to 128
// bytes, values up to 512, printable). Errors name keys, never values: a value may be secret.
import { BadRequest } from '../../util/errors.js';
import { multiError } from './request.js';

const MAX_KEYS = 64;
const MAX_KEY_BYTES = 128;
const MAX_VALUE_BYTES = 512;
const PREFIX = 'custom_metadata validation failed';
// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u;

// Vault decodes each value weakly into a string (mapstructure): numbers print, booleans are "1"/"0".
function weakString(key: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  throw new BadRequest(`${PREFIX}: value for key ${JSON.stringify(key)} is not a string`);
}

/**
 * Parses a raw custom_metadata object into a string map. With `dropNulls` (PATCH), null
 * values are left out: in a merge patch they mean "remove this key".
 */
export function parseCustomMetadata(raw: unknown, dropNulls: boolean): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new BadRequest(`${PREFIX}: expected an object of strings`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (dropNulls && v === null) continue;
    out[k] = weakString(k, v);
  }
  return out;
}

/** Throws Vault's validation error listing every problem, or returns. */
export function validateCustomMetadata(map: Record<string, string>): void {
  const keys = Object.keys(map);
  if (keys.length > MAX_KEYS) {
    throw new BadRequest(multiError([`${PREFIX}: payload must contain at most ${MAX_KEYS} keys, provided ${keys.length}`]));
  }
  const problems: string[] = [];
  for (const [key, value] of Object.entries(map)) {
    const q = JSON.stringify(key);
    const keyLen = Buffer.byteLength(key);
    const valueLen = Buffer.byteLength(value);
    if (keyLen === 0 || keyLen > MAX_KEY_BYTES) {
      problems.push(`${PREFIX}: length of key ${q} is ${keyLen} but must be 0 < len(key) <= ${MAX_KEY_BYTES}`);
    }
    if (valueLen === 0 || valueLen > MAX_VALUE_BYTES) {
      problems.push(`${PREFIX}: length of value for key ${q} is ${valueLen} but must be 0 < len(value) <= ${MAX_VALUE_BYTES}`);
    }
    if (!PRINTABLE.test(key)) problems.push(`${PREFIX}: key ${q} contains unprintable characters`);
    if (!PRINTABLE.test(value)) problems.push(`${PREFIX}: value for key ${q} contains unprintable characters`);
  }
  if (problems.length > 0) throw new BadRequest(multiError(problems));
}
