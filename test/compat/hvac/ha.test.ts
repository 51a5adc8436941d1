// hvac 0.11.2's HA calls (read_leader_status, read_health_status(standby_ok=…), step_down)
// against the active node and a standby of a two-node cluster on PostgreSQL.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { dropTables, PG_URL, uniqueTableName } from '../../helpers/postgres.js';

const SCRIPT = fileURLToPath(new URL('../../../../test/compat/hvac/ha.py', import.meta.url));
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
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1',
    LOCKBOX_ACTIVE_URL: active.url, LOCKBOX_STANDBY_URL: standby.url, LOCKBOX_TOKEN: active.rootToken,
    VAULT_ADDR: '', VAULT_TOKEN: '', VAULT_CACERT: '', VAULT_CAPATH: '',
  };
  const output = await new Promise<string>((resolve, reject) => {
    execFile('/usr/bin/python3', [SCRIPT], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`ha.py failed:\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
  assert.doesNotMatch(output, /FAIL/);
  assert.equal(output.trim().split('\n').length, 7);
});
