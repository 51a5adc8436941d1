// Finding "deep nesting crashes and can poison a secret": audit hashing walks values without
// recursion, so no accepted value can overflow the stack when it is logged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashStrings } from '../../src/audit/hash.js';

const upper = (s: string) => s.toUpperCase();

test('deep nesting: hashStrings handles 100,000 levels of arrays and objects', () => {
  let value: unknown = 'leaf';
  for (let i = 0; i < 100_000; i++) value = i % 2 === 0 ? [value] : { k: value };
  let out = hashStrings(value, upper);
  for (let i = 100_000 - 1; i >= 0; i--) out = i % 2 === 0 ? (out as unknown[])[0] : (out as { k: unknown }).k;
  assert.equal(out, 'LEAF');
});

test('hashStrings: strings hashed at any depth, keys and other types kept, buffers as base64', () => {
  const out = hashStrings({ a: ['x', 1, null, true, { b: 'y' }], c: Buffer.from('z') }, upper);
  assert.deepEqual(out, { a: ['X', 1, null, true, { b: 'Y' }], c: Buffer.from('z').toString('base64').toUpperCase() });
});
