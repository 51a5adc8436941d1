// A mount's window on storage: every key is prefixed, and nothing may climb out of the prefix.
// Data lives under the mount's uuid, not its path, so a remount moves nothing (EXAMPLES.md §4).

import { BadRequest } from '../util/errors.js';
import { validatePrefix } from './keys.js';
import type { Storage } from './storage.js';

/** `inner` seen from under `prefix` (which ends in '/'); transactions stay inside the prefix. */
export function scopedView(inner: Storage, prefix: string): Storage {
  if (!prefix.endsWith('/')) throw new TypeError(`view prefix must end in "/": ${prefix}`);
  validatePrefix(prefix);
  const full = (key: string): string => {
    // Keys come from URLs. Vault's barrier view refuses any "..", even inside a name; so do we.
    // A leading '/' would make an empty segment under the prefix rather than escape it, but
    // it is refused here with the same words, as Vault does.
    if (typeof key !== 'string' || key.includes('..') || key.startsWith('/')) {
      throw new BadRequest('relative paths not supported');
    }
    return prefix + key;
  };
  // A refused key must reject the promise, not throw before there is one. `get` (every read)
  // does so without an async frame of its own; the rest are async.
  const view: Storage = {
    get: (key) => {
      let at: string;
      try {
        at = full(key);
      } catch (err) {
        return Promise.reject(err);
      }
      return inner.get(at);
    },
    put: async (key, value) => inner.put(full(key), value),
    delete: async (key) => inner.delete(full(key)),
    list: async (sub, options) => inner.list(full(sub), options),
    transaction: async (fn) => inner.transaction((tx) => fn(scopedView(tx, prefix))),
  };
  // Only where the layer below has them (a transaction's view has neither).
  if (inner.has) view.has = async (key) => inner.has!(full(key));
  if (inner.stage) view.stage = async (fn, after) => inner.stage!((tx) => fn(scopedView(tx, prefix)), after);
  return view;
}
