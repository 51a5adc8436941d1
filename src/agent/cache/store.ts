// The lease cache's entries and the indexes it looks them up by (request, token, accessor,
// lease), kept as a tree: every cached lease hangs under the token that asked for it, and
// every child token under its parent. Evicting an entry evicts what hangs under it, as Vault
// Agent's derived renewal contexts do when a token's context is cancelled.
import type { IncomingHttpHeaders } from 'node:http';

/**
 * lease: an answer with a lease_id; token: an answer with a new token (auth block); root: a
 * token the agent holds itself (auto-auth), registered so that answers made with it are
 * cached, never served from the cache.
 */
export type EntryKind = 'lease' | 'token' | 'root';

export type CachedResponse = { status: number; headers: IncomingHttpHeaders; body: Buffer };

/** The only namespace Lockbox has, spelled as Vault Agent indexes it. */
export const ROOT_NAMESPACE = 'root/';

export type EntryFields = {
  requestPath: string;
  /** The token the request was made with ('' for none). */
  requestToken: string;
  /** token and root entries: the token this entry stands for. */
  token?: string;
  accessor?: string;
  leaseId?: string;
  response?: CachedResponse;
  /** Scheduler time the answer was stored at (Age counts from it). */
  storedAt: number;
};

export class Entry {
  readonly children = new Set<Entry>();
  /** Aborted when the entry leaves the cache (or the agent stops): ends its renewals. */
  readonly stop = new AbortController();
  parent?: Entry;

  readonly id: string;
  readonly kind: EntryKind;
  readonly fields: EntryFields;

  constructor(id: string, kind: EntryKind, fields: EntryFields) {
    this.id = id;
    this.kind = kind;
    this.fields = fields;
  }
}

export type EvictOptions = {
  /** Child tokens stay cached, as orphans (revoke-orphan); leases under the entry go. */
  orphanChildTokens?: boolean;
  /** A root keeps its registration (only what hangs under it goes): a cache-clear, not a revocation. */
  keepRoot?: boolean;
};

export class CacheStore {
  readonly #byId = new Map<string, Entry>();
  readonly #byToken = new Map<string, Entry>();
  readonly #byAccessor = new Map<string, Entry>();
  readonly #byLease = new Map<string, Entry>();

  get size(): number {
    return this.#byId.size;
  }

  byId(id: string): Entry | undefined {
    return this.#byId.get(id);
  }

  byToken(token: string): Entry | undefined {
    return token === '' ? undefined : this.#byToken.get(token);
  }

  byAccessor(accessor: string): Entry | undefined {
    return this.#byAccessor.get(accessor);
  }

  byLease(leaseId: string): Entry | undefined {
    return this.#byLease.get(leaseId);
  }

  has(e: Entry): boolean {
    return this.#byId.get(e.id) === e;
  }

  entries(): Entry[] {
    return [...this.#byId.values()];
  }

  /** Adds an entry under `parent`; false when its request, token or lease is already cached. */
  add(e: Entry, parent?: Entry): boolean {
    const f = e.fields;
    if (this.#byId.has(e.id)) return false;
    if (f.token && this.#byToken.has(f.token)) return false;
    if (f.leaseId && this.#byLease.has(f.leaseId)) return false;
    this.#byId.set(e.id, e);
    if (f.token) this.#byToken.set(f.token, e);
    if (f.accessor) this.#byAccessor.set(f.accessor, e);
    if (f.leaseId) this.#byLease.set(f.leaseId, e);
    if (parent) {
      e.parent = parent;
      parent.children.add(e);
    }
    return true;
  }

  /** Removes an entry and (unless told otherwise) everything under it; stops their renewals. */
  evict(e: Entry, o: EvictOptions = {}): void {
    for (const child of [...e.children]) {
      if (o.orphanChildTokens && child.kind === 'token') {
        e.children.delete(child);
        child.parent = undefined;
      } else {
        this.evict(child);
      }
    }
    if (e.kind === 'root' && o.keepRoot) return;
    if (this.#byId.get(e.id) !== e) return;
    const f = e.fields;
    this.#byId.delete(e.id);
    if (f.token && this.#byToken.get(f.token) === e) this.#byToken.delete(f.token);
    if (f.accessor && this.#byAccessor.get(f.accessor) === e) this.#byAccessor.delete(f.accessor);
    if (f.leaseId && this.#byLease.get(f.leaseId) === e) this.#byLease.delete(f.leaseId);
    e.parent?.children.delete(e);
    e.parent = undefined;
    e.stop.abort();
  }
}
