// The main thread's side of the SQLite commit thread (sqlite-writer-worker.ts). One batch is in
// flight at a time (startAsyncGroupCommit): everything written while it is being fsynced joins
// the next batch, so durable writes are no longer capped at one fsync per event-loop turn and
// the loop never blocks on the disk. Reads stay on the main thread's own connection: WAL lets
// them run while the commit thread writes, and they see a batch once it is acknowledged.
import { Worker } from 'node:worker_threads';
import type { WriteOp } from './storage.js';
import type { WriterOptions, WriterReply, WriterRequest } from './sqlite-writer-worker.js';

/** A commit thread: `apply` resolves once the batch is durable, or rejects with SQLite's error. */
export interface SqliteWriter {
  apply(ops: WriteOp[]): Promise<void>;
  /** Ends the thread once nothing is in flight. */
  close(): Promise<void>;
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
  const pending = new Map<number, { resolve: () => void; reject: (err: unknown) => void }>();
  let nextId = 0;
  let failure: Error | undefined;
  let worker: Worker | undefined;

  const failAll = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  // Started at the first write: a storage that is only read never pays for the thread.
  const started = (): Worker => {
    if (worker) return worker;
    const w = new Worker(workerFile, { workerData: options });
    w.on('message', (reply: WriterReply) => {
      const p = pending.get(reply.id);
      pending.delete(reply.id);
      // Idle, the thread must not keep the process alive; while a batch is in flight it must.
      if (pending.size === 0) w.unref();
      if (!p) return;
      if (reply.ok) p.resolve();
      else p.reject(new SqliteCommitError(reply.code, reply.message));
    });
    w.on('error', (err) => failAll(err));
    w.on('exit', (code) => failAll(new Error(`sqlite commit thread exited with code ${code}`)));
    w.unref();
    return (worker = w);
  };

  return {
    apply(ops) {
      if (failure) return Promise.reject(failure);
      const w = started();
      const id = nextId++;
      return new Promise<void>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.ref();
        w.postMessage({ kind: 'batch', id, ops } satisfies WriterRequest);
      });
    },
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
