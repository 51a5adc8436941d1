// The SQLite commit thread (sqlite-writer.ts): applies the batches it is sent in IMMEDIATE
// transactions and answers once SQLite has fsynced them. Runs off the main thread so the fsync
// (synchronous=FULL) never stalls request handling. Every batch that arrived while the last
// commit was being made durable goes into the next one: one fsync for all of them, started
// the moment the disk is free. Their writes are applied in arrival order, so a later batch's
// write to a key wins, as if they had been committed one by one; they succeed or fail together.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** A batch's writes in order: key i is deleted when lengths[i] is -1, else set to its bytes in `data`. */
export type PackedBatch = { keys: string[]; lengths: Int32Array; data: Uint8Array };
/**
 * A batch to commit. `deps`: earlier batches it read from, still unanswered when it was sent;
 * if one of them failed, this one fails unapplied. `oldest`: the oldest batch the main thread
 * still awaits (failures before it are no longer asked about). `fail` (tests only) makes its
 * commit fail after its writes are applied.
 */
type BatchRequest = { kind: 'batch'; id: number; deps: number[]; oldest: number; fail?: true } & PackedBatch;
/** What the main thread sends: a batch to commit, or the request to close. */
export type WriterRequest = BatchRequest | { kind: 'close' };
/** What this thread answers for the batches of one commit: committed, or SQLite's code and message. */
export type WriterReply = { ids: number[]; ok: true } | { ids: number[]; ok: false; code: string; message: string };
/** How the thread opens the database. */
export type WriterOptions = { path: string; busyTimeoutMs: number };

/**
 * The commit connection's page cache, in KiB (SQLite's negative cache_size). A burst of
 * deletes under HMAC keys (a token expiry burst) dirties index pages all over the key index;
 * with better-sqlite3's 16 MiB a transaction kept evicting and re-reading them (the rows of a
 * 50,000-token burst, deleted in one transaction from a copy of the lease bench's database:
 * 16,400/s with 16 MiB, 33,300/s with 128 MiB). Pages are allocated as they are used, and
 * handed back when the thread is idle after large commits.
 */
const CACHE_KIB = 128 * 1024;
/**
 * Checkpoints are paced: SQLite's own runs inline after any commit that leaves more than
 * 1,000 WAL pages, so during a burst every commit also copied its pages back into the database
 * (each index page written twice per commit, and the next commit waiting). Here the thread
 * checkpoints once it has been idle for IDLE_CHECKPOINT_MS; SQLite's automatic checkpoint
 * stays as the bound under a write load that never pauses, at WAL_CAP_PAGES.
 */
const IDLE_CHECKPOINT_MS = 50;
// 32 MiB of WAL: a write load that never pauses copies back in stalls of tens of ms, not of
// seconds.
const WAL_CAP_PAGES = 8192;
/**
 * Around large commits (an expiry burst deletes 25,000 rows a commit) the cap is 256 MiB
 * instead. One such commit alone leaves more than 8,192 pages, so at the small cap every one
 * of them was followed by a checkpoint copying all its pages back before the next could
 * start; the burst's commits dirty mostly the same index pages, and a checkpoint at the end
 * (the idle one, usually) copies each of them once. Measured deleting a 50,000-token burst
 * from a copy of the lease bench's database, 8,192 tokens a commit: 38 against 33 µs of CPU
 * per token, the final checkpoint included.
 */
const BURST_WAL_CAP_PAGES = 65_536;
/** Rows in one commit from which it counts as large. */
const LARGE_COMMIT_ROWS = 4096;
/** How long after the last large commit the burst cap holds (commits of a burst are this close). */
const BURST_HOLD_MS = 1000;
/** After a checkpoint the WAL file is cut back to this size, so a burst's WAL does not stay on disk. */
const WAL_KEEP_BYTES = 64 * 1024 * 1024;
/** Written rows after which an idle thread releases its cache's unused memory. */
const SHRINK_AFTER_OPS = 20_000;

const port = parentPort;
if (port) {
  const { path, busyTimeoutMs } = workerData as WriterOptions;
  const db = new Database(path, { timeout: busyTimeoutMs });
  db.pragma('synchronous = FULL');
  db.pragma(`cache_size = -${CACHE_KIB}`);
  db.pragma(`wal_autocheckpoint = ${WAL_CAP_PAGES}`);
  db.pragma(`journal_size_limit = ${WAL_KEEP_BYTES}`);
  const upsert = db.prepare('INSERT INTO entries (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const remove = db.prepare('DELETE FROM entries WHERE key = ?');
  const applyOne = ({ keys, lengths, data }: PackedBatch) => {
    let at = 0;
    keys.forEach((key, i) => {
      const length = lengths[i] as number;
      if (length < 0) {
        remove.run(key);
        return;
      }
      // A view of the batch's buffer: SQLite copies the bytes into the row.
      upsert.run(key, data.subarray(at, at + length));
      at += length;
    });
  };
  const apply = db.transaction((batches: BatchRequest[]) => {
    for (const batch of batches) applyOne(batch);
    if (batches.some((b) => b.fail)) {
      // Thrown inside the transaction, so better-sqlite3 rolls back what was just applied.
      throw Object.assign(new Error('disk I/O error (injected for a test)'), { code: 'SQLITE_IOERR_FSYNC' });
    }
  });
  let opsSinceShrink = 0;
  let cap = WAL_CAP_PAGES;
  let largeAt = -Infinity;
  // Chosen before each commit: SQLite checks the cap when the commit ends.
  const capFor = (rows: number) => {
    const now = performance.now();
    if (rows >= LARGE_COMMIT_ROWS) largeAt = now;
    const wanted = now - largeAt < BURST_HOLD_MS ? BURST_WAL_CAP_PAGES : WAL_CAP_PAGES;
    if (wanted !== cap) db.pragma(`wal_autocheckpoint = ${(cap = wanted)}`);
  };
  let idle: NodeJS.Timeout | undefined;
  const whenIdle = () => {
    idle = undefined;
    // PASSIVE: never waits for the main thread's readers; what they still use is copied later.
    db.pragma('wal_checkpoint(PASSIVE)');
    if (opsSinceShrink >= SHRINK_AFTER_OPS) {
      opsSinceShrink = 0;
      db.pragma('shrink_memory');
    }
  };
  // Batches that failed (or were failed for a dependency) and may still be depended on.
  const failedIds = new Set<number>();
  const commit = (received: BatchRequest[]) => {
    // A batch that read from a failed one is answered as failed and left out of the transaction.
    const batches: BatchRequest[] = [];
    for (const b of received) {
      // In arrival order: what an earlier batch may ask about is pruned only after it asked.
      for (const id of failedIds) if (id < b.oldest) failedIds.delete(id);
      if (b.deps.some((d) => failedIds.has(d))) {
        failedIds.add(b.id);
        // The code is sqlite-writer.ts's DEPENDENCY_FAILED.
        port.postMessage({ ids: [b.id], ok: false, code: 'LOCKBOX_DEPENDENCY_FAILED', message: 'an earlier commit this one read from failed' } satisfies WriterReply);
      } else {
        batches.push(b);
      }
    }
    if (batches.length === 0) return;
    const ids = batches.map((b) => b.id);
    let reply: WriterReply;
    let rows = 0;
    for (const b of batches) rows += b.keys.length;
    capFor(rows);
    try {
      apply.immediate(batches);
      reply = { ids, ok: true };
    } catch (err) {
      // Only the code and SQLite's text cross back; the main thread logs them as a cause.
      const e = err as { code?: unknown; message?: unknown };
      for (const id of ids) failedIds.add(id);
      reply = { ids, ok: false, code: String(e.code ?? 'UNKNOWN'), message: String(e.message ?? err) };
    }
    port.postMessage(reply);
  };
  port.on('message', (first: WriterRequest) => {
    // Whatever else is already waiting joins this commit.
    const batches: BatchRequest[] = [];
    let closing = false;
    for (let request: WriterRequest | undefined = first; request; request = receiveMessageOnPort(port)?.message as WriterRequest | undefined) {
      if (request.kind === 'close') {
        closing = true;
        break;
      }
      batches.push(request);
    }
    if (batches.length > 0) {
      commit(batches);
      for (const b of batches) opsSinceShrink += b.keys.length;
      if (idle) clearTimeout(idle);
      idle = setTimeout(whenIdle, IDLE_CHECKPOINT_MS);
      // Not a reason to stay alive: close() checkpoints anyway.
      idle.unref();
    }
    if (closing) {
      if (idle) clearTimeout(idle);
      db.close();
      port.close();
    }
  });
}
