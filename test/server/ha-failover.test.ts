// Three `lockbox server` processes over one shared store, as operators run them. The active
// process is killed with SIGKILL under a steady write load from a client that retries on 5xx:
// a standby takes over, and every write acknowledged before, during and after the kill reads
// back. Then a stale active (SIGSTOP past the lock TTL, then SIGCONT) finds its writes refused.
// The failover time is printed, not asserted: the benchmark (bench/ha-failover.ts) measures it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { dropTables, PG_URL, uniqueTableName } from '../helpers/postgres.js';
import { call, freePort, spawnServer, unseal, type ServerProcess } from './process.js';

const LOCK_TIMEOUT = '2s';

type Node = { proc: ServerProcess; url: string };

/** Starts `count` nodes (into `nodes`, for clean-up) over `storageBlock`, initialises through the first, unseals all. */
async function startCluster(dir: string, storageBlock: string, nodes: Node[], count = 3) {
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const file = join(dir, `node${i}.hcl`);
    writeFileSync(file, `${storageBlock}
listener "tcp" {
  address     = "127.0.0.1:${port}"
  tls_disable = true
}
api_addr = "http://127.0.0.1:${port}"
`);
    const proc = await spawnServer(file);
    nodes.push({ proc, url: proc.url });
  }
  const init = await call(nodes[0]!.url, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  assert.equal(init.status, 200);
  for (const node of nodes) assert.equal((await unseal(node.url, init.body.keys)).sealed, false);
  return { root: init.body.root_token as string };
}

/** The node that says it is active, once one does. */
async function activeNode(nodes: Node[], timeoutMs = 20_000): Promise<Node> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const node of nodes) {
      const leader = await call(node.url, 'GET', 'sys/leader').catch(() => undefined);
      if (leader?.body?.is_self === true) return node;
    }
    if (Date.now() > deadline) throw new Error('no active node');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A write that retries on 5xx and connection errors, across the given nodes, until it lands. */
async function writeWithRetry(nodes: () => Node[], path: string, token: string, body: unknown, giveUpMs = 30_000): Promise<void> {
  const deadline = Date.now() + giveUpMs;
  for (let attempt = 0; ; attempt++) {
    const list = nodes();
    const node = list[attempt % list.length]!;
    const res = await call(node.url, 'POST', path, { token, body }).catch(() => ({ status: 599, body: undefined }));
    if (res.status < 300) return;
    if (res.status < 500) throw new Error(`write refused: ${res.status} ${JSON.stringify(res.body)}`);
    if (Date.now() > deadline) throw new Error(`write never landed: ${path}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

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
      const first = await activeNode(nodes);
      let alive = [...nodes];
      const acknowledged: number[] = [];
      let stop = false;
      let killedAt = 0;
      let firstAfterKill = 0;
      // Two writers, each retrying on 5xx; each acknowledged write is noted.
      let next = 0;
      const writer = async () => {
        while (!stop) {
          const i = next++;
          await writeWithRetry(() => alive, `kv/data/w${i}`, root, { data: { i } });
          acknowledged.push(i);
          if (killedAt && !firstAfterKill) firstAfterKill = Date.now();
        }
      };
      const writers = [writer(), writer()];
      while (acknowledged.length < 30) await new Promise((r) => setTimeout(r, 20));
      killedAt = Date.now();
      alive = nodes.filter((n) => n !== first);
      await first.proc.stop('SIGKILL');
      while (!firstAfterKill || acknowledged.length < 80) await new Promise((r) => setTimeout(r, 20));
      stop = true;
      await Promise.all(writers);
      console.log(`# ${name}: failover (kill -9 to the next acknowledged write): ${firstAfterKill - killedAt} ms, ${acknowledged.length} writes acknowledged`);

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
