// The read-through cache: least recently used first out (a read refreshes an entry), bounded
// at its size and cheap when many more keys than it holds pass through; absent keys are
// remembered until a write, delete, forget or clear.
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

test('cache: on a backend other nodes write, absence is never remembered', async () => {
  const { inner, gets } = counted();
  const cache = cachedStorage(inner, { cacheAbsent: false });
  assert.equal(await cache.get('core/seal-config'), undefined);
  await inner.put('core/seal-config', Buffer.from('written by another node'));
  assert.deepEqual(await cache.get('core/seal-config'), Buffer.from('written by another node'));
  await cache.delete('gone');
  assert.equal(await cache.get('gone'), undefined);
  assert.equal(gets(), 3);
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

test('evicts the least recently used entry; a read refreshes one', async () => {
  const { inner, gets } = counted();
  const cache = cachedStorage(inner, { maxEntries: 3 });
  for (const k of ['a', 'b', 'c']) await cache.put(k, Buffer.from(k));
  await cache.get('a'); // a is now the most recent: b is the oldest
  await cache.put('d', Buffer.from('d')); // evicts b
  const before = gets();
  for (const k of ['a', 'c', 'd']) assert.equal((await cache.get(k))?.toString(), k);
  assert.equal(gets(), before, 'a, c and d are cached');
  assert.equal((await cache.get('b'))?.toString(), 'b');
  assert.equal(gets(), before + 1, 'b was evicted');
  // b came back and pushed out the oldest of the rest (a, read before c and d).
  await cache.get('c'); await cache.get('d'); await cache.get('b');
  assert.equal(gets(), before + 1);
  await cache.get('a');
  assert.equal(gets(), before + 2, 'a was evicted when b returned');
});

test('many more keys than the cache holds pass through in linear time, and the newest stay', async () => {
  const { inner, gets } = counted();
  const cache = cachedStorage(inner, { maxEntries: 1000 });
  for (let i = 0; i < 50_000; i++) await cache.put(`k/${i}`, Buffer.from(String(i)));
  const before = gets();
  for (let i = 49_000; i < 50_000; i++) assert.equal((await cache.get(`k/${i}`))?.toString(), String(i));
  assert.equal(gets(), before, 'the last 1000 written are all cached');
  await cache.get('k/48999');
  assert.equal(gets(), before + 1, 'older ones are not');
});
