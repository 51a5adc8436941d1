// The mount table: which backend serves which path prefix. Entries are persisted through the
// barrier; each mount's data lives under its uuid, so a remount moves nothing and disabling a
// mount deletes exactly its data.
import { randomUUID, randomBytes } from 'node:crypto';
import { BadRequest } from '../util/errors.js';
import type { Storage } from '../storage/storage.js';
import { scopedView } from '../storage/view.js';
import type { Backend } from './backend.js';
import type { MountInfo } from './request.js';

/** The two tables Vault keeps: secrets engines (`sys/mounts`) and auth methods (`sys/auth`). */
export type MountTableKind = 'mounts' | 'auth';

/** A persisted mount entry, in Vault's field names. */
export type MountEntry = MountInfo & {
  table: MountTableKind;
  description: string;
  seal_wrap: boolean;
  external_entropy_access: boolean;
  plugin_version: string;
  running_plugin_version: string;
  /** Extra tune settings (audit_non_hmac_*, listing_visibility…) kept as sent. */
  tune: Record<string, unknown>;
};

/**
 * Where a backend's type is looked up. `options` are the mount's options: one type may serve
 * different paths by option (kv version 1 or 2).
 */
export type BackendResolver = (table: MountTableKind, type: string, options?: Record<string, string>) => Backend | undefined;

const STORAGE_KEY: Record<MountTableKind, string> = { mounts: 'core/mounts', auth: 'core/auth' };

/** Makes the accessor Vault shows for a mount: `<type>_<8 hex>`. */
const makeAccessor = (type: string, table: MountTableKind) =>
  `${table === 'auth' ? 'auth_' : ''}${type}_${randomBytes(4).toString('hex')}`;

/** The routing key of an entry: auth mounts live under `auth/`. */
/**
 * What a mount's view offers beyond Storage when it sits on the barrier: reads of entries that
 * hold nothing secret, decoded once per stored ciphertext (Barrier.getDecoded). Absent inside
 * transactions; callers fall back to `get`. The value is shared: never change it.
 */
export type DecodedReads = {
  getDecoded?<T>(key: string, decode: (plain: Buffer) => T): Promise<T | undefined>;
};

export const routePrefix = (e: Pick<MountEntry, 'table' | 'path'>) => (e.table === 'auth' ? `auth/${e.path}` : e.path);

/** Normalises a user-given mount path: no leading slash, exactly one trailing slash. */
export function normaliseMountPath(path: string): string {
  const p = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (p === '') throw new BadRequest('path cannot be empty');
  if (p.split('/').includes('..')) throw new BadRequest('relative paths not supported');
  return p + '/';
}

/** The live mount table of one unsealed server. */
export class MountTable {
  #entries: MountEntry[] = [];
  readonly #barrier: Storage;
  readonly #resolve: BackendResolver;

  constructor(barrier: Storage, resolve: BackendResolver) {
    this.#barrier = barrier;
    this.#resolve = resolve;
  }

  /** Loads both tables from the barrier; false when nothing was stored yet. */
  async load(): Promise<boolean> {
    const loaded: MountEntry[] = [];
    let found = false;
    for (const table of ['mounts', 'auth'] as const) {
      const raw = await this.#barrier.get(STORAGE_KEY[table]);
      if (raw) {
        found = true;
        loaded.push(...(JSON.parse(raw.toString('utf8')) as MountEntry[]));
      }
    }
    this.#entries = loaded;
    return found;
  }

  /** Every entry of one table. */
  list(table: MountTableKind): MountEntry[] {
    return this.#entries.filter((e) => e.table === table).sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /** The entry at exactly `path` (normalised) in `table`. */
  get(table: MountTableKind, path: string): MountEntry | undefined {
    return this.#entries.find((e) => e.table === table && e.path === path);
  }

  /** The entry with this uuid (leases name their mount by uuid, which survives a remount). */
  byUuid(uuid: string): MountEntry | undefined {
    return this.#entries.find((e) => e.uuid === uuid);
  }

  /** The backend serving an entry. */
  backendOf(entry: MountEntry): Backend | undefined {
    return this.#resolve(entry.table, entry.type, entry.options);
  }

  /** The mount serving a request path (longest prefix), with the path inside it. */
  route(requestPath: string): { entry: MountEntry; backend: Backend; rest: string } | undefined {
    let best: MountEntry | undefined;
    for (const e of this.#entries) {
      const prefix = routePrefix(e);
      const hit = requestPath.startsWith(prefix) || requestPath + '/' === prefix;
      if (hit && (!best || prefix.length > routePrefix(best).length)) best = e;
    }
    if (!best) return undefined;
    const backend = this.#resolve(best.table, best.type, best.options);
    if (!backend) return undefined;
    return { entry: best, backend, rest: requestPath.slice(routePrefix(best).length) };
  }

  /** Adds a mount and persists the table. */
  async mount(input: {
    table: MountTableKind; path: string; type: string; description?: string; local?: boolean;
    options?: Record<string, string>; config?: Partial<MountInfo['config']>; seal_wrap?: boolean;
    uuid?: string; accessor?: string;
  }): Promise<MountEntry> {
    const path = normaliseMountPath(input.path);
    if (!this.#resolve(input.table, input.type, input.options)) {
      throw new BadRequest(`plugin not found in the catalog: ${input.type}`);
    }
    this.#assertFree(input.table, path);
    const entry: MountEntry = {
      table: input.table, path, type: input.type, description: input.description ?? '',
      accessor: input.accessor ?? makeAccessor(input.type, input.table), uuid: input.uuid ?? randomUUID(),
      local: input.local ?? false, seal_wrap: input.seal_wrap ?? false, external_entropy_access: false,
      options: input.options ?? {}, plugin_version: '', running_plugin_version: '',
      config: { default_lease_ttl: input.config?.default_lease_ttl ?? 0, max_lease_ttl: input.config?.max_lease_ttl ?? 0 },
      tune: {},
    };
    this.#entries.push(entry);
    await this.#persist(input.table);
    return entry;
  }

  #assertFree(table: MountTableKind, path: string): void {
    const full = table === 'auth' ? `auth/${path}` : path;
    for (const e of this.#entries) {
      const other = routePrefix(e);
      if (other === full) throw new BadRequest(`path is already in use at ${path}`);
      if (full.startsWith(other) || other.startsWith(full)) {
        throw new BadRequest(`existing mount at ${other}`);
      }
    }
    if (table === 'mounts' && /^(auth|sys|cubbyhole|identity)\//.test(path) && !this.#bootstrapping) {
      throw new BadRequest(`cannot mount '${path}' of type '${path.split('/')[0]}': path is protected`);
    }
  }

  #bootstrapping = false;

  /** Mounts the built-in backends (`sys/`, `cubbyhole/`, `auth/token/`) on a new server. */
  async bootstrap(builtins: Array<Parameters<MountTable['mount']>[0]>): Promise<void> {
    this.#bootstrapping = true;
    try {
      for (const b of builtins) await this.mount(b);
    } finally {
      this.#bootstrapping = false;
    }
  }

  /** Removes a mount and deletes all of its data. */
  async unmount(table: MountTableKind, path: string): Promise<MountEntry | undefined> {
    const entry = this.get(table, path);
    if (!entry) return undefined;
    this.#entries = this.#entries.filter((e) => e !== entry);
    await this.#persist(table);
    await deleteTree(this.viewOf(entry));
    return entry;
  }

  /** Moves a mount to a new path; its data stays under its uuid, so nothing is copied. */
  async remount(table: MountTableKind, from: string, to: string): Promise<MountEntry> {
    const entry = this.get(table, from);
    if (!entry) throw new BadRequest(`no matching mount at "${from}"`);
    if (['sys/', 'cubbyhole/', 'token/', 'identity/'].includes(from)) throw new BadRequest(`cannot remount "${from}"`);
    const others = this.#entries;
    this.#entries = others.filter((e) => e !== entry);
    try {
      this.#assertFree(table, to);
    } finally {
      this.#entries = others;
    }
    await this.update(entry, (e) => { e.path = to; });
    return entry;
  }

  /** Changes an entry in place (tune, remount) and persists. */
  async update(entry: MountEntry, change: (e: MountEntry) => void): Promise<void> {
    change(entry);
    await this.#persist(entry.table);
  }

  /** The storage view a mount's backend sees. */
  viewOf(entry: MountEntry): Storage {
    const root = entry.table === 'auth' ? 'auth' : 'logical';
    const prefix = `${root}/${entry.uuid}/`;
    // Every request asks for its mount's view: made once per entry (and prefix), not each time.
    const known = this.#views.get(entry);
    if (known?.prefix === prefix) return known.view;
    const barrier = this.#barrier as Storage & DecodedReads;
    const scoped = scopedView(barrier, prefix);
    const view: Storage & DecodedReads = barrier.getDecoded === undefined ? scoped : {
      ...scoped,
      // The view's own rule for keys, then the barrier's cache of decoded non-secret entries.
      // Not async: the barrier's promise is handed on without a frame of its own.
      getDecoded: (key, decode) => {
        if (typeof key !== 'string' || key.includes('..') || key.startsWith('/')) return Promise.reject(new BadRequest('relative paths not supported'));
        return barrier.getDecoded!(prefix + key, decode);
      },
    };
    this.#views.set(entry, { prefix, view });
    return view;
  }

  readonly #views = new WeakMap<MountEntry, { prefix: string; view: Storage & DecodedReads }>();

  async #persist(table: MountTableKind): Promise<void> {
    const rows = this.#entries.filter((e) => e.table === table);
    await this.#barrier.put(STORAGE_KEY[table], Buffer.from(JSON.stringify(rows)));
  }
}

/** Deletes every key under a storage view, depth first. */
export async function deleteTree(view: Storage, prefix = ''): Promise<void> {
  for (const child of await view.list(prefix)) {
    if (child.endsWith('/')) await deleteTree(view, prefix + child);
    else await view.delete(prefix + child);
  }
}
