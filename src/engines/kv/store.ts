// Typed records of the KV engine over its mount's storage view. Layout (see NOTES.md):
//   v1: <path>                       the secret as the JSON object it was written
//   v2: config                       mount-wide settings
//       meta/<path>                  one secret's metadata, listed folder-style for LIST
//       ver/<id>/<n>                 version n's data; <id> is random, kept in the metadata
import { poolRandomBytes } from '../../util/random-pool.js';
import { Internal } from '../../util/errors.js';
import type { ListOptions, Storage } from '../../storage/storage.js';
import type { DecodedReads } from '../../core/mounts.js';

/** The mount-wide settings of a v2 mount (`<mount>/config`). */
export type KvConfig = {
  max_versions: number;
  cas_required: boolean;
  /** Seconds; 0 = unset, negative = disabled for every key. */
  delete_version_after: number;
};

/** One version's bookkeeping; times are epoch milliseconds. */
export type VersionMeta = { created_time: number; deletion_time?: number; destroyed: boolean };

/** Everything known about one secret except its data. */
export type KeyMetadata = {
  /** Names the folder holding this secret's version data. */
  id: string;
  current_version: number;
  /** 0 until the first prune, as in Vault. */
  oldest_version: number;
  created_time: number;
  updated_time: number;
  max_versions: number;
  cas_required: boolean;
  delete_version_after: number;
  custom_metadata: Record<string, string> | null;
  /** Keyed by version number. */
  versions: Record<string, VersionMeta>;
};

/** The stored body of one version. */
export type VersionRecord = { data: Record<string, unknown> };

const DEFAULT_CONFIG: KvConfig = { max_versions: 0, cas_required: false, delete_version_after: 0 };

const META = 'meta/';
const VER = 'ver/';

function decode<T>(raw: Buffer | undefined): T | undefined {
  return raw === undefined ? undefined : (JSON.parse(raw.toString('utf8')) as T);
}

const encode = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

const decodeConfig = (raw: Buffer): KvConfig => Object.freeze({ ...DEFAULT_CONFIG, ...(JSON.parse(raw.toString('utf8')) as KvConfig) });

/**
 * Reads and writes the v2 mount config. It holds nothing secret and every write reads it, so
 * where the storage offers decoded reads it is decrypted once per stored ciphertext.
 */
export const configStore = (s: Storage & DecodedReads) => ({
  get: async (): Promise<KvConfig> => {
    const found = s.getDecoded !== undefined ? await s.getDecoded('config', decodeConfig) : decode<KvConfig>(await s.get('config'));
    return { ...DEFAULT_CONFIG, ...found };
  },
  put: (config: KvConfig) => s.put('config', encode(config)),
});

/** Per-secret metadata records, addressed by the secret's path. */
export const metadataStore = (s: Storage) => ({
  // A path ending in '/' names a folder, never a secret.
  get: async (path: string): Promise<KeyMetadata | undefined> =>
    path.endsWith('/') ? undefined : decode<KeyMetadata>(await s.get(META + path)),
  /** Whether the secret has metadata, without decrypting it where the storage can tell. */
  exists: async (path: string): Promise<boolean> => {
    if (path.endsWith('/')) return false;
    return s.has ? s.has(META + path) : (await s.get(META + path)) !== undefined;
  },
  put: (path: string, meta: KeyMetadata) => s.put(META + path, encode(meta)),
  delete: (path: string) => s.delete(META + path),
  /** Children of a folder ('' or ending in '/'): secrets by name, sub-folders with '/'. */
  list: (folder: string, options?: ListOptions) => s.list(META + folder, options),
});

/** Freezes a decoded record all the way down: it is shared between reads. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * A secret's metadata for a read (data and subkeys reads). Metadata holds no secret, so where
 * the storage offers it (a mount's view on the barrier, outside transactions) the record is
 * decoded once per stored ciphertext and shared, frozen; version data never goes this way.
 */
export async function readMetadata(s: Storage & DecodedReads, path: string): Promise<KeyMetadata | undefined> {
  if (path.endsWith('/')) return undefined;
  if (s.getDecoded === undefined) return metadataStore(s).get(path);
  return s.getDecoded(META + path, (raw) => deepFreeze(JSON.parse(raw.toString('utf8')) as KeyMetadata));
}

/** Version data records of one secret. */
export const versionStore = (s: Storage, meta: Pick<KeyMetadata, 'id'>) => ({
  get: async (n: number): Promise<VersionRecord> => {
    const record = decode<VersionRecord>(await s.get(`${VER}${meta.id}/${n}`));
    // The metadata says the version is live, so its data must be there.
    if (!record) throw new Internal('could not find version data');
    return record;
  },
  put: (n: number, record: VersionRecord) => s.put(`${VER}${meta.id}/${n}`, encode(record)),
  delete: (n: number) => s.delete(`${VER}${meta.id}/${n}`),
  /** Removes every version record of the secret, whatever the metadata says. */
  deleteAll: async () => {
    for (const n of await s.list(`${VER}${meta.id}/`)) await s.delete(`${VER}${meta.id}/${n}`);
  },
});

/** Metadata for a secret that has none yet (first write, or metadata written first). */
export function newMetadata(now: number): KeyMetadata {
  return {
    id: poolRandomBytes(16).toString('hex'), current_version: 0, oldest_version: 0,
    created_time: now, updated_time: now, max_versions: 0, cas_required: false,
    delete_version_after: 0, custom_metadata: null, versions: {},
  };
}

/** Reads a v1 secret. */
export const v1Store = (s: Storage) => ({
  get: async (path: string): Promise<Record<string, unknown> | undefined> =>
    path.endsWith('/') ? undefined : decode<Record<string, unknown>>(await s.get(path)),
  put: (path: string, data: Record<string, unknown>) => s.put(path, encode(data)),
  delete: (path: string) => (path.endsWith('/') ? Promise.resolve() : s.delete(path)),
  list: (folder: string, options?: ListOptions) => s.list(folder, options),
});
