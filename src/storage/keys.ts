// Keys are validated at the bottom of the stack as well as in views: whatever a URL carries,
// no key can climb out of its mount's prefix, and no key can hide a control character in a log.

import { BadRequest } from '../util/errors.js';
import type { ListOptions } from './storage.js';

// In a `u` regexp, \p{Cs} matches only *lone* surrogates, which have no UTF-8 encoding.
const loneSurrogate = /\p{Cs}/u;
// C0, DEL and C1 controls.
const control = /\p{Cc}/u;

/** Throws BadRequest unless `key` is a storage key: printable UTF-8, '/'-separated, no `..`. */
export function validateKey(key: string): void {
  checkPath(key);
  if (key.endsWith('/')) throw new BadRequest('invalid key: must not end with "/"');
}

/** Throws BadRequest unless `prefix` is a folder to list: '' or a valid path ending in '/'. */
export function validatePrefix(prefix: string): void {
  if (prefix === '') return;
  checkPath(prefix);
  if (!prefix.endsWith('/')) throw new BadRequest('invalid list prefix: must be empty or end with "/"');
}

/** Throws BadRequest unless `options` holds a string `after` and a non-negative integer `limit`. */
export function validateListOptions(options: ListOptions | undefined): void {
  if (options?.after !== undefined && typeof options.after !== 'string') {
    throw new BadRequest('invalid list option: after must be a string');
  }
  const limit = options?.limit;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) {
    throw new BadRequest('invalid list option: limit must be a non-negative integer');
  }
}

/**
 * Whether `path` is printable ASCII with no empty segment (but the last), no '..' segment and
 * no leading '/': nearly every key, and decided in one pass without allocating. A key is
 * validated at several layers on its way down, so this runs a handful of times per storage
 * operation; anything else goes through the rules one by one, for the exact error.
 */
function plainPath(path: string): boolean {
  const n = path.length;
  let segmentStart = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? path.charCodeAt(i) : 0x2f;
    if (c === 0x2f) {
      const length = i - segmentStart;
      if (length === 0 && i < n) return false; // leading '/' or '//'
      if (length === 2 && path.charCodeAt(i - 1) === 0x2e && path.charCodeAt(i - 2) === 0x2e) return false;
      segmentStart = i + 1;
    } else if (c < 0x20 || c > 0x7e) {
      return false;
    }
  }
  return n > 0;
}

// Shared by keys and prefixes; a trailing '/' is judged by the caller.
function checkPath(path: string): void {
  if (typeof path !== 'string') throw new BadRequest('invalid key: not a string');
  if (plainPath(path)) return;
  if (path === '') throw new BadRequest('invalid key: empty');
  if (loneSurrogate.test(path)) throw new BadRequest('invalid key: not valid UTF-8');
  if (control.test(path)) throw new BadRequest('invalid key: contains a control character');
  const segments = path.split('/');
  // Checked before the other shape rules so that every climbing attempt gets Vault's wording.
  if (segments.includes('..')) throw new BadRequest('relative paths not supported');
  if (path.startsWith('/')) throw new BadRequest('invalid key: must not start with "/"');
  if (segments.slice(0, -1).includes('')) throw new BadRequest('invalid key: empty path segment');
}

/**
 * Orders keys by their UTF-8 bytes, the order SQLite's BINARY collation and other backends use.
 * Plain `<` compares UTF-16 units and would put astral characters before U+E000–U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointWeight(x) - codePointWeight(y);
  }
  return a.length - b.length;
}

// Moves surrogates (the start of a 4-byte UTF-8 character) above U+E000–U+FFFF, keeping
// every other unit's relative order: comparing weights then matches comparing UTF-8 bytes.
function codePointWeight(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
