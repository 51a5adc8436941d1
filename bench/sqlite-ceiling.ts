// SQLite's own single-row durable-write ceiling on this disk: a bare better-sqlite3 loop in the
// same configuration as Lockbox's backend (WAL, synchronous=FULL), one row per transaction, so
// each insert pays one fsync. Durable KV writes are compared with this, not with the HTTP
// ceiling: group commit is how Lockbox gets past it.
import Database from 'better-sqlite3';
import { join } from 'node:path';

/** Inserts single rows, each in its own transaction, for `seconds`; answers rows per second. */
export function sqliteFsyncCeiling(dir: string, seconds: number): number {
  const db = new Database(join(dir, 'ceiling.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB)');
    const insert = db.prepare('INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)');
    const value = Buffer.alloc(200, 1);
    const deadline = Date.now() + seconds * 1000;
    let rows = 0;
    const started = Date.now();
    while (Date.now() < deadline) insert.run(`key/${rows++}`, value);
    return Math.round(rows / ((Date.now() - started) / 1000));
  } finally {
    db.close();
  }
}
