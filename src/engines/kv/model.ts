// The rules of KV v2 versions, free of storage: adding a version and pruning past
// max_versions, when a version counts as deleted, and how versions look on the wire.
import { formatDuration } from '../../util/duration.js';
import type { KeyMetadata, KvConfig, VersionMeta } from './store.js';

/** Vault keeps 10 versions when neither the key nor the mount says otherwise. */
export const DEFAULT_MAX_VERSIONS = 10;

/** Go's RFC3339Nano in UTC: fraction without trailing zeros, none at all on a whole second. */
export function formatTime(ms: number | undefined): string {
  if (ms === undefined) return '';
  // A hot secret's version times are formatted on every read of it: the last few are kept.
  const known = recentTimes.get(ms);
  if (known !== undefined) return known;
  const text = formatTimeNow(ms);
  if (recentTimes.size >= 256) recentTimes.clear();
  recentTimes.set(ms, text);
  return text;
}

const recentTimes = new Map<number, string>();

function formatTimeNow(ms: number): string {
  const iso = new Date(ms).toISOString();
  // Every read formats two of these: the fixed layout (…:ss.mmmZ) is trimmed by hand.
  if (iso.length !== 24) return iso.replace(/\.?0+Z$/, 'Z');
  if (iso.charCodeAt(22) !== 48) return iso;
  if (iso.charCodeAt(21) !== 48) return iso.slice(0, 22) + 'Z';
  if (iso.charCodeAt(20) !== 48) return iso.slice(0, 21) + 'Z';
  return iso.slice(0, 19) + 'Z';
}

/** A duration as Go's time.Duration prints it, negatives included ("-1s" = disabled). */
export function formatSignedDuration(seconds: number): string {
  return seconds < 0 ? `-${formatDuration(-seconds)}` : formatDuration(seconds);
}

/**
 * A version is deleted once its deletion time is reached. Vault tests "strictly before now"
 * with nanosecond clocks; at our millisecond resolution that would let a read in the same
 * millisecond as a DELETE still see the data, so the instant itself counts as deleted.
 */
export function isDeleted(v: VersionMeta, now: number): boolean {
  return v.deletion_time !== undefined && v.deletion_time <= now;
}

/** Deleted or destroyed: its data is not served. */
export const isGone = (v: VersionMeta, now: number): boolean => v.destroyed || isDeleted(v, now);

/**
 * When a version made at `from` is due for deletion: `from` plus the smaller non-zero
 * delete_version_after of mount and key. A negative mount setting disables it everywhere.
 */
export function scheduledDeletion(from: number, config: KvConfig, meta: KeyMetadata): number | undefined {
  const mount = config.delete_version_after;
  const key = meta.delete_version_after;
  if (mount < 0) return undefined;
  if (mount > 0 && key > 0) return from + Math.min(mount, key) * 1000;
  if (mount > 0) return from + mount * 1000;
  if (key > 0) return from + key * 1000;
  return undefined;
}

/** The key's setting wins when set, then the mount's, then Vault's default of 10. */
export function effectiveMaxVersions(config: KvConfig, meta: KeyMetadata): number {
  return meta.max_versions > 0 ? meta.max_versions : config.max_versions > 0 ? config.max_versions : DEFAULT_MAX_VERSIONS;
}

/**
 * Adds the next version to `meta` (in place) and slides the window of kept versions.
 * Returns the new version's number and the numbers whose data must now be deleted.
 * Vault's arithmetic is kept exactly: oldest_version stays 0 until the first prune.
 */
export function addVersion(
  meta: KeyMetadata, created: number, deletion: number | undefined, keep: number,
): { version: number; added: VersionMeta; pruned: number[] } {
  meta.current_version += 1;
  // Written out rather than spread: a spread of two shapes takes V8's slow path on every write.
  const added: VersionMeta = deletion === undefined
    ? { created_time: created, destroyed: false }
    : { created_time: created, deletion_time: deletion, destroyed: false };
  meta.versions[String(meta.current_version)] = added;
  meta.updated_time = created;
  const pruned: number[] = [];
  if (meta.current_version - meta.oldest_version >= keep) {
    const last = meta.current_version - keep;
    for (let n = meta.oldest_version; n <= last; n++) {
      if (n > 0) pruned.push(n);
      delete meta.versions[String(n)];
    }
    meta.oldest_version = last + 1;
  }
  return { version: meta.current_version, added, pruned };
}

/** One version's metadata as data reads, writes and subkeys show it (keys in Go's map order). */
export function versionView(meta: KeyMetadata, n: number, v: VersionMeta): Record<string, unknown> {
  return {
    created_time: formatTime(v.created_time),
    custom_metadata: meta.custom_metadata,
    deletion_time: formatTime(v.deletion_time),
    destroyed: v.destroyed,
    version: n,
  };
}

/** The metadata endpoint's view of a key. */
export function metadataView(meta: KeyMetadata): Record<string, unknown> {
  const versions: Record<string, unknown> = {};
  for (const [n, v] of Object.entries(meta.versions)) {
    versions[n] = { created_time: formatTime(v.created_time), deletion_time: formatTime(v.deletion_time), destroyed: v.destroyed };
  }
  return {
    cas_required: meta.cas_required,
    created_time: formatTime(meta.created_time),
    current_version: meta.current_version,
    custom_metadata: meta.custom_metadata,
    delete_version_after: formatSignedDuration(meta.delete_version_after),
    max_versions: meta.max_versions,
    oldest_version: meta.oldest_version,
    updated_time: formatTime(meta.updated_time),
    versions,
  };
}

/** The version a read asks for: `?version=` when positive, else the current one (Vault). */
export const requestedVersion = (meta: KeyMetadata, version: number): number => (version > 0 ? version : meta.current_version);
