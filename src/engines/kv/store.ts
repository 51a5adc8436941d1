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

const DEFAULT_CONFIG: KvConfig = Object.freeze({ max_versions: 0, cas_required: false, delete_version_after: 0 });

const META = 'meta/';
const VER = 'ver/';

function decode<T>(raw: Buffer | undefined): T | undefined {
  return raw === undefined ? undefined : (JSON.parse(raw.toString('utf8')) as T);
}

const encode = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/**
 * A metadata record as JSON, built as one string: its `versions` are keyed by numbers, which
 * send JSON.stringify down its slow path for indexed properties, and every write encodes one.
 * The text is JSON.stringify's but for the order of fields (always the declared one, where
 * JSON.stringify follows insertion: a soft delete adds `deletion_time` last), which decoding
 * does not see. Anything not exactly of the record's own shape goes to JSON.stringify.
 */
function encodeMetadata(meta: KeyMetadata): Buffer {
  const custom = meta.custom_metadata;
  if (!ownShape(meta)) return encode(meta);
  let versions = '';
  for (const n in meta.versions) {
    const v = meta.versions[n];
    if (!VERSION_KEY.test(n) || !Object.hasOwn(meta.versions, n) || !versionShape(v)) return encode(meta);
    const deletion = v.deletion_time === undefined ? '' : `,"deletion_time":${json(v.deletion_time)}`;
    versions += `${versions === '' ? '' : ','}"${n}":{"created_time":${json(v.created_time)}${deletion},"destroyed":${v.destroyed}}`;
  }
  return Buffer.from(`{"id":${JSON.stringify(meta.id)},"current_version":${json(meta.current_version)},"oldest_version":${json(meta.oldest_version)},`
    + `"created_time":${json(meta.created_time)},"updated_time":${json(meta.updated_time)},"max_versions":${json(meta.max_versions)},`
    + `"cas_required":${meta.cas_required},"delete_version_after":${json(meta.delete_version_after)},`
    + `"custom_metadata":${custom === null ? 'null' : JSON.stringify(custom)},"versions":{${versions}}}`);
}

const VERSION_KEY = /^\d+$/;

/** How many own enumerable fields `value` has (no array made). */
function fieldCount(value: object): number {
  let n = 0;
  for (const key in value) if (Object.hasOwn(value, key)) n++;
  return n;
}

/** The record's ten fields, of their types, and nothing else (a field more would be lost). */
function ownShape(m: KeyMetadata): boolean {
  return typeof m.id === 'string' && typeof m.current_version === 'number' && typeof m.oldest_version === 'number'
    && typeof m.created_time === 'number' && typeof m.updated_time === 'number' && typeof m.max_versions === 'number'
    && typeof m.cas_required === 'boolean' && typeof m.delete_version_after === 'number'
    && (m.custom_metadata === null || typeof m.custom_metadata === 'object') && m.versions !== null && typeof m.versions === 'object'
    && fieldCount(m) === 10;
}

/** A version's own fields, of their types, and nothing else. */
function versionShape(v: VersionMeta | undefined): v is VersionMeta {
  if (v === null || typeof v !== 'object' || typeof v.created_time !== 'number' || typeof v.destroyed !== 'boolean') return false;
  if (v.deletion_time !== undefined && typeof v.deletion_time !== 'number') return false;
  return fieldCount(v) === ('deletion_time' in v ? 3 : 2);
}

// A finite number prints as JSON.stringify prints it; anything else is left to it (NaN → null).
const json = (n: number): string => (Number.isFinite(n) ? String(n) : JSON.stringify(n));

const decodeConfig = (raw: Buffer): KvConfig => Object.freeze({ ...DEFAULT_CONFIG, ...(JSON.parse(raw.toString('utf8')) as KvConfig) });

/**
 * Reads and writes the v2 mount config. It holds nothing secret and every write reads it, so
 * where the storage offers decoded reads it is decrypted once per stored ciphertext.
 */
export const configStore = (s: Storage & DecodedReads) => ({
  get: async (): Promise<KvConfig> => {
    // The decoded config already has the defaults under it (and is frozen, so it can be shared).
    if (s.getDecoded !== undefined) return (await s.getDecoded('config', decodeConfig)) ?? DEFAULT_CONFIG;
    return { ...DEFAULT_CONFIG, ...decode<KvConfig>(await s.get('config')) };
  },
  put: (config: KvConfig) => s.put('config', encode(config)),
});

/**
 * Per-secret metadata records, addressed by the secret's path. A class rather than an object
 * of closures: every write makes one or two of these, and its methods are shared.
 */
class MetadataRecords {
  readonly #s: Storage;
  constructor(s: Storage) { this.#s = s; }
  // A path ending in '/' names a folder, never a secret.
  async get(path: string): Promise<KeyMetadata | undefined> {
    return path.endsWith('/') ? undefined : decode<KeyMetadata>(await this.#s.get(META + path));
  }
  /** Whether the secret has metadata, without decrypting it where the storage can tell. */
  exists(path: string): Promise<boolean> {
    if (path.endsWith('/')) return Promise.resolve(false);
    const s = this.#s;
    return s.has ? s.has(META + path) : s.get(META + path).then((raw) => raw !== undefined);
  }
  put(path: string, meta: KeyMetadata): Promise<void> { return this.#s.put(META + path, encodeMetadata(meta)); }
  delete(path: string): Promise<void> { return this.#s.delete(META + path); }
  /** Children of a folder ('' or ending in '/'): secrets by name, sub-folders with '/'. */
  list(folder: string, options?: ListOptions): Promise<string[]> { return this.#s.list(META + folder, options); }
}

/** Per-secret metadata records of `s`. */
export const metadataStore = (s: Storage): MetadataRecords => new MetadataRecords(s);

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

/** Version data records of one secret (a class for the reason MetadataRecords is one). */
class VersionRecords {
  readonly #s: Storage;
  readonly #folder: string;
  constructor(s: Storage, id: string) {
    this.#s = s;
    this.#folder = `${VER}${id}/`;
  }
  async get(n: number): Promise<VersionRecord> {
    const record = decode<VersionRecord>(await this.#s.get(this.#folder + n));
    // The metadata says the version is live, so its data must be there.
    if (!record) throw new Internal('could not find version data');
    return record;
  }
  put(n: number, record: VersionRecord): Promise<void> { return this.#s.put(this.#folder + n, encode(record)); }
  delete(n: number): Promise<void> { return this.#s.delete(this.#folder + n); }
  /** Removes every version record of the secret, whatever the metadata says. */
  async deleteAll(): Promise<void> {
    for (const n of await this.#s.list(this.#folder)) await this.#s.delete(this.#folder + n);
  }
}

/** Version data records of the secret whose metadata is `meta`. */
export const versionStore = (s: Storage, meta: Pick<KeyMetadata, 'id'>): VersionRecords => new VersionRecords(s, meta.id);

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
