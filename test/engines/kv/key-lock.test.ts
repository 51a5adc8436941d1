// The KV engine's per-key lock: sections of one key run one at a time, and those that queued
// while a commit was under way share the next commit (one transaction), each on its own
// savepoint; a batch whose transaction cannot commit runs again section by section.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HandlerContext } from '../../../src/core/path.js';
import { withKeyLock } from '../../../src/engines/kv/request.js';
import { openMemoryStorage } from '../../../src/storage/memory.js';
import type { Storage } from '../../../src/storage/storage.js';
import { BadRequest } from '../../../src/util/errors.js';

/** A storage that counts its transactions and can refuse every one of them. */
function countingStorage(refuseTransactions: boolean) {
  const inner = openMemoryStorage();
  const counts = { transactions: 0 };
  const storage: Storage = {
    get: (k) => inner.get(k), put: (k, v) => inner.put(k, v), delete: (k) => inner.delete(k), list: (p, o) => inner.list(p, o),
    transaction: async (fn) => {
      counts.transactions++;
      if (refuseTransactions) throw new BadRequest('transaction too large');
      return inner.transaction(fn);
    },
  };
  return { storage, counts };
}

const contextOf = (storage: Storage) => ({ mount: { uuid: 'kv-lock-test' }, storage }) as unknown as HandlerContext<unknown>;

/** Increments a counter at `key`, after a turn of the event loop (as a real section awaits I/O). */
const increment = (key: string) => async (s: Storage) => {
  const n = Number((await s.get(key))?.toString() ?? '0');
  await new Promise((resolve) => setImmediate(resolve));
  await s.put(key, Buffer.from(String(n + 1)));
  return n + 1;
};

test('queued sections of one key share one transaction, see each other in order, and fail alone', async () => {
  const { storage, counts } = countingStorage(false);
  const ctx = contextOf(storage);
  const first = withKeyLock(ctx, 'hot', increment('n'));
  const queued = Array.from({ length: 10 }, (_, i) => withKeyLock(ctx, 'hot', i === 4
    ? async (s: Storage) => { await s.put('n', Buffer.from('999')); throw new BadRequest('check-and-set parameter did not match the current version'); }
    : increment('n')));
  assert.equal(await first, 1);
  const settled = await Promise.allSettled(queued);
  // The failing section's write was undone on its savepoint; the others counted on.
  assert.deepEqual(settled.map((s) => (s.status === 'fulfilled' ? s.value : 'refused')), [2, 3, 4, 5, 'refused', 6, 7, 8, 9, 10]);
  assert.equal((await storage.get('n'))?.toString(), '10');
  assert.equal(counts.transactions, 1, 'the ten queued sections should have shared one transaction');
});

test('a batch whose transaction is refused runs again section by section', async () => {
  const { storage, counts } = countingStorage(true);
  const ctx = contextOf(storage);
  const all = [withKeyLock(ctx, 'big', increment('m')), withKeyLock(ctx, 'big', increment('m')), withKeyLock(ctx, 'big', increment('m'))];
  assert.deepEqual(await Promise.all(all), [1, 2, 3]);
  assert.equal(counts.transactions, 1);
  assert.equal((await storage.get('m'))?.toString(), '3');
});

test('different keys do not wait for each other', async () => {
  const { storage } = countingStorage(false);
  const ctx = contextOf(storage);
  let releaseA = () => {};
  const a = withKeyLock(ctx, 'a', () => new Promise<string>((resolve) => { releaseA = () => resolve('a'); }));
  assert.equal(await withKeyLock(ctx, 'b', async () => 'b'), 'b');
  releaseA();
  assert.equal(await a, 'a');
});

test('on a storage that stages, the next section of a key runs once the first is staged, before it is durable', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { openSqliteStorage } = await import('../../../src/storage/sqlite.js');
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-keylock-'));
  const storage = openSqliteStorage({ path: join(dir, 'kv.db') });
  try {
    const ctx = contextOf(storage);
    let firstAnswered = false;
    const first = withKeyLock(ctx, 'hot', increment('n')).then((n) => { firstAnswered = true; return n; });
    const started: boolean[] = [];
    const queued = Array.from({ length: 5 }, () => withKeyLock(ctx, 'hot', async (s: Storage) => {
      started.push(firstAnswered);
      return increment('n')(s);
    }));
    assert.deepEqual(await Promise.all([first, ...queued]), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(started, [false, false, false, false, false], 'a section waited for the first commit');
    assert.equal((await storage.get('n'))?.toString(), '6');
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
