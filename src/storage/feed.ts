// The change feed of a shared store: which keys other nodes changed, in store-revision order.
// A standby that serves reads from the shared store drops what it cached for those keys, and
// the revision it has seen is what read-your-writes (X-Vault-Index) waits for.
//
// Revisions are the store's own: PostgreSQL's changes-table sequence, etcd's revision. One
// node writes at a time (the HA fence), so revisions are committed in order.

/** `keys` changed at `revision`; 'all' means the feed lost track (reconnected): forget everything. */
export type FeedListener = (keys: readonly string[] | 'all') => void;

/** A store's change feed, as one node sees it. */
export interface ChangeFeed {
  /** The highest revision this node knows to be applied: seen on the feed, or committed by itself. */
  readonly revision: number;
  /** Calls `listener` for every change from now on; returns the unsubscribe function. */
  subscribe(listener: FeedListener): () => void;
  /** Resolves true once `revision` reaches `target`, false when `timeoutMs` passes first. */
  waitFor(target: number, timeoutMs: number): Promise<boolean>;
}

/** The bookkeeping every feed shares: the revision reached, listeners and waiters. */
export class FeedState implements ChangeFeed {
  #revision = 0;
  readonly #listeners = new Set<FeedListener>();
  #waiters: Array<{ target: number; resolve(ok: boolean): void }> = [];

  get revision(): number { return this.#revision; }

  subscribe(listener: FeedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  waitFor(target: number, timeoutMs: number): Promise<boolean> {
    if (this.#revision >= target) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = {
        target,
        resolve: (ok: boolean) => { clearTimeout(timer); resolve(ok); },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Changes seen on the feed: listeners first, so a woken waiter reads fresh data. */
  changed(revision: number, keys: readonly string[] | 'all'): void {
    for (const listener of this.#listeners) listener(keys);
    this.#advance(revision);
  }

  /** This node committed `revision` itself (its own caches already hold what it wrote). */
  committed(revision: number): void { this.#advance(revision); }

  #advance(revision: number): void {
    if (revision <= this.#revision) return;
    this.#revision = revision;
    const due = this.#waiters.filter((w) => w.target <= revision);
    if (due.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => w.target > revision);
    for (const w of due) w.resolve(true);
  }
}

/** Whether a physical storage offers a change feed. */
export function feedOf(storage: object): ChangeFeed | undefined {
  const feed = (storage as { feed?: unknown }).feed;
  return feed instanceof FeedState ? feed : undefined;
}
