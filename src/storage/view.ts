// A mount's window on storage: every key is prefixed, and nothing may climb out of the prefix.
// Data lives under the mount's uuid, not its path, so a remount moves nothing (EXAMPLES.md §4).

import { BadRequest } from '../util/errors.js';
import { validatePrefix } from './keys.js';
import type { Storage } from './storage.js';

/** `inner` seen from under `prefix` (which ends in '/'); transactions stay inside the prefix. */
export function scopedView(inner: Storage, prefix: string): Storage {
  if (!prefix.endsWith('/')) throw new TypeError(`view prefix must end in "/": ${prefix}`);
  validatePrefix(prefix);
  return scoped(inner, prefix);
}

// Keys come from URLs. Vault's barrier view refuses any "..", even inside a name; so do we.
// A leading '/' would make an empty segment under the prefix rather than escape it, but it is
// refused here with the same words, as Vault does.
const refused = (key: string): boolean => typeof key !== 'string' || key.includes('..') || key.startsWith('/');
const relative = () => Promise.reject(new BadRequest('relative paths not supported'));

// The view over a prefix already checked: a transaction's or a stage's view is made for every
// write. Its methods are plain functions, not async ones: a refused key (or a layer below that
// throws) rejects the promise, never throws before there is one, and otherwise the answer is
// the layer below's own promise, without a frame of this layer's around it.
function scoped(inner: Storage, prefix: string): Storage {
  const view: Storage = {
    get: (key) => (refused(key) ? relative() : guard(() => inner.get(prefix + key))),
    put: (key, value) => (refused(key) ? relative() : guard(() => inner.put(prefix + key, value))),
    delete: (key) => (refused(key) ? relative() : guard(() => inner.delete(prefix + key))),
    list: (sub, options) => (refused(sub) ? relative() : guard(() => inner.list(prefix + sub, options))),
    transaction: (fn) => guard(() => inner.transaction((tx) => fn(scoped(tx, prefix)))),
  };
  // Only where the layer below has them (a transaction's view has neither).
  if (inner.has) view.has = (key) => (refused(key) ? relative() : guard(() => inner.has!(prefix + key)));
  if (inner.stage) view.stage = (fn, after) => guard(() => inner.stage!((tx) => fn(scoped(tx, prefix)), after));
  return view;
}

function guard<T>(call: () => Promise<T>): Promise<T> {
  try {
    return call();
  } catch (err) {
    return Promise.reject(err);
  }
}
