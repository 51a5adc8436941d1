// In-place upgrade of a v1 mount to v2 (a tune to options.version=2): each v1 secret becomes
// version 1 of a v2 key with the same path, under the same storage view.
import { Internal } from '../../util/errors.js';
import type { Storage } from '../../storage/storage.js';
import { addVersion } from './model.js';
import { metadataStore, newMetadata, versionStore } from './store.js';

/** Every key under `folder`, depth first, in key order. */
async function allKeys(storage: Storage, folder = ''): Promise<string[]> {
  const out: string[] = [];
  for (const child of await storage.list(folder)) {
    if (child.endsWith('/')) out.push(...(await allKeys(storage, folder + child)));
    else out.push(folder + child);
  }
  return out;
}

/**
 * Converts every v1 secret in `storage` (a v1 mount's view) into a v2 key whose only version,
 * 1, holds the same data, created at `now`. Call it once, while the mount is still v1.
 *
 * One transaction: the mount is v1 or v2, never half of each, and since every v1 key is read
 * and deleted before any v2 record is written, a v1 secret whose path happens to look like a
 * v2 record (`meta/…`, `ver/…`, `config`) cannot be mistaken for one. The cost is holding the
 * mount's secrets in memory for the duration.
 */
export async function upgradeKvV1ToV2(storage: Storage, now: number): Promise<void> {
  await storage.transaction(async (tx) => {
    const secrets: Array<[string, Record<string, unknown>]> = [];
    for (const key of await allKeys(tx)) {
      const raw = await tx.get(key);
      if (raw === undefined) continue;
      const data: unknown = JSON.parse(raw.toString('utf8'));
      if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Internal('kv upgrade: a v1 entry is not a JSON object');
      secrets.push([key, data as Record<string, unknown>]);
      await tx.delete(key);
    }
    for (const [path, data] of secrets) {
      const meta = newMetadata(now);
      // Vault upgrades with a window of one version, which leaves oldest_version at 1.
      addVersion(meta, now, undefined, 1);
      await versionStore(tx, meta).put(1, { data });
      await metadataStore(tx).put(path, meta);
    }
  });
}
