// The SQLite commit thread (sqlite-writer.ts): applies each batch it is sent in one IMMEDIATE
// transaction and answers once SQLite has fsynced it. Runs off the main thread so the fsync
// (synchronous=FULL) never stalls request handling: while one batch is being made durable,
// the main thread keeps serving and gathers the next.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** A batch's writes in order: key i is deleted when lengths[i] is -1, else set to its bytes in `data`. */
export type PackedBatch = { keys: string[]; lengths: Int32Array; data: Uint8Array };
/** What the main thread sends: a batch to commit, or the request to close. */
export type WriterRequest = ({ kind: 'batch'; id: number } & PackedBatch) | { kind: 'close' };
/** What this thread answers for a batch: committed, or SQLite's code and message. */
export type WriterReply = { id: number; ok: true } | { id: number; ok: false; code: string; message: string };
/** How the thread opens the database. */
export type WriterOptions = { path: string; busyTimeoutMs: number };

const port = parentPort;
if (port) {
  const { path, busyTimeoutMs } = workerData as WriterOptions;
  const db = new Database(path, { timeout: busyTimeoutMs });
  db.pragma('synchronous = FULL');
  const upsert = db.prepare('INSERT INTO entries (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const remove = db.prepare('DELETE FROM entries WHERE key = ?');
  const apply = db.transaction(({ keys, lengths, data }: PackedBatch) => {
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
  });
  port.on('message', (request: WriterRequest) => {
    if (request.kind === 'close') {
      db.close();
      port.close();
      return;
    }
    let reply: WriterReply;
    try {
      apply.immediate(request);
      reply = { id: request.id, ok: true };
    } catch (err) {
      // Only the code and SQLite's text cross back; the main thread logs them as a cause.
      const e = err as { code?: unknown; message?: unknown };
      reply = { id: request.id, ok: false, code: String(e.code ?? 'UNKNOWN'), message: String(e.message ?? err) };
    }
    port.postMessage(reply);
  });
}
