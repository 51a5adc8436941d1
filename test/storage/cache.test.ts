// The read-through cache's eviction: least recently used first (a read refreshes an entry),
// bounded at its size, and cheap when many more keys than it holds pass through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedStorage } from '../../src/storage/cache.js';
import { openMemoryStorage } from '../../src/storage/memory.js';
import type { PhysicalStorage } from '../../src/storage/storage.js';

/** A memory backend that counts the gets reaching it (cache misses). */
function counted(): { inner: PhysicalStorage; misses: () => number } {
  const inner = openMemoryStorage();
  let misses = 0;
  const get = inner.get.bind(inner);
  inner.get = (key) => { misses++; return get(key); };
  return { inner, misses: () => misses };
}

test('evicts the least recently used entry; a read refreshes one', async () => {
  const { inner, misses } = counted();
  const cache = cachedStorage(inner, 3);
  for (const k of ['a', 'b', 'c']) await cache.put(k, Buffer.from(k));
  await cache.get('a'); // a is now the most recent: b is the oldest
  await cache.put('d', Buffer.from('d')); // evicts b
  const before = misses();
  for (const k of ['a', 'c', 'd']) assert.equal((await cache.get(k))?.toString(), k);
  assert.equal(misses(), before, 'a, c and d are cached');
  assert.equal((await cache.get('b'))?.toString(), 'b');
  assert.equal(misses(), before + 1, 'b was evicted');
  // b came back and pushed out the oldest of the rest (a, read before c and d).
  await cache.get('c'); await cache.get('d'); await cache.get('b');
  assert.equal(misses(), before + 1);
  await cache.get('a');
  assert.equal(misses(), before + 2, 'a was evicted when b returned');
});

test('many more keys than the cache holds pass through in linear time, and the newest stay', async () => {
  const { inner, misses } = counted();
  const cache = cachedStorage(inner, 1000);
  for (let i = 0; i < 50_000; i++) await cache.put(`k/${i}`, Buffer.from(String(i)));
  const before = misses();
  for (let i = 49_000; i < 50_000; i++) assert.equal((await cache.get(`k/${i}`))?.toString(), String(i));
  assert.equal(misses(), before, 'the last 1000 written are all cached');
  await cache.get('k/48999');
  assert.equal(misses(), before + 1, 'older ones are not');
});
