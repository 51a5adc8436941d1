// The one interface of every storage layer: physical backends (memory, SQLite, later
// PostgreSQL and etcd), the encrypting barrier, and the per-mount views all implement it, so
// they stack freely and one contract suite (test/storage/contract.ts) checks them all.

/** Options for paging through a large folder in key order. */
export type ListOptions = {
  /** Only children whose name sorts (bytewise) strictly after this one. */
  after?: string;
  /** At most this many children; 0 or absent means all. */
  limit?: number;
};

/** Key/value storage with folder-style listing. Keys are '/'-separated paths. */
export interface Storage {
  /** The value stored at `key`, or undefined. */
  get(key: string): Promise<Buffer | undefined>;
  /** Stores `value` at `key`; acknowledged only once durable. */
  put(key: string, value: Buffer): Promise<void>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * The direct children of the folder `prefix` (which is '' or ends in '/'), in bytewise
   * order: a leaf as its name, a sub-folder once as its name followed by '/'.
   */
  list(prefix: string, options?: ListOptions): Promise<string[]>;
  /**
   * Runs `fn` against a view whose writes become visible and durable together when `fn`
   * resolves, and are discarded if it throws. Reads inside see the transaction's own writes.
   */
  transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T>;
  /**
   * Whether `key` holds a value, where a layer can tell without reading (or decrypting) it;
   * callers fall back to `get`. Optional.
   */
  has?(key: string): Promise<boolean>;
  /**
   * A transaction that answers once its writes are *staged*: queued to commit after every
   * write staged or sent before them, without waiting for that commit. `fn` reads its own
   * writes, then those of `after` (and of what `after` read through) while they are not yet
   * durable, then the committed state. The writes become durable together when `durable`
   * resolves; if `after`'s commit fails, this one fails too and none of its writes is made.
   * Optional: backends that cannot order commits this way leave it out.
   */
  stage?<T>(fn: (tx: Storage) => Promise<T>, after?: StageTicket): Promise<Staged<T>>;
}

/** Names one staged commit, for a later `stage` that read its writes. Opaque. */
export type StageTicket = { readonly staged: true };

/** A transaction whose writes are staged: its result, when they are durable, and its ticket. */
export type Staged<T> = { value: T; durable: Promise<void>; ticket: StageTicket };

/** A physical backend: a Storage that owns a resource to release. */
export interface PhysicalStorage extends Storage {
  /** Flushes pending writes and releases the backend. */
  close(): Promise<void>;
}

/** One buffered write of a transaction; `value` undefined means delete. */
export type WriteOp = { key: string; value: Buffer | undefined };
