// Walking a SOPS document: which leaves are encrypted (selectors), their associated data
// (the path of map keys), and the MAC over every cleartext value in document order.
import { createHash } from 'node:crypto';
import { decryptLeaf, encryptLeaf, isEncrypted, leafBytes, type Leaf } from './value-cipher.js';

/** Which keys stay in the clear, as sops's selectors decide (the first one set applies). */
export type Selectors = {
  unencrypted_suffix?: string;
  encrypted_suffix?: string;
  unencrypted_regex?: string;
  encrypted_regex?: string;
};

/** Whether a key at this path is encrypted; once a key matches, its whole subtree follows. */
export function encrypts(key: string, s: Selectors): boolean | undefined {
  if (s.unencrypted_suffix !== undefined) return key.endsWith(s.unencrypted_suffix) ? false : undefined;
  if (s.encrypted_suffix !== undefined) return key.endsWith(s.encrypted_suffix) ? true : undefined;
  if (s.unencrypted_regex !== undefined) return new RegExp(s.unencrypted_regex).test(key) ? false : undefined;
  if (s.encrypted_regex !== undefined) return new RegExp(s.encrypted_regex).test(key) ? true : undefined;
  return undefined;
}

/** The default for leaves no selector decided: encrypted unless an encrypt-selector is in use. */
export const defaultEncrypts = (s: Selectors): boolean => s.encrypted_suffix === undefined && s.encrypted_regex === undefined;

type Visit = (value: Leaf, aad: string, encrypted: boolean) => Leaf | string;

function walk(node: unknown, path: string[], encrypted: boolean | undefined, s: Selectors, visit: Visit): unknown {
  if (Array.isArray(node)) return node.map((item) => walk(item, path, encrypted, s, visit));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (path.length === 0 && k === 'sops') continue;
      out[k] = walk(v, [...path, k], encrypted ?? encrypts(k, s), s, visit);
    }
    return out;
  }
  if (node === null) return null;
  const aad = path.map((p) => `${p}:`).join('');
  return visit(node as Leaf, aad, encrypted ?? defaultEncrypts(s));
}

/** Encrypts a cleartext document; returns the tree and the MAC (hex, upper case, as sops). */
export function encryptTree(doc: Record<string, unknown>, dataKey: Buffer, s: Selectors): { tree: Record<string, unknown>; mac: string } {
  const hash = createHash('sha512');
  const tree = walk(doc, [], undefined, s, (value, aad, encrypted) => {
    hash.update(leafBytes(value));
    return encrypted ? encryptLeaf(value, dataKey, aad) : value;
  }) as Record<string, unknown>;
  return { tree, mac: hash.digest('hex').toUpperCase() };
}

/** Decrypts an encrypted document (its `sops` block dropped); returns the tree and its MAC. */
export function decryptTree(doc: Record<string, unknown>, dataKey: Buffer, s: Selectors): { tree: Record<string, unknown>; mac: string } {
  const hash = createHash('sha512');
  const tree = walk(doc, [], undefined, s, (value, aad) => {
    const clear = isEncrypted(value) ? decryptLeaf(value, dataKey, aad) : value;
    hash.update(leafBytes(clear));
    return clear;
  }) as Record<string, unknown>;
  return { tree, mac: hash.digest('hex').toUpperCase() };
}
