// Reading and writing one v2 secret's versions: the storage steps shared by data/, subkeys/
// and PATCH. Callers hold the key's lock for anything that writes.
import type { Storage } from '../../storage/storage.js';
import { addVersion, effectiveMaxVersions, isGone, requestedVersion, scheduledDeletion } from './model.js';
import { metadataStore, newMetadata, readMetadata, versionStore, type KeyMetadata, type KvConfig, type VersionMeta } from './store.js';

/** What a read of one version finds. */
export type VersionLookup =
  | { found: false }
  | { found: true; meta: KeyMetadata; n: number; v: VersionMeta; data: Record<string, unknown> | null };

/**
 * Looks up version `version` (0 = current) of `path`. `data` is null when the version is
 * deleted or destroyed: Vault then still shows its metadata, with a 404. `meta` may be
 * shared with other reads (frozen): read it, never change it.
 */
export async function lookupVersion(storage: Storage, path: string, version: number, now: number): Promise<VersionLookup> {
  const meta = await readMetadata(storage, path);
  if (!meta) return { found: false };
  const n = requestedVersion(meta, version);
  const v = meta.versions[String(n)];
  if (!v) return { found: false };
  if (isGone(v, now)) return { found: true, meta, n, v, data: null };
  const record = await versionStore(storage, meta).get(n);
  return { found: true, meta, n, v, data: record.data };
}

/**
 * Stores `data` as the next version of `path` (metadata `meta`, or new) and prunes past
 * max_versions, all in one transaction. Returns the updated metadata and the new version.
 */
export async function writeVersion(
  storage: Storage, config: KvConfig, path: string, meta: KeyMetadata | undefined, data: Record<string, unknown>, now: number,
): Promise<{ meta: KeyMetadata; n: number; v: VersionMeta }> {
  const next = meta ?? newMetadata(now);
  const keep = effectiveMaxVersions(config, next);
  const { version, pruned, added } = addVersion(next, now, scheduledDeletion(now, config, next), keep);
  await storage.transaction(async (tx) => {
    const versions = versionStore(tx, next);
    await versions.put(version, { data });
    for (const n of pruned) await versions.delete(n);
    await metadataStore(tx).put(path, next);
  });
  return { meta: next, n: version, v: added };
}
