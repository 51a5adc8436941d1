// The Storage face shared by the networked backends (PostgreSQL, etcd): key checks, the closed
// check, listing by pages, group commit and buffered transactions. A backend supplies only how
// to read one key, how to read a page of keys, and how to apply a batch atomically.
import { Internal } from '../util/errors.js';
import { bufferedTransaction } from './buffered-transaction.js';
import { collectChildrenPaged, type KeyPageScan } from './children.js';
import { startAsyncGroupCommit, type BatchFits } from './group-commit.js';
import type { HaLock } from './ha.js';
import type { FeedState } from './feed.js';
import { validateKey, validateListOptions, validatePrefix } from './keys.js';
import type { PhysicalStorage, WriteOp } from './storage.js';

/** What a networked backend provides. */
export type NetworkedDriver = {
  get(key: string): Promise<Buffer | undefined>;
  scanPage: KeyPageScan;
  /** Applies one batch in one store transaction (fenced by the HA lock when held). */
  applyBatch(ops: WriteOp[]): Promise<void>;
  /** Caps a batch to the store's request limits. */
  fits?: BatchFits;
  /** Refuses, before queueing, a write the store could never take (a size limit). */
  admit?(ops: WriteOp[]): void;
  /** Releases the lock (if any) and the connections, once pending batches are done. */
  close(): Promise<void>;
  ha?: HaLock;
  /** The store's change feed (HA nodes). */
  feed?: FeedState;
};

/** A networked storage; `ha` is present when HA is enabled. */
export type NetworkedStorage = PhysicalStorage & { readonly ha?: HaLock; readonly feed?: FeedState; commits(): number };

/** Wraps a driver as a Storage. */
export function networkedStorage(driver: NetworkedDriver): NetworkedStorage {
  const writer = startAsyncGroupCommit((ops) => driver.applyBatch(ops), driver.fits);
  let closed = false;
  const open = (): void => {
    if (closed) throw new Internal('storage is closed');
  };
  const enqueue = async (ops: WriteOp[]): Promise<void> => {
    open();
    driver.admit?.(ops);
    return writer.enqueue(ops);
  };
  const read = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (cause) {
      // The driver's message may quote a key: the log gets it as the cause, the client does not.
      throw new Internal('storage read failed', { cause });
    }
  };

  const storage: NetworkedStorage = {
    ha: driver.ha,
    feed: driver.feed,
    async get(key) {
      open();
      validateKey(key);
      return read(() => driver.get(key));
    },
    async put(key, value) {
      validateKey(key);
      // Copied now: the caller may reuse its Buffer before the batch is committed.
      return enqueue([{ key, value: Buffer.from(value) }]);
    },
    async delete(key) {
      validateKey(key);
      return enqueue([{ key, value: undefined }]);
    },
    async list(prefix, options) {
      open();
      validatePrefix(prefix);
      validateListOptions(options);
      return collectChildrenPaged(prefix, options, (from, inclusive, max) => read(() => driver.scanPage(from, inclusive, max)));
    },
    async transaction(fn) {
      open();
      return bufferedTransaction(storage, enqueue, fn);
    },
    async close() {
      if (closed) return;
      closed = true;
      writer.stop();
      await writer.idle();
      await driver.close();
    },
    commits: () => writer.commits(),
  };
  return storage;
}
