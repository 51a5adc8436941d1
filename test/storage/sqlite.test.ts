import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { BadRequest, Internal } from '../../src/util/errors.js';
import { openStorage } from '../../src/storage/index.js';
import { openSqliteStorage } from '../../src/storage/sqlite.js';
import { injectCommitFailures } from '../../src/storage/sqlite-writer.js';
import { storageContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'lockbox-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const freshPath = (): string => join(dir, `db-${++counter}`, 'lockbox.db');

storageContract('sqlite', async () => {
  const storage = openSqliteStorage({ path: freshPath() });
  return { storage, close: () => storage.close() };
});

test('sqlite: data survives close and reopen', async () => {
  const path = freshPath();
  const first = openSqliteStorage({ path });
  await first.put('a/b', Buffer.from('kept'));
  await first.transaction(async (tx) => { await tx.put('a/c', Buffer.from('also')); });
  await first.close();
  const second = openSqliteStorage({ path });
  assert.deepEqual(await second.get('a/b'), Buffer.from('kept'));
  assert.deepEqual(await second.list('a/'), ['b', 'c']);
  await second.close();
});

test('sqlite: 1,000 puts issued in one turn commit as one batch and survive reopen', async () => {
  const path = freshPath();
  const storage = openSqliteStorage({ path });
  const before = storage.commits();
  const writes = Array.from({ length: 1000 }, (_, i) => storage.put(`g/${i}`, Buffer.from(String(i))));
  await Promise.all(writes);
  assert.equal(storage.commits() - before, 1);
  await storage.close();
  const reopened = openSqliteStorage({ path });
  assert.equal((await reopened.list('g/')).length, 1000);
  assert.deepEqual(await reopened.get('g/999'), Buffer.from('999'));
  await reopened.close();
});

test('sqlite: writes in different turns commit separately', async () => {
  const storage = openSqliteStorage({ path: freshPath() });
  const before = storage.commits();
  await storage.put('x', Buffer.from('1'));
  await storage.put('y', Buffer.from('2'));
  assert.equal(storage.commits() - before, 2);
  await storage.close();
});

test('sqlite: the connection runs WAL with synchronous=FULL; files are private', async () => {
  const path = freshPath();
  const storage = openSqliteStorage({ path });
  assert.deepEqual(storage.pragmas(), { journalMode: 'wal', synchronous: 2 });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  await storage.close();
});

test('sqlite: close flushes writes that were not awaited', async () => {
  const path = freshPath();
  const storage = openSqliteStorage({ path });
  const pending = storage.put('late', Buffer.from('flushed'));
  await storage.close();
  await pending;
  await assert.rejects(storage.put('after-close', Buffer.from('x')), Internal);
  const reopened = openSqliteStorage({ path });
  assert.deepEqual(await reopened.get('late'), Buffer.from('flushed'));
  await reopened.close();
});

test('sqlite: a failed commit rejects exactly the writes of its batch', async () => {
  const path = freshPath();
  const storage = openSqliteStorage({ path, busyTimeoutMs: 0 });
  await storage.put('before', Buffer.from('1'));
  // Another connection holds the write lock, so the next batch cannot begin.
  const other = new Database(path);
  other.exec('BEGIN IMMEDIATE');
  const failed = [storage.put('f/1', Buffer.from('1')), storage.delete('before')];
  for (const write of failed) await assert.rejects(write, Internal);
  other.exec('ROLLBACK');
  other.close();
  await storage.put('f/2', Buffer.from('2'));
  assert.deepEqual(await storage.list('f/'), ['2']);
  assert.deepEqual(await storage.get('before'), Buffer.from('1'));
  await storage.close();
});

test('sqlite: a file that is not a database gives a clear error', () => {
  const path = join(dir, 'not-a-db.txt');
  writeFileSync(path, 'this is plainly a text file, long enough to have a header '.repeat(4));
  assert.throws(() => openSqliteStorage({ path }), (err: unknown) =>
    err instanceof BadRequest && err.message === `sqlite storage: ${path} is not a SQLite database`);
});

test('openStorage: sqlite opens at the configured path, creating its directory', async () => {
  const path = join(dir, 'nested', 'deeper', 'config.db');
  const storage = await openStorage({ type: 'sqlite', path });
  await storage.put('k', Buffer.from('v'));
  assert.ok(statSync(path).isFile());
  await storage.close();
});

test('sqlite: an injected commit failure rolls back every write of the batch, transactions included', async () => {
  const storage = openSqliteStorage({ path: freshPath() });
  await storage.put('keep', Buffer.from('1'));
  injectCommitFailures(1);
  const failed = [
    storage.put('i/1', Buffer.from('1')),
    storage.delete('keep'),
    storage.transaction(async (tx) => { await tx.put('i/2', Buffer.from('2')); await tx.put('i/3', Buffer.from('3')); }),
  ];
  const outcomes = await Promise.allSettled(failed);
  assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected', 'rejected']);
  for (const o of outcomes) assert.ok((o as PromiseRejectedResult).reason instanceof Internal);
  assert.deepEqual(await storage.list('i/'), []);
  assert.deepEqual(await storage.get('keep'), Buffer.from('1'));
  const before = storage.commits();
  await storage.put('i/4', Buffer.from('4'));
  assert.equal(storage.commits() - before, 1);
  assert.deepEqual(await storage.list('i/'), ['4']);
  await storage.close();
});

test('sqlite: batches sent while a commit is under way are committed together, in order', async () => {
  const storage = openSqliteStorage({ path: freshPath() });
  await storage.put('warm', Buffer.from('x'));
  const before = storage.commits();
  // Five turns of writes, each its own batch; later ones overwrite earlier ones' keys.
  const writes: Promise<void>[] = [];
  for (let turn = 0; turn < 5; turn++) {
    writes.push(storage.put('same', Buffer.from(String(turn))), storage.put(`t/${turn}`, Buffer.from('v')));
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(writes);
  assert.ok(storage.commits() - before <= 5);
  assert.deepEqual(await storage.get('same'), Buffer.from('4'));
  assert.equal((await storage.list('t/')).length, 5);
  await storage.close();
});
