// The main thread's side of the SQLite commit thread (sqlite-writer-worker.ts). Each event-loop
// turn's writes are posted to the thread at once, without waiting for the batch before them;
// the thread commits everything that queued up while it was fsyncing in one transaction. So
// group commit happens where the disk is: the thread never waits for the main thread to hear
// of one commit before it starts the next, and the event loop never blocks on the disk. Reads
// stay on the main thread's own connection: WAL lets them run while the commit thread writes,
// and they see a batch once it is acknowledged.
import { Worker } from 'node:worker_threads';
import type { SentBatch } from './group-commit.js';
import type { WriteOp } from './storage.js';
import type { PackedBatch, WriterOptions, WriterReply, WriterRequest } from './sqlite-writer-worker.js';

/** The code of a batch failed because a batch it read from failed (the thread uses the same text). */
export const DEPENDENCY_FAILED = 'LOCKBOX_DEPENDENCY_FAILED';

/** A commit thread: a sent batch resolves once it is durable, or rejects with SQLite's error. */
export interface SqliteWriter {
  /**
   * Sends `ops` to be committed together (with whatever else is queued by then), in call
   * order. `after`: batches this one read from; if one of them failed, so does this one.
   */
  apply(ops: WriteOp[], after?: readonly SentBatch[]): SentBatch;
  /** How many SQLite transactions (fsyncs) have committed. */
  commits(): number;
  /** Ends the thread once nothing is in flight. */
  close(): Promise<void>;
}

// Batches still to send normally before the injected failures, and how many of those.
let injectedSkip = 0;
let injectedFailures = 0;

/**
 * For tests of failure handling: after `skip` more batches, the next `count` batches sent by
 * any SQLite storage in this process apply their writes and then fail before COMMIT, as a
 * failing fsync would. Their transactions roll back; every write they carried is rejected.
 */
export function injectCommitFailures(count = 1, skip = 0): void {
  injectedSkip = skip;
  injectedFailures = count;
}

function nextBatchFails(): boolean {
  if (injectedFailures === 0) return false;
  if (injectedSkip > 0) {
    injectedSkip--;
    return false;
  }
  injectedFailures--;
  return true;
}

/** SQLite's failure as the commit thread reported it; carries the code so callers can tell. */
export class SqliteCommitError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

const workerFile = new URL('./sqlite-writer-worker.js', import.meta.url);

/** Starts a commit thread for the database at `options.path` (the table must already exist). */
export function startSqliteWriter(options: WriterOptions): SqliteWriter {
  const pending = new Map<number, { batch: SentBatch; resolve: () => void; reject: (err: unknown) => void }>();
  let nextId = 0;
  let commits = 0;
  let failure: Error | undefined;
  let worker: Worker | undefined;

  const failAll = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) {
      p.batch.state = 'failed';
      p.reject(err);
    }
    pending.clear();
  };
  const failed = (err: Error): SentBatch => {
    const done = Promise.reject(err);
    done.catch(() => {}); // the caller may look only at `state`
    return { id: -1, state: 'failed', done };
  };
  // Started at the first write: a storage that is only read never pays for the thread.
  const started = (): Worker => {
    if (worker) return worker;
    const w = new Worker(workerFile, { workerData: options });
    w.on('message', (reply: WriterReply) => {
      if (reply.ok) commits++;
      const err = reply.ok ? undefined : new SqliteCommitError(reply.code, reply.message);
      for (const id of reply.ids) {
        const p = pending.get(id);
        pending.delete(id);
        if (!p) continue;
        // Set here, not in a callback: a batch sent after this answer must see it.
        p.batch.state = err ? 'failed' : 'committed';
        if (err) p.reject(err);
        else p.resolve();
      }
      // Idle, the thread must not keep the process alive; while a batch is in flight it must.
      if (pending.size === 0) w.unref();
    });
    w.on('error', (err) => failAll(err));
    w.on('exit', (code) => failAll(new Error(`sqlite commit thread exited with code ${code}`)));
    w.unref();
    return (worker = w);
  };

  return {
    apply(ops, after = []) {
      if (failure) return failed(failure);
      // What this batch read from: failed already means it fails unsent; committed, nothing to wait for.
      const deps: number[] = [];
      for (const b of after) {
        if (b.state === 'failed') return failed(new SqliteCommitError(DEPENDENCY_FAILED, 'an earlier commit this one read from failed'));
        if (b.state === 'pending') deps.push(b.id);
      }
      const w = started();
      const id = nextId++;
      let settle: { resolve: () => void; reject: (err: unknown) => void } | undefined;
      const done = new Promise<void>((resolve, reject) => { settle = { resolve, reject }; });
      const sent: SentBatch = { id, state: 'pending', done };
      pending.set(id, { batch: sent, ...settle! });
      w.ref();
      const { batch, buffer } = pack(ops);
      const fail = nextBatchFails();
      // The thread forgets failures older than every batch still awaited here: nothing sent
      // from now on can depend on them (their failure is known here, and checked above).
      let oldest = id;
      for (const k of pending.keys()) if (k < oldest) oldest = k;
      const request: WriterRequest = { kind: 'batch', id, ...batch, deps, oldest, ...(fail ? { fail } : {}) };
      // The values' bytes are moved to the thread, not copied.
      w.postMessage(request, [buffer]);
      return sent;
    },
    commits: () => commits,
    async close() {
      const w = worker;
      if (!w) return;
      worker = undefined;
      failure ??= new Error('sqlite commit thread closed');
      await new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        w.ref();
        w.postMessage({ kind: 'close' } satisfies WriterRequest);
      });
    },
  };
}

/**
 * Lays a batch out as its keys, their value lengths (-1: delete) and one buffer holding every
 * value. Structured clone copies the whole ArrayBuffer under each Buffer it meets, and small
 * Buffers are views of Node's shared 8 KiB slab: sent as they were, each 200-byte value cost
 * an 8 KiB copy. One fresh buffer is transferred instead, so nothing is copied twice.
 */
function pack(ops: readonly WriteOp[]): { batch: PackedBatch; buffer: ArrayBuffer } {
  let total = 0;
  for (const op of ops) if (op.value !== undefined) total += op.value.length;
  const buffer = new ArrayBuffer(total);
  const data = new Uint8Array(buffer);
  const keys: string[] = new Array(ops.length);
  const lengths = new Int32Array(ops.length);
  let at = 0;
  ops.forEach((op, i) => {
    keys[i] = op.key;
    if (op.value === undefined) {
      lengths[i] = -1;
      return;
    }
    data.set(op.value, at);
    lengths[i] = op.value.length;
    at += op.value.length;
  });
  return { batch: { keys, lengths, data }, buffer };
}
