// hvac 0.11.2's HA calls (read_leader_status, read_health_status(standby_ok=…), step_down)
// against the active node and a standby of a two-node cluster on PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { dropTables, PG_URL, uniqueTableName } from '../../helpers/postgres.js';
import { runHaScript } from './ha-script.js';

const table = uniqueTableName('hvackv');
const haTable = uniqueTableName('hvaclock');
let active: TestServer;
let standby: TestServer;

before(async () => {
  const storage = { type: 'postgresql' as const, connectionUrl: PG_URL, table, haTable, maxParallel: 4, haEnabled: true, lockTtlMs: 2000 };
  active = await startTestServer({ storage });
  standby = await startTestServer({ dev: false, storage });
  assert.equal((await standby.api('PUT', 'sys/unseal', { key: active.unsealKey })).body.sealed, false);
});
after(async () => {
  await standby.close();
  await active.close();
  await dropTables(table, haTable);
});

test('hvac: leader status, health with standby_ok and step-down match Vault on the active and a standby', async () => {
  const output = await runHaScript('ha.py', active, standby);
  assert.doesNotMatch(output, /FAIL/);
  assert.equal(output.trim().split('\n').length, 7);
});
