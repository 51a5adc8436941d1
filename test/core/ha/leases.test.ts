// Leases across a hand-over: leases issued on one active node expire on the next, each one
// revoked exactly once, and a node that is no longer active revokes nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { leaseEngine } from '../../helpers/lease-engine.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { dropTables, PG_URL, uniqueTableName } from '../../helpers/postgres.js';

const table = uniqueTableName('leasekv');
const haTable = uniqueTableName('leaselock');
const storage = { type: 'postgresql' as const, connectionUrl: PG_URL, table, haTable, maxParallel: 4, haEnabled: true, lockTtlMs: 2000 };
const engines = [leaseEngine(), leaseEngine()];
let nodes: TestServer[] = [];

before(async () => {
  const a = await startTestServer({ storage, extraEngines: engines[0]!.factories });
  const b = await startTestServer({ dev: false, storage, extraEngines: engines[1]!.factories });
  assert.equal((await b.api('PUT', 'sys/unseal', { key: a.unsealKey })).body.sealed, false);
  b.useToken(a.rootToken);
  nodes = [a, b];
});
after(async () => {
  for (const node of nodes) await node.close();
  await dropTables(table, haTable);
});

test('leases issued before a step-down are revoked once, by the new active node, when they expire', async () => {
  const [a, b] = nodes as [TestServer, TestServer];
  assert.equal((await a.api('POST', 'sys/mounts/leasetest', { type: 'leasetest' })).status, 204);
  const issued: string[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await a.api('GET', 'leasetest/creds/app?ttl=3s');
    assert.equal(res.status, 200);
    issued.push(res.body.data.username);
  }
  assert.equal((await a.api('PUT', 'sys/step-down')).status, 204);
  for (let i = 0; i < 100 && (await b.api('GET', 'sys/leader')).body.is_self !== true; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await b.api('GET', 'sys/leader')).body.is_self, true);
  const [onA, onB] = [engines[0]!.state.revoked, engines[1]!.state.revoked];
  for (let i = 0; i < 100 && onA.length + onB.length < issued.length; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual([...onA, ...onB].sort(), [...issued].sort(), 'every lease revoked exactly once');
  assert.deepEqual(onA, [], 'the stepped-down node revoked nothing');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(onA.length + onB.length, issued.length, 'and nothing a second time');
});
