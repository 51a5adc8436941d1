import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillFromPool, poolRandomBytes } from '../../src/util/random-pool.js';

test('pooled random values are fresh across refills: no two 12-byte nonces of 5,000 are equal', () => {
  const seen = new Set<string>();
  // 5,000 × 12 bytes spans about 15 refills of the 4 KiB pool.
  for (let i = 0; i < 5000; i++) seen.add(poolRandomBytes(12).toString('hex'));
  assert.equal(seen.size, 5000);
});

test('each value is a buffer of its own, not a view of the pool', () => {
  const a = poolRandomBytes(16);
  const copy = Buffer.from(a);
  for (let i = 0; i < 1000; i++) poolRandomBytes(16);
  assert.deepEqual(a, copy);
  assert.equal(a.length, 16);
  assert.notEqual(a.toString('hex'), '0'.repeat(32));
});

test('fillFromPool fills a slice in place and refuses more than the pool holds', () => {
  const target = Buffer.alloc(40);
  fillFromPool(target.subarray(10, 22));
  assert.ok(target.subarray(0, 10).every((b) => b === 0) && target.subarray(22).every((b) => b === 0));
  assert.ok(target.subarray(10, 22).some((b) => b !== 0));
  assert.throws(() => fillFromPool(Buffer.alloc(4097)), RangeError);
});
