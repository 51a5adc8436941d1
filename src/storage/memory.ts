// The in-memory backend, for tests and `server -dev`. Keys live in a Map plus an array kept
// sorted bytewise, so listing walks the array from a binary-searched start like SQLite's index.
// Inserting a new key in the middle costs a splice; fine for the sizes tests and dev use.

import { Internal } from '../util/errors.js';
import { bufferedTransaction } from './buffered-transaction.js';
import { collectChildren } from './children.js';
import { compareKeys, validateKey, validateListOptions, validatePrefix } from './keys.js';
import type { PhysicalStorage, WriteOp } from './storage.js';

/** A fresh, empty in-memory storage. Values are copied in and out. */
export function openMemoryStorage(): PhysicalStorage {
  const values = new Map<string, Buffer>();
  const sorted: string[] = [];
  let closed = false;

  const open = (): void => {
    if (closed) throw new Internal('storage is closed');
  };
  const apply = (op: WriteOp): void => {
    if (op.value === undefined) {
      if (values.delete(op.key)) sorted.splice(lowerBound(sorted, op.key, true), 1);
      return;
    }
    if (!values.has(op.key)) sorted.splice(lowerBound(sorted, op.key, true), 0, op.key);
    values.set(op.key, Buffer.from(op.value));
  };
  function* scan(from: string, inclusive: boolean): Iterable<string> {
    for (let i = lowerBound(sorted, from, inclusive); i < sorted.length; i++) yield sorted[i] as string;
  }

  const storage: PhysicalStorage = {
    async get(key) {
      open();
      validateKey(key);
      const value = values.get(key);
      return value === undefined ? undefined : Buffer.from(value);
    },
    async put(key, value) {
      open();
      validateKey(key);
      apply({ key, value });
    },
    async delete(key) {
      open();
      validateKey(key);
      apply({ key, value: undefined });
    },
    async list(prefix, options) {
      open();
      validatePrefix(prefix);
      validateListOptions(options);
      return collectChildren(prefix, options, scan);
    },
    async transaction(fn) {
      open();
      // Applying the ops synchronously is what makes the commit atomic here.
      return bufferedTransaction(storage, async (ops) => {
        open();
        for (const op of ops) apply(op);
      }, fn);
    },
    async close() {
      closed = true;
    },
  };
  return storage;
}

// Index of the first key at or after `target` (inclusive) or strictly after it.
function lowerBound(keys: string[], target: string, inclusive: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareKeys(keys[mid] as string, target);
    if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
