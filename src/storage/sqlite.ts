// The default backend: one SQLite file in WAL mode with synchronous=FULL, so an acknowledged
// write survives a crash (DESIGN.md "Durable writes"). Writes go through group commit
// (group-commit.ts) to a commit thread (sqlite-writer.ts): each put, delete or transaction is
// answered only after the batch it joined is committed, and the fsync happens off the event
// loop; what is sent while one commit is being made durable goes into the next one. Reads go
// straight to the database and see committed data only: a read issued
// while a write is still queued sees the old value, and a read after an awaited write sees the
// new one. That is what an acknowledged write promises, and it keeps reads free of merging.

import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { BadRequest, Internal } from '../util/errors.js';
import { bufferedTransaction, runBuffered, stagedOverlay, stagedWrites, type StagedWrites } from './buffered-transaction.js';
import { collectChildrenPaged, type PageSizes } from './children.js';
import { startPipelinedGroupCommit, type QueuedWrite } from './group-commit.js';
import { validateKey, validateListOptions, validatePrefix } from './keys.js';
import { startSqliteWriter } from './sqlite-writer.js';
import type { PhysicalStorage, StageTicket } from './storage.js';

/** Listing pages: 32 keys first, doubling to 1,024 through a flat folder. */
const LIST_PAGES: PageSizes = { first: 32, max: 1024 };

/** A staged commit of this backend: its writes for those staged after it, its place in the queue. */
type SqliteTicket = StageTicket & { writes: StagedWrites | undefined; queued: QueuedWrite | undefined; done: Promise<void> };

/** Where and how to open the SQLite file. */
export type SqliteOptions = {
  /** The database file; its parent directory is created if missing. */
  path: string;
  /** How long a commit waits for another process's write lock; better-sqlite3's 5 s by default. */
  busyTimeoutMs?: number;
};

/** A SQLite storage, with a little introspection for tests and benchmarks. */
export interface SqliteStorage extends PhysicalStorage {
  /** How many group commits (SQLite transactions, fsyncs) have succeeded. */
  commits(): number;
  /** The connection's durability settings, as SQLite reports them. */
  pragmas(): { journalMode: string; synchronous: number };
}

/** Opens (creating if missing) the SQLite storage at `options.path`. */
export function openSqliteStorage(options: SqliteOptions): SqliteStorage {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const db = openDatabase(options.path, busyTimeoutMs);
  const statements = prepareStatements(db);
  const committer = startSqliteWriter({ path: options.path, busyTimeoutMs });
  const writer = startPipelinedGroupCommit((ops, after) => committer.apply(ops, after));
  // Pages read with all(): a row costs far less than a step of iterate(), and a page small at
  // first and after each sub-folder keeps a folder of big sub-folders from reading their keys.
  const scanPage = (from: string, inclusive: boolean, max: number): Promise<string[]> =>
    Promise.resolve((inclusive ? statements.keysFrom : statements.keysAfter).all(from, max) as string[]);
  let closed = false;
  const open = (): void => {
    if (closed) throw new Internal('storage is closed');
  };

  const storage: SqliteStorage = {
    async get(key) {
      open();
      validateKey(key);
      // better-sqlite3 returns a fresh Buffer per read, so the caller owns it.
      return statements.get.get(key) as Buffer | undefined;
    },
    async put(key, value) {
      validateKey(key);
      // Copied now: the caller may reuse its Buffer before the batch is committed.
      return writer.enqueue([{ key, value: Buffer.from(value) }]);
    },
    async delete(key) {
      validateKey(key);
      return writer.enqueue([{ key, value: undefined }]);
    },
    async list(prefix, listOptions) {
      open();
      validatePrefix(prefix);
      validateListOptions(listOptions);
      // Most folders asked about are empty (a revoked token's children, leases, cubbyhole): a
      // point lookup answers those without setting up a scan.
      const first = statements.firstFrom.get(prefix) as string | undefined;
      if (first === undefined || !first.startsWith(prefix)) return [];
      return collectChildrenPaged(prefix, listOptions, scanPage, LIST_PAGES);
    },
    async transaction(fn) {
      open();
      // The buffered view already copied and validated every value and key.
      return bufferedTransaction(storage, (ops) => writer.enqueue(ops), fn);
    },
    // Staged: the writes are queued behind everything sent before, and a transaction staged
    // after this one reads them from memory until they are durable (reads of this backend
    // see committed data only).
    async stage(fn, after) {
      open();
      const prior = after as SqliteTicket | undefined;
      const { value, ops, buffer } = await runBuffered(stagedOverlay(storage, prior?.writes), fn);
      // Nothing written: durable once what it read is.
      if (ops.length === 0) return { value, durable: prior?.done ?? Promise.resolve(), ticket: prior ?? { staged: true, writes: undefined, queued: undefined, done: Promise.resolve() } };
      const { queued, done } = writer.enqueueAfter(ops, prior?.queued);
      const ticket: SqliteTicket = { staged: true, writes: stagedWrites(buffer, prior?.writes, done), queued, done };
      return { value, durable: done, ticket };
    },
    async close() {
      if (closed) return;
      closed = true;
      writer.stop();
      await writer.idle();
      await committer.close();
      db.close();
    },
    commits: () => committer.commits(),
    pragmas: () => ({
      journalMode: db.pragma('journal_mode', { simple: true }) as string,
      synchronous: db.pragma('synchronous', { simple: true }) as number,
    }),
  };
  return storage;
}

// Opens the file and sets it up, turning SQLite's terse failures into a message naming the path.
function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  let db: Database.Database | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Created by us with 0600 (the -wal and -shm files inherit it): entries are ciphertext,
    // but their keys and sizes are nobody else's business.
    closeSync(openSync(path, 'a', 0o600));
    db = new Database(path, { timeout: busyTimeoutMs });
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}, not wal`);
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL)');
    return db;
  } catch (cause) {
    db?.close();
    const code = (cause as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB') {
      throw new BadRequest(`sqlite storage: ${path} is not a SQLite database`, { cause });
    }
    throw new BadRequest(`sqlite storage: cannot open ${path}: ${String(code ?? (cause as Error).message)}`, { cause });
  }
}

// Keys are TEXT under SQLite's default BINARY collation, i.e. compared as UTF-8 bytes, and the
// primary key's index serves the range scans: listing reads only the rows it reports.
function prepareStatements(db: Database.Database) {
  return {
    get: db.prepare('SELECT value FROM entries WHERE key = ?').pluck(),
    keysFrom: db.prepare('SELECT key FROM entries WHERE key >= ? ORDER BY key LIMIT ?').pluck(),
    firstFrom: db.prepare('SELECT key FROM entries WHERE key >= ? ORDER BY key LIMIT 1').pluck(),
    keysAfter: db.prepare('SELECT key FROM entries WHERE key > ? ORDER BY key LIMIT ?').pluck(),
  };
}
