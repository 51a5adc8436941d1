// Three `lockbox server` processes over one shared store, as operators run them. The active
// process is killed with SIGKILL under a steady write load from a client that retries on 5xx:
// a standby takes over, and every write acknowledged before, during and after the kill reads
// back. Then a stale active (SIGSTOP past the lock TTL, then SIGCONT) finds its writes refused.
// The failover time is printed, not asserted: the benchmark (bench/ha-failover.ts) measures it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { dropTables, PG_URL, uniqueTableName } from '../helpers/postgres.js';
import { call } from './process.js';
import { activeNode, killActiveUnderLoad, startCluster, type Node } from '../helpers/ha-cluster.js';

const LOCK_TIMEOUT = '2s';

function failoverSuite(name: string, storage: () => Promise<{ block: string; cleanup(): Promise<void> }>): void {
  describe(`HA failover on ${name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockbox-ha-'));
    const nodes: Node[] = [];
    let root = '';
    let cleanup = async () => undefined as void;
    after(async () => {
      for (const node of nodes) if (node.proc.proc.exitCode === null) await node.proc.stop('SIGKILL').catch(() => undefined);
      await cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    test('kill -9 of the active under load: a standby takes over and no acknowledged write is lost', async () => {
      const shared = await storage();
      cleanup = shared.cleanup;
      root = (await startCluster(dir, shared.block, nodes)).root;
      assert.equal((await call(nodes[1]!.url, 'POST', 'sys/mounts/kv', { token: root, body: { type: 'kv', options: { version: '2' } } })).status, 204);
      const { failoverMs, acknowledged, killed: first, alive } = await killActiveUnderLoad(nodes, root);
      console.log(`# ${name}: failover (kill -9 to the next acknowledged write): ${failoverMs} ms, ${acknowledged.length} writes acknowledged`);

      const second = await activeNode(alive);
      assert.notEqual(second, first);
      for (const i of acknowledged) {
        const read = await call(alive[0]!.url, 'GET', `kv/data/w${i}`, { token: root });
        assert.equal(read.status, 200, `acknowledged write w${i} is lost`);
        assert.deepEqual(read.body.data.data, { i });
      }
    });

    test('a stale active (SIGSTOP past the TTL, then SIGCONT) cannot write', async () => {
      const alive = nodes.filter((n) => n.proc.proc.exitCode === null);
      const stale = await activeNode(alive);
      stale.proc.proc.kill('SIGSTOP');
      const others = alive.filter((n) => n !== stale);
      const successor = await activeNode(others);
      // Sent while it is stopped: the request waits in the kernel until it wakes up. Asking
      // for no forwarding keeps a woken standby from handing it to the real active node.
      const pending = fetch(`${stale.url}/v1/kv/data/stale`, {
        method: 'POST', redirect: 'manual',
        headers: { 'X-Vault-Token': root, 'X-Vault-No-Request-Forwarding': 'true' },
        body: JSON.stringify({ data: { from: 'stale' } }),
      });
      await new Promise((r) => setTimeout(r, 200));
      stale.proc.proc.kill('SIGCONT');
      const answer = await pending;
      assert.ok(answer.status === 503 || answer.status === 307, `stale write answered ${answer.status}`);
      const read = await call(successor.url, 'GET', 'kv/data/stale', { token: root });
      assert.equal(read.status, 404, 'nothing the stale node sent may land');
      // Woken, it is a standby now, pointing at the successor.
      const leader = await call(stale.url, 'GET', 'sys/leader');
      assert.equal(leader.body.is_self, false);
      assert.equal(leader.body.leader_address, successor.url);
    });
  });
}

failoverSuite('postgresql', async () => {
  const table = uniqueTableName('fokv');
  const haTable = uniqueTableName('folock');
  return {
    block: `storage "postgresql" {
  connection_url = "${PG_URL}"
  table          = "${table}"
  ha_table       = "${haTable}"
  ha_enabled     = "true"
  lock_timeout   = "${LOCK_TIMEOUT}"
}`,
    cleanup: () => dropTables(table, haTable),
  };
});

let etcd: TestEtcd | undefined;
after(() => etcd?.stop());
failoverSuite('etcd', async () => {
  etcd = await startEtcd();
  return {
    block: `storage "etcd" {
  address      = "${etcd.url}"
  path         = "/lockbox-failover-${process.pid}/"
  ha_enabled   = "true"
  lock_timeout = "${LOCK_TIMEOUT}"
}`,
    cleanup: async () => undefined,
  };
});
