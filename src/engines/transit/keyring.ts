// Loading and changing named keys: one writer per key at a time, so that a rotate racing a
// config write cannot lose either change.
import { BadRequest } from '../../util/errors.js';
import type { Storage } from '../../storage/storage.js';
import { keyCache } from './cache.js';
import { generateEntry } from './material.js';
import { entryOf, policies, type KeyPolicy } from './policy.js';

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

/**
 * The key, or a 400 with Vault's text for the operation ("encryption key not found" unless
 * told: sign and verify word it their own way); rotated first when due.
 */
export async function requireKey(storage: Storage, mountUuid: string, name: string, now: number, missing = 'encryption key not found'): Promise<KeyPolicy> {
  const p = await loadKey(storage, mountUuid, name);
  if (!p) throw new BadRequest(missing);
  return rotationDue(p, now) ? rotateIfDue(storage, mountUuid, name, now) : p;
}

/**
 * Whether auto_rotate_period has run out since the latest version was made. Vault checks
 * every key hourly; Lockbox checks on each use, from the stored creation time, so a restart
 * loses nothing and an idle key rotates on its next use.
 */
export function rotationDue(p: KeyPolicy, now: number): boolean {
  if (p.auto_rotate_period <= 0 || (p.imported && !p.allow_imported_key_rotation)) return false;
  const latest = entryOf(p, p.latest_version);
  return latest !== undefined && now - Date.parse(latest.time) >= p.auto_rotate_period * 1000;
}

/** Rotates the key under its lock if it is (still) due; returns the key as it now is. */
export async function rotateIfDue(storage: Storage, mountUuid: string, name: string, now: number): Promise<KeyPolicy> {
  return withKeyLock(mountUuid, name, async () => {
    const p = await loadKey(storage, mountUuid, name);
    if (!p) throw new BadRequest('encryption key not found');
    if (!rotationDue(p, now)) return p;
    const next = await rotated(p, now);
    await saveKey(storage, mountUuid, next);
    return next;
  });
}

/** A copy of the key with one more version, made at `now`. */
export async function rotated(current: KeyPolicy, now: number): Promise<KeyPolicy> {
  const p = structuredClone(current);
  p.latest_version += 1;
  p.keys[String(p.latest_version)] = await generateEntry(p, now);
  if (p.imported) p.rotated_in_place = true;
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
const KEYS_CONFIG = 'config/keys';

/** The mount's config/keys (Vault's: whether encrypt may create a missing key). */
export async function keysConfig(storage: Storage): Promise<{ disable_upsert: boolean }> {
  const raw = await storage.get(KEYS_CONFIG);
  return { disable_upsert: false, ...(raw ? (JSON.parse(raw.toString('utf8')) as { disable_upsert: boolean }) : {}) };
}

export async function setKeysConfig(storage: Storage, config: { disable_upsert: boolean }): Promise<void> {
  await storage.put(KEYS_CONFIG, Buffer.from(JSON.stringify(config)));
}

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
