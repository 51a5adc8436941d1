// Group commit (DESIGN.md): with a synchronous driver, one fsync per write would cap throughput
// and stall the event loop. Every write arriving in the same event-loop turn joins one batch;
// the batch is applied in one transaction (one fsync) on `setImmediate`, after the turn's
// microtasks, and only then are its writers answered. A failed batch rejects exactly its writers.

import { Internal } from '../util/errors.js';
import type { WriteOp } from './storage.js';

/** A queue of writes that are applied in batches, one atomic apply per event-loop turn. */
export interface GroupCommit {
  /** Queues `ops` (applied atomically together); resolves once their batch is durable. */
  enqueue(ops: WriteOp[]): Promise<void>;
  /** Applies whatever is queued now, synchronously; used by close(). */
  flush(): void;
  /** Stops accepting writes; flushes first so nothing acknowledged-to-be is lost. */
  stop(): void;
  /** How many batches have been applied successfully: for tests and benchmarks. */
  commits(): number;
}

type Pending = { ops: WriteOp[]; resolve: () => void; reject: (err: unknown) => void };

/** Starts a group-commit queue over `applyBatch`, which must apply all ops atomically or throw. */
export function startGroupCommit(applyBatch: (ops: WriteOp[]) => void): GroupCommit {
  let queue: Pending[] = [];
  let timer: NodeJS.Immediate | undefined;
  let stopped = false;
  let commits = 0;

  const flush = (): void => {
    if (timer !== undefined) clearImmediate(timer);
    timer = undefined;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    try {
      // Later ops overwrite earlier ones for the same key: arrival order is commit order.
      applyBatch(batch.flatMap((p) => p.ops));
    } catch (cause) {
      // The driver's text may quote a key; it goes to the log as the cause, not to the client.
      const err = new Internal('storage commit failed', { cause });
      for (const p of batch) p.reject(err);
      return;
    }
    commits++;
    for (const p of batch) p.resolve();
  };

  return {
    enqueue(ops) {
      if (stopped) return Promise.reject(new Internal('storage is closed'));
      return new Promise<void>((resolve, reject) => {
        queue.push({ ops, resolve, reject });
        timer ??= setImmediate(flush);
      });
    },
    flush,
    stop() {
      flush();
      stopped = true;
    },
    commits: () => commits,
  };
}
