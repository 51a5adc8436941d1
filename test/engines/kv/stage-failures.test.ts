// Staged writes of one key (SQLite) under failures: a section that throws leaves nothing, a
// refusal read from a write that then fails is retried, an unrelated writer of the same turn
// is not failed for another's dependency, and a busy key does not keep its history of writers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { HandlerContext } from '../../../src/core/path.js';
import { withKeyLock } from '../../../src/engines/kv/request.js';
import { cachedStorage } from '../../../src/storage/cache.js';
import { openSqliteStorage } from '../../../src/storage/sqlite.js';
import { injectCommitFailures } from '../../../src/storage/sqlite-writer.js';
import { startPipelinedGroupCommit, type SentBatch } from '../../../src/storage/group-commit.js';
import type { Storage, WriteOp } from '../../../src/storage/storage.js';

const dir = mkdtempSync(join(tmpdir(), 'lockbox-stage-failures-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const freshPath = (): string => join(dir, `db-${++counter}`, 'lockbox.db');
const ctxOf = (storage: Storage, uuid: string) => ({ mount: { uuid }, storage }) as unknown as HandlerContext<unknown>;
const text = (b: Buffer | undefined) => b?.toString();

test('a section of a staged batch that throws after writing leaves none of its writes', async () => {
  const storage = cachedStorage(openSqliteStorage({ path: freshPath() }));
  const ctx = ctxOf(storage, 'savepoint');
  const first = withKeyLock(ctx, 'hot', async (s) => { await s.put('n', Buffer.from('1')); return 1; });
  const failing = withKeyLock(ctx, 'hot', async (s) => { await s.put('partial', Buffer.from('half')); throw new Error('refused after a write'); });
  const third = withKeyLock(ctx, 'hot', async (s) => { await s.put('n', Buffer.from('3')); return 3; });
  assert.equal(await first, 1);
  await assert.rejects(failing, /refused after a write/);
  assert.equal(await third, 3);
  assert.equal(text(await storage.get('partial')), undefined);
  assert.equal(text(await storage.get('n')), '3');
  await storage.close();
});

test('a lone section refused on what it read from a staged write runs again when that write fails', async () => {
  const storage = cachedStorage(openSqliteStorage({ path: freshPath() }));
  const ctx = ctxOf(storage, 'refusal');
  await storage.put('warm', Buffer.from('x'));
  injectCommitFailures(1);
  const create = (v: string) => async (s: Storage) => {
    if ((await s.get('meta')) !== undefined) throw new Error('check-and-set parameter did not match the current version');
    await s.put('meta', Buffer.from(v));
    return v;
  };
  const [a, b] = await Promise.allSettled([withKeyLock(ctx, 'k', create('first')), withKeyLock(ctx, 'k', create('second'))]);
  assert.equal(a.status, 'rejected');
  assert.equal(b.status, 'fulfilled');
  assert.equal(text(await storage.get('meta')), 'second');
  await storage.close();
});

test('a writer that read an unsettled batch goes as its own batch; the others of its turn do not depend on it', async () => {
  // The applier stands in for the commit thread: it records each batch and settles it on demand.
  const sent: Array<{ keys: string[]; deps: SentBatch[]; batch: SentBatch; fail(): void; ok(): void }> = [];
  let ids = 0;
  const gc = startPipelinedGroupCommit((ops, deps) => {
    let fail!: () => void;
    let ok!: () => void;
    const batch: SentBatch = { id: ids++, state: 'pending', done: new Promise<void>((resolve, reject) => { ok = resolve; fail = () => reject(new Error('commit failed')); }) };
    batch.done.then(() => { batch.state = 'committed'; }, () => { batch.state = 'failed'; });
    sent.push({ keys: ops.map((o) => o.key), deps, batch, fail, ok });
    return batch;
  });
  const first = gc.enqueueAfter([{ key: 'k', value: Buffer.from('1') }]);
  await new Promise((r) => setImmediate(r));
  const before = gc.enqueueAfter([{ key: 'a', value: Buffer.from('x') }]);
  const dependent = gc.enqueueAfter([{ key: 'k', value: Buffer.from('2') }], first.queued);
  const after = gc.enqueueAfter([{ key: 'b', value: Buffer.from('y') }]);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(sent.map((s) => s.keys), [['k'], ['a'], ['k'], ['b']]);
  assert.deepEqual(sent.map((s) => s.deps.map((d) => d.id)), [[], [], [0], []]);
  sent[0]!.fail();
  sent[2]!.fail();
  sent[1]!.ok();
  sent[3]!.ok();
  await assert.rejects(first.done);
  await assert.rejects(dependent.done);
  await assert.doesNotReject(before.done);
  await assert.doesNotReject(after.done);
  gc.stop();
});

test('a staged chain does not keep the writers before it once they are sent', async () => {
  const storage = openSqliteStorage({ path: freshPath() });
  const value = Buffer.alloc(1024, 1);
  let prev = await storage.stage!(async (tx) => { await tx.put('k', value); });
  for (let i = 0; i < 300; i++) {
    const next = await storage.stage!(async (tx) => { await tx.put('k', value); }, prev.ticket);
    await prev.durable;
    prev = next;
  }
  await prev.durable;
  // The ticket's shape is internal; what matters is how many earlier writers it reaches.
  type Node = { ops: WriteOp[]; after?: Node };
  let depth = 0;
  for (let p = (prev.ticket as unknown as { queued?: Node }).queued; p !== undefined; p = p.after) depth++;
  assert.ok(depth < 10, `${depth} queued writers still reachable from the newest ticket`);
  await storage.close();
});
