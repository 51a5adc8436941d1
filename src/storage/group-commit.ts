// Group commit (DESIGN.md): with a synchronous driver, one fsync per write would cap throughput
// and stall the event loop. Every write arriving in the same event-loop turn joins one batch;
// the batch is applied in one transaction (one fsync) on `setImmediate`, after the turn's
// microtasks, and only then are its writers answered. A failed batch rejects exactly its writers.

import { Internal, LockboxError } from '../util/errors.js';
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

/**
 * A writer in the queue. The pipelined queue's fields are there for every queue: one shape,
 * made whole at once (adding them to a made object changed its shape on every write).
 */
type Waiting = { ops: WriteOp[]; resolve: () => void; reject: (err: unknown) => void };
type Pending = QueuedWrite & Waiting & {
  /** The writer whose writes this one read (pipelined queue only). */
  after: Pending | undefined;
  sent: SentBatch | undefined;
  failed: boolean;
};

/**
 * The writes of one event-loop turn, handed to `send` together at the end of the turn (after
 * its microtasks), or at once by `flush`.
 */
function turnQueue(send: (batch: Pending[]) => void): Pick<GroupCommit, 'flush' | 'stop'> & {
  /** Queues `ops` (read after `after`'s); `placed` sees the writer's queue entry before the turn can send it. */
  enqueue(ops: WriteOp[], after?: Pending, placed?: (p: Pending) => void): Promise<void>;
  pending(): number;
} {
  let queue: Pending[] = [];
  let timer: NodeJS.Immediate | undefined;
  let stopped = false;
  const flush = (): void => {
    if (timer !== undefined) clearImmediate(timer);
    timer = undefined;
    const batch = queue;
    queue = [];
    if (batch.length > 0) send(batch);
  };
  return {
    enqueue(ops, after, placed) {
      if (stopped) return Promise.reject(new Internal('storage is closed'));
      return new Promise<void>((resolve, reject) => {
        const p: Pending = { queued: true, ops, resolve, reject, after, sent: undefined, failed: false };
        placed?.(p);
        queue.push(p);
        timer ??= setImmediate(flush);
      });
    },
    flush,
    stop() {
      flush();
      stopped = true;
    },
    pending: () => queue.length,
  };
}

// A LockboxError (a fencing refusal, a size limit) is already safe to show; anything else may
// quote a key and goes to the log as the cause only.
const commitError = (cause: unknown): LockboxError => (cause instanceof LockboxError ? cause : new Internal('storage commit failed', { cause }));

// Later ops overwrite earlier ones for the same key: arrival order is commit order.
const opsOf = (batch: Pending[]): WriteOp[] => (batch.length === 1 ? (batch[0] as Pending).ops : batch.flatMap((p) => p.ops));

/** Starts a group-commit queue over `applyBatch`, which must apply all ops atomically or throw. */
export function startGroupCommit(applyBatch: (ops: WriteOp[]) => void): GroupCommit {
  let commits = 0;
  const turns = turnQueue((batch) => {
    try {
      applyBatch(opsOf(batch));
    } catch (cause) {
      // The driver's text may quote a key; it goes to the log as the cause, not to the client.
      const err = new Internal('storage commit failed', { cause });
      for (const p of batch) p.reject(err);
      return;
    }
    commits++;
    for (const p of batch) p.resolve();
  });
  return { enqueue: turns.enqueue, flush: turns.flush, stop: turns.stop, commits: () => commits };
}

/** Says whether one more writer's ops still fit in a batch (a backend's request limits). */
export type BatchFits = (batch: readonly WriteOp[], next: readonly WriteOp[]) => boolean;

/**
 * Group commit for a networked driver whose apply is asynchronous: one batch is in flight at a
 * time, and every write that arrives meanwhile joins the next one. `fits` caps a batch (etcd's
 * per-request limits); a writer's own ops are never split across batches.
 */
export function startAsyncGroupCommit(
  applyBatch: (ops: WriteOp[]) => Promise<void>,
  fits: BatchFits = () => true,
): GroupCommit & { idle(): Promise<void> } {
  let queue: Waiting[] = [];
  let running: Promise<void> | undefined;
  let stopped = false;
  let commits = 0;

  const takeBatch = (): Waiting[] => {
    const ops: WriteOp[] = [];
    let n = 0;
    for (const p of queue) {
      if (n > 0 && !fits(ops, p.ops)) break;
      n++;
      ops.push(...p.ops);
    }
    const batch = queue.slice(0, n);
    queue = queue.slice(n);
    return batch;
  };

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = takeBatch();
      try {
        await applyBatch(batch.flatMap((p) => p.ops));
      } catch (cause) {
        for (const p of batch) p.reject(commitError(cause));
        continue;
      }
      commits++;
      for (const p of batch) p.resolve();
    }
    running = undefined;
  };

  return {
    enqueue(ops) {
      if (stopped) return Promise.reject(new Internal('storage is closed'));
      return new Promise<void>((resolve, reject) => {
        queue.push({ ops, resolve, reject });
        // Started on the next turn, so the writes of this turn join the first batch.
        running ??= new Promise<void>((done) => setImmediate(done)).then(drain);
      });
    },
    flush() { /* batches leave on their own; idle() waits for them */ },
    stop() { stopped = true; },
    idle: () => running ?? Promise.resolve(),
    commits: () => commits,
  };
}

/** One batch handed to an ordering applier; `state` changes as soon as its outcome is known. */
export type SentBatch = { readonly id: number; state: 'pending' | 'committed' | 'failed'; readonly done: Promise<void> };

/** A writer's place in the pipelined queue, for a later writer that read its writes. Opaque. */
export type QueuedWrite = { readonly queued: true };

type PipelinedPending = Pending;

const dependencyFailed = () => new Internal('storage commit failed', { cause: new Error('an earlier commit this one read from failed') });

/**
 * Group commit for an applier that orders and coalesces batches itself (SQLite's commit
 * thread): each event-loop turn's writes leave as one batch at the end of the turn, without
 * waiting for the batches before them. The applier must apply batches in call order, and fail
 * a batch whose `after` batches failed. A writer queued `after` another (it read that one's
 * writes before they were durable) fails if that one fails: here when that is known already,
 * by the applier otherwise; in one batch they commit or fail together anyway. A batch that
 * fails rejects its writers; `commits` is the applier's to count.
 */
export function startPipelinedGroupCommit(applyBatch: (ops: WriteOp[], after: SentBatch[]) => SentBatch): Omit<GroupCommit, 'commits'> & {
  idle(): Promise<void>;
  /** Like `enqueue`; `after` is a writer whose writes these ops' writer read. */
  enqueueAfter(ops: WriteOp[], after?: QueuedWrite): { queued: QueuedWrite; done: Promise<void> };
} {
  let inFlight = 0;
  let idleWaiters: Array<() => void> = [];
  const settled = (): void => {
    inFlight--;
    if (inFlight > 0 || turns.pending() > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  };
  /** Sends one group of writers as a batch depending on `deps`; settles them with its outcome. */
  const send = (group: PipelinedPending[], deps: SentBatch[]): void => {
    inFlight++;
    const sent = applyBatch(opsOf(group), deps);
    for (const p of group) p.sent = sent;
    sent.done.then(
      () => {
        for (const p of group) p.resolve();
        settled();
      },
      (cause: unknown) => {
        for (const p of group) {
          p.failed = true;
          p.reject(commitError(cause));
        }
        settled();
      },
    );
  };
  const turns = turnQueue((batch) => {
    // In order: writers that read an unsettled earlier batch each go as their own batch
    // depending on it, so its failure fails them and not the unrelated writers of this turn.
    let group: PipelinedPending[] = [];
    for (const p of batch as PipelinedPending[]) {
      const a = p.after;
      // The chain back is no longer needed once this writer's dependency is known: keeping it
      // would hold every earlier writer of a hot key (and its values) while the key stays busy.
      p.after = undefined;
      if (a !== undefined && (a.failed === true || a.sent?.state === 'failed')) {
        p.failed = true;
        p.reject(dependencyFailed());
        continue;
      }
      // Not sent and not failed: `a` is earlier in `group`, so in the same transaction.
      if (a?.sent?.state !== 'pending') {
        group.push(p);
        continue;
      }
      if (group.length > 0) send(group, []);
      group = [];
      send([p], [a.sent]);
    }
    if (group.length > 0) send(group, []);
  });
  const enqueueAfter = (ops: WriteOp[], after?: QueuedWrite) => {
    let queued: PipelinedPending | undefined;
    const done = turns.enqueue(ops, after as PipelinedPending | undefined, (p) => { queued = p; });
    // A refused enqueue (closed) never reaches the queue: it counts as failed for those after it.
    return { queued: queued ?? ({ queued: true, after: undefined, failed: true } as unknown as PipelinedPending), done };
  };
  return {
    enqueue: (ops) => enqueueAfter(ops).done,
    enqueueAfter,
    flush: turns.flush,
    stop: turns.stop,
    idle: () => (inFlight === 0 && turns.pending() === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
  };
}
