// hvac 0.11.2's HA calls against a two-node PostgreSQL cluster whose standby serves reads
// (standby_reads): the standby reports itself as Vault's performance standby.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { dropTables, PG_URL, uniqueTableName } from '../../helpers/postgres.js';
import { runHaScript } from './ha-script.js';

const table = uniqueTableName('hvacsr');
const haTable = uniqueTableName('hvacsrlock');
let active: TestServer;
let standby: TestServer;

before(async () => {
  const storage = { type: 'postgresql' as const, connectionUrl: PG_URL, table, haTable, maxParallel: 4, haEnabled: true, lockTtlMs: 2000 };
  active = await startTestServer({ storage, standbyReads: true });
  standby = await startTestServer({ dev: false, storage, standbyReads: true });
  assert.equal((await standby.api('PUT', 'sys/unseal', { key: active.unsealKey })).body.sealed, false);
  standby.useToken(active.rootToken);
  assert.equal((await active.api('POST', 'secret/data/hvac-reads', { data: { k: 'v' } })).status, 200);
  assert.equal((await active.api('POST', 'sys/mounts/transit', { type: 'transit' })).status, 204);
  assert.ok((await active.api('POST', 'transit/keys/app')).status < 300);
  // The standby serves the secret itself once its state is loaded and its feed has the write.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${standby.url}/v1/secret/data/hvac-reads`, {
      headers: { 'X-Vault-Token': active.rootToken, 'X-Vault-No-Request-Forwarding': 'true' }, redirect: 'manual',
    });
    await res.arrayBuffer();
    if (res.status === 200) break;
    assert.ok(Date.now() < deadline, 'the standby serves reads');
    await new Promise((r) => setTimeout(r, 50));
  }
});
after(async () => {
  await standby.close();
  await active.close();
  await dropTables(table, haTable);
});

test('hvac: a read-serving standby is a performance standby to leader status and health; reads, transit and step-down work', async () => {
  const output = await runHaScript('ha-reads.py', active, standby);
  assert.doesNotMatch(output, /FAIL/);
  assert.equal(output.trim().split('\n').length, 9);
});
