// Loading and changing named keys: one writer per key at a time, so that a rotate racing a
// config write cannot lose either change.
import { BadRequest } from '../../util/errors.js';
import type { Storage } from '../../storage/storage.js';
import { policies, type KeyPolicy } from './policy.js';
import { keyCache } from './cache.js';

const locks = new Map<string, Promise<unknown>>();

/** Runs `fn` with the key `name` of this mount locked against other writers. */
export async function withKeyLock<T>(mountUuid: string, name: string, fn: () => Promise<T>): Promise<T> {
  const id = `${mountUuid}/${name}`;
  const before = locks.get(id) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const settled = run.catch(() => undefined);
  locks.set(id, settled);
  try {
    return await run;
  } finally {
    if (locks.get(id) === settled) locks.delete(id);
  }
}

/** The key, from the cache when it holds it. */
export async function loadKey(storage: Storage, mountUuid: string, name: string): Promise<KeyPolicy | undefined> {
  if (keyCache.sizeOf(mountUuid) === undefined) keyCache.resize(mountUuid, await cacheSize(storage));
  const cached = keyCache.get(mountUuid, name);
  if (cached) return cached;
  const p = await policies(storage).get(name);
  if (p) keyCache.set(mountUuid, name, p);
  return p;
}

/** The key, or Vault's "encryption key not found" (a 400, as in Vault). */
export async function requireKey(storage: Storage, mountUuid: string, name: string): Promise<KeyPolicy> {
  const p = await loadKey(storage, mountUuid, name);
  if (!p) throw new BadRequest('encryption key not found');
  return p;
}

/** Persists a changed key and refreshes the cache. */
export async function saveKey(storage: Storage, mountUuid: string, p: KeyPolicy): Promise<void> {
  keyCache.delete(mountUuid, p.name);
  await policies(storage).put(p);
  keyCache.set(mountUuid, p.name, p);
}

/** Removes a key from storage and the cache. */
export async function dropKey(storage: Storage, mountUuid: string, name: string): Promise<void> {
  keyCache.delete(mountUuid, name);
  await policies(storage).delete(name);
}

const CACHE_CONFIG = 'cache-config';

/** The stored `cache-config` size of a mount (0 = unbounded). */
export async function cacheSize(storage: Storage): Promise<number> {
  const raw = await storage.get(CACHE_CONFIG);
  return raw ? (JSON.parse(raw.toString('utf8')) as { size: number }).size : 0;
}

/** Stores a mount's cache size and applies it at once. */
export async function setCacheSize(storage: Storage, mountUuid: string, size: number): Promise<void> {
  await storage.put(CACHE_CONFIG, Buffer.from(JSON.stringify({ size })));
  keyCache.resize(mountUuid, size);
}
