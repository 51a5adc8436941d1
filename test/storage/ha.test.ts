// The HA lock and its fencing, the same checks on PostgreSQL and on etcd: one holder at a
// time, standbys cannot write, a released or lost hold lets a standby in, and a node that
// lost the lock without noticing is refused by the store itself.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { HaLock, LockLost, type LockHolder } from '../../src/storage/ha.js';
import { openEtcdStorage } from '../../src/storage/etcd.js';
import { openPostgresStorage } from '../../src/storage/postgres.js';
import type { NetworkedStorage } from '../../src/storage/networked.js';
import { dropTables, PG_URL, uniqueTableName } from '../helpers/postgres.js';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { Etcd3 } from 'etcd3';

const TTL = 2000;
const holder = (nodeId: string): LockHolder => ({ nodeId, apiAddr: `http://${nodeId}:8200`, clusterAddr: `https://${nodeId}:8201`, acquiredAt: Date.now() });
const haOf = (s: NetworkedStorage): HaLock => s.ha as HaLock;
const b = (t: string) => Buffer.from(t);

type Cluster = {
  /** A node's view of the shared store. */
  node(): Promise<NetworkedStorage>;
  /** Ends the current hold behind the holder's back (its TTL runs out, as after a long pause). */
  expireHold(): Promise<void>;
  cleanup(): Promise<void>;
};

function haSuite(name: string, cluster: () => Promise<Cluster>): void {
  describe(`${name} HA lock`, () => {
    let c: Cluster;
    const open: NetworkedStorage[] = [];
    const node = async () => { const s = await c.node(); open.push(s); return s; };
    before(async () => { c = await cluster(); });
    after(async () => {
      for (const s of open) await s.close().catch(() => undefined);
      await c.cleanup();
    });

    test('one holder; a standby cannot write; release hands over; the old holder is fenced', async () => {
      const [a, bNode] = [await node(), await node()];
      await a.put('before/init', b('unconditional before the election'));
      const lostA: string[] = [];
      await haOf(a).acquire(holder('a'), new AbortController().signal, () => lostA.push('lost'));
      assert.equal((await haOf(bNode).holder())?.nodeId, 'a');
      await a.put('k', b('from a'));
      const campaign = new AbortController();
      const bTakes = haOf(bNode).acquire(holder('b'), campaign.signal, () => undefined);
      await assert.rejects(bNode.put('k', b('from standby b')), LockLost);
      await haOf(a).release();
      await bTakes;
      assert.equal((await haOf(a).holder())?.nodeId, 'b');
      await assert.rejects(a.put('k', b('from a after release')), LockLost);
      await bNode.put('k', b('from b'));
      assert.deepEqual(await a.get('k'), b('from b'));
      assert.deepEqual(lostA, [], 'a release is not a loss');
      await haOf(bNode).release();
    });

    test('a holder that lost the lock unaware is refused by the store; nothing it sends lands', async () => {
      const [a, bNode] = [await node(), await node()];
      let lost = 0;
      await haOf(a).acquire(holder('a'), new AbortController().signal, () => { lost++; });
      await a.put('stale/before', b('1'));
      await c.expireHold();
      await haOf(bNode).acquire(holder('b'), new AbortController().signal, () => undefined);
      // a still believes it holds the lock: its own deadline has not passed.
      assert.equal(haOf(a).held, true);
      await assert.rejects(a.transaction(async (tx) => {
        await tx.put('stale/x', b('x'));
        await tx.delete('stale/before');
      }), LockLost);
      await assert.rejects(a.put('stale/y', b('y')), LockLost);
      assert.deepEqual(await bNode.list('stale/'), ['before']);
      // Its next heartbeat tells it.
      await new Promise((r) => setTimeout(r, haOf(a).intervalMs + 300));
      assert.equal(lost, 1);
      assert.equal(haOf(a).held, false);
      await haOf(bNode).release();
    });

    test('an aborted campaign stops waiting', async () => {
      const [a, bNode] = [await node(), await node()];
      await haOf(a).acquire(holder('a'), new AbortController().signal, () => undefined);
      const campaign = new AbortController();
      const waiting = haOf(bNode).acquire(holder('b'), campaign.signal, () => undefined);
      campaign.abort(new Error('shutting down'));
      await assert.rejects(waiting, { message: 'shutting down' });
      await haOf(a).release();
    });
  });
}

haSuite('postgresql', async () => {
  const table = uniqueTableName('hakv');
  const haTable = uniqueTableName('halock');
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  return {
    node: () => openPostgresStorage({ connectionUrl: PG_URL, table, haTable, haEnabled: true, lockTtlMs: TTL, maxParallel: 4 }),
    expireHold: async () => { await admin.query(`UPDATE "${haTable}" SET expires_at = now() - interval '1 second'`); },
    cleanup: async () => { await admin.end(); await dropTables(table, haTable); },
  };
});

test('postgresql HA: when the holder\'s database session ends, a standby takes over before the TTL', async () => {
  const table = uniqueTableName('hakv');
  const haTable = uniqueTableName('halock');
  const open = () => openPostgresStorage({ connectionUrl: PG_URL, table, haTable, haEnabled: true, lockTtlMs: 15_000, maxParallel: 2 });
  const [a, bNode] = [await open(), await open()];
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    let lost = 0;
    await haOf(a).acquire(holder('a'), new AbortController().signal, () => { lost++; });
    // As if a's process died: its lock session is gone.
    await admin.query(`SELECT pg_terminate_backend(pid) FROM "${haTable}"`);
    const started = Date.now();
    await haOf(bNode).acquire(holder('b'), new AbortController().signal, () => undefined);
    assert.ok(Date.now() - started < 15_000);
    await bNode.put('after', b('b'));
    await assert.rejects(a.put('after', b('a')), LockLost);
    await new Promise((r) => setTimeout(r, haOf(a).intervalMs + 300));
    assert.equal(lost, 1);
  } finally {
    await admin.end();
    await a.close();
    await bNode.close();
    await dropTables(table, haTable);
  }
});

let etcd: TestEtcd | undefined;
after(() => etcd?.stop());
haSuite('etcd', async () => {
  etcd = await startEtcd();
  const path = `/lockbox-ha-${process.pid}/`;
  const admin = new Etcd3({ hosts: etcd.url });
  return {
    node: () => openEtcdStorage({ hosts: [(etcd as TestEtcd).url], path, haEnabled: true, lockTtlMs: TTL }),
    // The holder's lease lapsing is what a long pause looks like from etcd's side.
    expireHold: async () => {
      const value = await admin.get(`${path}ha/lock`).exec();
      const lease = value.kvs[0]?.lease;
      if (lease) await admin.leaseClient.leaseRevoke({ ID: lease });
    },
    cleanup: async () => { admin.close(); },
  };
});
