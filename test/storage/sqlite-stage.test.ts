// Staged transactions on SQLite (Storage.stage): a transaction staged after another reads its
// writes before they are durable, commits after it, and fails when it fails, whether that is
// known before it is sent or only on the commit thread.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openSqliteStorage } from '../../src/storage/sqlite.js';
import { DEPENDENCY_FAILED, injectCommitFailures, SqliteCommitError, startSqliteWriter } from '../../src/storage/sqlite-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'lockbox-sqlite-stage-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const freshPath = (): string => join(dir, `db-${++counter}`, 'lockbox.db');
const text = (b: Buffer | undefined) => b?.toString();

test('sqlite stage: the next transaction reads staged writes, plain reads see them only once durable', async () => {
  const storage = openSqliteStorage({ path: freshPath() });
  const first = await storage.stage!(async (tx) => { await tx.put('k', Buffer.from('1')); await tx.put('f/a', Buffer.from('x')); });
  let durable = false;
  void first.durable.then(() => { durable = true; });
  assert.equal(text(await storage.get('k')), undefined, 'a plain read sees committed data only');
  const second = await storage.stage!(async (tx) => {
    const seen = text(await tx.get('k'));
    await tx.put('k', Buffer.from(`${seen}+2`));
    const list = await tx.list('f/');
    await tx.delete('f/a');
    return { seen, list, afterDelete: await tx.list('f/') };
  }, first.ticket);
  assert.equal(durable, false, 'the second was staged before the first was durable');
  assert.deepEqual(second.value, { seen: '1', list: ['a'], afterDelete: [] });
  await Promise.all([first.durable, second.durable]);
  assert.equal(text(await storage.get('k')), '1+2');
  assert.deepEqual(await storage.list('f/'), []);
  await storage.close();
});

test('sqlite stage: a transaction staged after one whose commit fails fails too and writes nothing', async () => {
  const storage = openSqliteStorage({ path: freshPath() });
  await storage.put('k', Buffer.from('0'));
  injectCommitFailures(1);
  const first = await storage.stage!(async (tx) => { await tx.put('k', Buffer.from('1')); });
  const second = await storage.stage!(async (tx) => { await tx.put('k', Buffer.from(`${text(await tx.get('k'))}+2`)); }, first.ticket);
  await assert.rejects(first.durable);
  await assert.rejects(second.durable);
  // Known failed before it is sent: refused here.
  const third = await storage.stage!(async (tx) => { await tx.put('k', Buffer.from('3')); }, second.ticket);
  await assert.rejects(third.durable);
  assert.equal(text(await storage.get('k')), '0');
  await storage.put('k', Buffer.from('4'));
  assert.equal(text(await storage.get('k')), '4');
  await storage.close();
});

test('sqlite writer: a batch sent before the failure of the one it read from was heard of is failed by the commit thread', async () => {
  const path = freshPath();
  openSqliteStorage({ path }).close(); // creates the table
  const writer = startSqliteWriter({ path, busyTimeoutMs: 5000 });
  await writer.apply([{ key: 'warm', value: Buffer.from('up') }]).done;
  injectCommitFailures(1);
  const first = writer.apply([{ key: 'k', value: Buffer.from('1') }]);
  // Keep this thread busy while the commit thread fails the first batch: its answer waits here.
  const until = Date.now() + 300;
  while (Date.now() < until) { /* spin */ }
  assert.equal(first.state, 'pending');
  const second = writer.apply([{ key: 'k', value: Buffer.from('2') }], [first]);
  await assert.rejects(first.done);
  await assert.rejects(second.done, (err: unknown) => err instanceof SqliteCommitError && err.code === DEPENDENCY_FAILED);
  // Unrelated batches after it commit.
  await writer.apply([{ key: 'other', value: Buffer.from('ok') }]).done;
  await writer.close();
  const storage = openSqliteStorage({ path });
  assert.equal(text(await storage.get('k')), undefined);
  assert.equal(text(await storage.get('other')), 'ok');
  await storage.close();
});
