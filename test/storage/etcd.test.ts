// The storage contract on a throwaway etcd, bare and under the barrier and a view, plus
// etcd's own limits: 1.5 MiB per request, 128 operations per transaction.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { encrypt } from '../../src/barrier/aead.js';
import { ETCD_MAX_TXN_OPS, ETCD_MAX_VALUE_BYTES, openEtcdStorage } from '../../src/storage/etcd.js';
import { BadRequest } from '../../src/util/errors.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { storageContract } from './contract.js';
import { barrierAndView } from './stacks.js';

let etcd: TestEtcd;
before(async () => { etcd = await startEtcd(); });
after(() => etcd.stop());

let counter = 0;
const fresh = () => openEtcdStorage({ hosts: [etcd.url], path: `/lockbox-test-${++counter}/` });

storageContract('etcd', async () => {
  const storage = await fresh();
  return { storage, close: () => storage.close() };
}, { maxValueBytes: ETCD_MAX_VALUE_BYTES });

// What the barrier adds to each value: its framing, nonce and tag.
const barrierOverhead = encrypt(Buffer.alloc(32), 1, Buffer.alloc(0), 'x').length;

storageContract('barrier+view over etcd', async () => {
  const storage = await fresh();
  return { storage: await barrierAndView(storage), close: () => storage.close() };
}, { maxValueBytes: ETCD_MAX_VALUE_BYTES - barrierOverhead });

test('etcd: a transaction over the operation limit is refused whole; many small writes still batch', async () => {
  const storage = await fresh();
  try {
    await assert.rejects(storage.transaction(async (tx) => {
      for (let i = 0; i <= ETCD_MAX_TXN_OPS; i++) await tx.put(`t/${i}`, Buffer.from('x'));
    }), (err: unknown) => err instanceof BadRequest && /exceeds etcd's limit of 128/.test(err.message));
    assert.deepEqual(await storage.list('t/'), []);
    await Promise.all(Array.from({ length: 500 }, (_, i) => storage.put(`m/${i}`, Buffer.from(String(i)))));
    assert.equal((await storage.list('m/')).length, 500);
    // 500 single writes need at least four etcd transactions of at most 128 operations.
    assert.ok(storage.commits() >= 4);
  } finally {
    await storage.close();
  }
});

test('etcd: an unreachable endpoint is a clear error', async () => {
  await assert.rejects(openEtcdStorage({ hosts: ['http://127.0.0.1:1'], path: '/x/' }),
    (err: unknown) => err instanceof BadRequest && err.message === 'etcd storage: cannot reach http://127.0.0.1:1');
});
