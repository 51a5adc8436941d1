import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BadRequest, Internal } from '../../src/util/errors.js';
import { openStorage } from '../../src/storage/index.js';
import { openMemoryStorage } from '../../src/storage/memory.js';
import type { Storage } from '../../src/storage/storage.js';
import { storageContract } from './contract.js';

storageContract('memory', async () => {
  const storage = openMemoryStorage();
  return { storage, close: () => storage.close() };
});

test('memory: a closed storage refuses to be used', async () => {
  const storage = openMemoryStorage();
  await storage.close();
  await assert.rejects(storage.get('k'), Internal);
  await assert.rejects(storage.put('k', Buffer.from('v')), Internal);
});

test('memory: a transaction view used after the transaction ended is refused', async () => {
  const storage = openMemoryStorage();
  let escaped: Storage | undefined;
  await storage.transaction(async (tx) => { escaped = tx; });
  await assert.rejects(escaped!.put('late', Buffer.from('x')), Internal);
  assert.equal(await storage.get('late'), undefined);
});

test('openStorage: memory opens, an unknown type is refused by name', async () => {
  const storage = await openStorage({ type: 'memory' });
  await storage.put('x', Buffer.from('1'));
  assert.deepEqual(await storage.list(''), ['x']);
  await storage.close();
  await assert.rejects(openStorage({ type: 'consul' } as never), (err: unknown) =>
    err instanceof BadRequest && err.message === 'unknown storage type "consul"');
});
