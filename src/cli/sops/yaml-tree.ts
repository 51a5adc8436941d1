// SOPS over a YAML document kept as yaml's AST, so comments and key order survive a round
// trip. Leaves are encrypted in place; comments are encrypted too (as sops does), with the
// path of the map holding them as associated data. On decryption a comment that does not
// open is kept as it is, as sops does for files whose comments were never encrypted.
import { createHash } from 'node:crypto';
import { isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import { encrypts, defaultEncrypts, type Selectors } from './tree.js';
import { decryptLeaf, encryptLeaf, isEncrypted, leafBytes, type Leaf } from './value-cipher.js';

type Mode = { kind: 'encrypt' | 'decrypt'; dataKey: Buffer; selectors: Selectors; hash: ReturnType<typeof createHash> };

const aadOf = (path: string[]): string => (path.length === 0 ? ':' : path.map((p) => `${p}:`).join(''));

function comment(text: string | null | undefined, path: string[], m: Mode): string | undefined {
  if (text === undefined || text === null || text === '') return text ?? undefined;
  if (m.kind === 'encrypt') {
    return text.split('\n').map((line) => encryptLeaf(line.replace(/^ /, ''), m.dataKey, aadOf(path), 'comment')).join('\n');
  }
  return text.split('\n').map((line) => {
    if (!isEncrypted(line)) return line;
    try {
      return ` ${String(decryptLeaf(line, m.dataKey, aadOf(path)))}`;
    } catch {
      return line;
    }
  }).join('\n');
}

function comments(node: { commentBefore?: string | null; comment?: string | null }, path: string[], m: Mode): void {
  if (node.commentBefore) node.commentBefore = comment(node.commentBefore, path, m);
  if (node.comment) node.comment = comment(node.comment, path, m);
}

function leaf(node: Node, path: string[], encrypted: boolean, m: Mode): void {
  if (!isScalar(node) || node.value === null || node.value === undefined) return;
  const value = node.value as Leaf;
  if (m.kind === 'encrypt') {
    m.hash.update(leafBytes(value));
    if (encrypted) node.value = encryptLeaf(value, m.dataKey, aadOf(path));
    return;
  }
  const clear = isEncrypted(value) ? decryptLeaf(value, m.dataKey, aadOf(path)) : value;
  m.hash.update(leafBytes(clear));
  node.value = clear;
}

function walk(node: Node | null | undefined, path: string[], encrypted: boolean | undefined, m: Mode): void {
  if (!node) return;
  comments(node, path, m);
  if (isMap(node)) {
    for (const pair of node.items as Pair<Node, Node>[]) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (path.length === 0 && key === 'sops') continue;
      if (pair.key && typeof pair.key === 'object') comments(pair.key as Node, path, m);
      const childPath = [...path, key];
      const decided = encrypted ?? encrypts(key, m.selectors);
      if (isScalar(pair.value)) {
        comments(pair.value, path, m);
        leaf(pair.value, childPath, decided ?? defaultEncrypts(m.selectors), m);
      } else {
        walk(pair.value, childPath, decided, m);
      }
    }
  } else if (isSeq(node)) {
    for (const item of node.items as Node[]) {
      if (isScalar(item)) {
        comments(item, path, m);
        leaf(item, path, encrypted ?? defaultEncrypts(m.selectors), m);
      } else {
        walk(item, path, encrypted, m);
      }
    }
  }
}

/** Encrypts or decrypts the document in place; returns the MAC of its cleartext values. */
export function transformYaml(doc: Document, kind: 'encrypt' | 'decrypt', dataKey: Buffer, selectors: Selectors): string {
  const m: Mode = { kind, dataKey, selectors, hash: createHash('sha512') };
  if (doc.commentBefore) doc.commentBefore = comment(doc.commentBefore, [], m) ?? null;
  if (doc.comment) doc.comment = comment(doc.comment, [], m) ?? null;
  walk(doc.contents as Node, [], undefined, m);
  return m.hash.digest('hex').toUpperCase();
}
