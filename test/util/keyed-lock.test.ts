// KeyedLock.holdFree: many keys taken at once, busy ones left alone, later sections waiting
// for the one release.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedLock } from '../../src/util/keyed-lock.js';

test('holdFree takes the free keys, skips busy ones, and later sections wait for the release', async () => {
  const lock = new KeyedLock();
  let finishBusy!: () => void;
  const busy = lock.run('b', () => new Promise<void>((resolve) => { finishBusy = resolve; }));
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  assert.deepEqual(lock.holdFree(['a', 'b', 'c'], released), ['a', 'c']);
  const order = [] as string[];
  const later = lock.run('a', async () => { order.push('a ran'); });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(order.length, 0);
  order.push('released');
  release();
  await later;
  assert.deepEqual(order, ['released', 'a ran']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(lock.busy('a'), false);
  assert.equal(lock.busy('c'), false);
  assert.equal(lock.busy('b'), true);
  finishBusy();
  await busy;
});
