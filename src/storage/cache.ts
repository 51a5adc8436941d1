// A read-through cache of physical entries in front of a backend. It holds what the backend
// holds — ciphertext written by the barrier, never plaintext — so hot reads skip the storage
// round trip. Writes go through first and update the cache once acknowledged. Absence is
// cached too on a backend only this process writes: a new secret is looked up (is this a
// create or an update?) and then read again under its lock before it is written, and neither
// read needs to ask the backend twice.
//
// Single-process only: with several nodes on one backend (HA) another node's writes do not
// reach it, so a node that becomes active clears it before trusting anything in it. There
// absence is never cached: a node started before another initialised the store must see the
// seal configuration, keyring and mount tables that appear after it first looked.
import type { ListOptions, PhysicalStorage, Storage } from './storage.js';

/** A cached storage; `clear` forgets every entry (a standby becoming active). */
export type CachedStorage = PhysicalStorage & {
  clear(): void;
  /** Forgets these keys: another node changed them (a standby following the change feed). */
  forget(keys: Iterable<string>): void;
};

/** Entries larger than this are not kept: the cache is for many small hot records. */
const MAX_VALUE_BYTES = 64 * 1024;

export type CacheOptions = {
  /** At most this many values are kept (least recently used go first); default 10,000. */
  maxEntries?: number;
  /** Whether a missing key is remembered as missing (off for a backend other nodes write). */
  cacheAbsent?: boolean;
};

/** Wraps `inner` with a bounded cache of its entries. */
export function cachedStorage(inner: PhysicalStorage, { maxEntries = 10_000, cacheAbsent = true }: CacheOptions = {}): CachedStorage {
  // value null: the backend has no entry at that key. `at`: the count of placements when the
  // entry was last put at the back of the eviction order.
  const cache = new Map<string, { value: Buffer | null; at: number }>();
  let placed = 0;
  // A read that overlapped an acknowledged write of its key does not fill the cache with what
  // may already be the old value. Tracked per key: with every commit acknowledging dozens of
  // writes, a global counter would keep almost no read of a new key, and each would ask the
  // backend again. `epoch` covers clear() and forget(), which reach keys not being read yet.
  const reading = new Map<string, { readers: number; stale: boolean }>();
  // Keys written by staged transactions not yet durable, with how many of them: a transaction
  // reads those from the backend's view (which shows what it was staged after), not from here.
  const staging = new Map<string, number>();
  let epoch = 0;

  // The eviction cursor: a Map iterator outlives deletes and inserts and resumes where it was.
  // Everything before it was evicted, so its next key is the least recently used. A fresh
  // keys().next() per eviction would step over every deleted slot at the front of the table
  // (tens of µs each with 10,000 entries cycling through).
  let oldest = cache.keys();
  const evictOne = () => {
    let next = oldest.next();
    if (next.done) { oldest = cache.keys(); next = oldest.next(); }
    if (!next.done) cache.delete(next.value);
  };
  const remember = (key: string, value: Buffer | null) => {
    if (value === null ? !cacheAbsent : value.length > MAX_VALUE_BYTES) return cache.delete(key);
    cache.delete(key);
    cache.set(key, { value, at: ++placed });
    if (cache.size > maxEntries) evictOne();
    return true;
  };
  const written = (keys: Iterable<string>) => {
    for (const key of keys) {
      cache.delete(key);
      const read = reading.get(key);
      if (read !== undefined) read.stale = true;
    }
  };
  const forgetAll = () => {
    epoch++;
    cache.clear();
    oldest = cache.keys();
  };

  // A backend read that fills the cache unless a write of the key or a clear overlapped it.
  const readThrough = async (key: string): Promise<Buffer | undefined> => {
    let read = reading.get(key);
    if (read === undefined) reading.set(key, (read = { readers: 0, stale: false }));
    read.readers++;
    const before = epoch;
    try {
      const value = await inner.get(key);
      if (!read.stale && epoch === before) remember(key, value ? Buffer.from(value) : null);
      return value;
    } finally {
      if (--read.readers === 0) reading.delete(key);
    }
  };

  // Not async: a hit answers with an already settled promise, without an async frame.
  const cachedGet = (key: string): Promise<Buffer | undefined> => {
    const hit = cache.get(key);
    if (hit === undefined) return readThrough(key);
    // Back to the end of the eviction order once it is in the older half: moving a hot key on
    // every hit would churn the Map's table (each move leaves a deleted slot; a full table is
    // copied), for an order that only needs to be roughly least-recently-used.
    if (placed - hit.at > maxEntries / 2) {
      cache.delete(key);
      hit.at = ++placed;
      cache.set(key, hit);
    }
    return Promise.resolve(hit.value === null ? undefined : Buffer.from(hit.value));
  };

  // Inside a transaction: from the cache unless a staged transaction has the key in flight.
  const readInTx = (key: string, tx: Storage): Promise<Buffer | undefined> => (staging.has(key) ? tx.get(key) : cachedGet(key));

  const stage = (innerStage: NonNullable<Storage['stage']>): NonNullable<Storage['stage']> => async (fn, after) => {
    const touched = new Set<string>();
    let staged;
    try {
      staged = await innerStage((tx) => fn(trackingView(tx, touched, readInTx)), after);
    } catch (err) {
      written(touched);
      throw err;
    }
    for (const key of touched) staging.set(key, (staging.get(key) ?? 0) + 1);
    const settled = () => {
      for (const key of touched) {
        const n = (staging.get(key) ?? 1) - 1;
        if (n === 0) staging.delete(key);
        else staging.set(key, n);
      }
      written(touched);
    };
    staged.durable.then(settled, settled);
    return staged;
  };

  const view: CachedStorage = {
    get: cachedGet,
    // Not async, like `get`: a hit is an already settled promise.
    has(key) {
      const hit = cache.get(key);
      if (hit !== undefined) return Promise.resolve(hit.value !== null);
      return readThrough(key).then(isPresent);
    },
    async put(key, value) {
      await inner.put(key, value);
      written([key]);
      remember(key, Buffer.from(value));
    },
    async delete(key) {
      await inner.delete(key);
      written([key]);
      remember(key, null);
    },
    list: (prefix: string, options?: ListOptions) => inner.list(prefix, options),
    async transaction(fn) {
      const touched = new Set<string>();
      try {
        return await inner.transaction((tx) => fn(trackingView(tx, touched, readInTx)));
      } finally {
        // Committed or rolled back, these keys may have changed: forget them.
        written(touched);
      }
    },
    ...(inner.stage ? { stage: stage(inner.stage.bind(inner)) } : {}),
    close: () => inner.close(),
    clear: forgetAll,
    forget: (keys) => { epoch++; written(keys); },
  };
  return view;
}

const isPresent = (value: Buffer | undefined): boolean => value !== undefined;

/**
 * A transaction view that notes every key it writes. A key it has not written reads as the
 * backend holds it, so the cache may answer (isolation is read-committed); a written one is
 * read from the transaction.
 */
function trackingView(tx: Storage, touched: Set<string>, read: (key: string, tx: Storage) => Promise<Buffer | undefined>): Storage {
  return new TrackingView(tx, touched, read);
}

// A class: one of these is made per transaction (every write), and its methods are shared.
class TrackingView implements Storage {
  readonly #tx: Storage;
  readonly #touched: Set<string>;
  readonly #read: (key: string, tx: Storage) => Promise<Buffer | undefined>;

  constructor(tx: Storage, touched: Set<string>, read: (key: string, tx: Storage) => Promise<Buffer | undefined>) {
    this.#tx = tx;
    this.#touched = touched;
    this.#read = read;
  }

  get(key: string): Promise<Buffer | undefined> { return this.#touched.has(key) ? this.#tx.get(key) : this.#read(key, this.#tx); }
  put(key: string, value: Buffer): Promise<void> { this.#touched.add(key); return this.#tx.put(key, value); }
  delete(key: string): Promise<void> { this.#touched.add(key); return this.#tx.delete(key); }
  list(prefix: string, options?: ListOptions): Promise<string[]> { return this.#tx.list(prefix, options); }
  transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T> {
    return this.#tx.transaction((inner) => fn(new TrackingView(inner, this.#touched, this.#read)));
  }
}
