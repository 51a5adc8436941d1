import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedStorage } from '../../src/storage/cache.js';
import { openMemoryStorage } from '../../src/storage/memory.js';
import type { PhysicalStorage } from '../../src/storage/storage.js';

/** A memory backend that counts the reads reaching it. */
function counted(): { inner: PhysicalStorage; gets: () => number } {
  const inner = openMemoryStorage();
  let gets = 0;
  const get = inner.get.bind(inner);
  inner.get = (key) => { gets++; return get(key); };
  return { inner, gets: () => gets };
}

test('cache: an absent key is asked for once, and a put or transaction makes it visible', async () => {
  const { inner, gets } = counted();
  const cache = cachedStorage(inner);
  assert.equal(await cache.get('a'), undefined);
  assert.equal(await cache.get('a'), undefined);
  assert.equal(gets(), 1);
  await cache.put('a', Buffer.from('1'));
  assert.deepEqual(await cache.get('a'), Buffer.from('1'));
  assert.equal(await cache.get('b'), undefined);
  await cache.transaction(async (tx) => { await tx.put('b', Buffer.from('2')); });
  assert.deepEqual(await cache.get('b'), Buffer.from('2'));
});

test('cache: a delete is remembered as absent; forget and clear drop absent entries too', async () => {
  const { inner, gets } = counted();
  const cache = cachedStorage(inner);
  await cache.put('k', Buffer.from('v'));
  await cache.delete('k');
  const before = gets();
  assert.equal(await cache.get('k'), undefined);
  assert.equal(gets(), before);
  // Another node wrote behind the cache's back; the change feed says so.
  await inner.put('k', Buffer.from('w'));
  cache.forget(['k']);
  assert.deepEqual(await cache.get('k'), Buffer.from('w'));
  assert.equal(await cache.get('n'), undefined);
  await inner.put('n', Buffer.from('x'));
  cache.clear();
  assert.deepEqual(await cache.get('n'), Buffer.from('x'));
});

test('cache: a read that overlaps a write does not cache what it found', async () => {
  const { inner } = counted();
  const cache = cachedStorage(inner);
  const read = cache.get('r');
  await cache.put('r', Buffer.from('new'));
  assert.equal(await read, undefined);
  assert.deepEqual(await cache.get('r'), Buffer.from('new'));
});
