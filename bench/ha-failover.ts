// HA failover, measured: three `lockbox server` processes over one store (PostgreSQL, then
// etcd) with lock_timeout = 3s; the active node is killed with SIGKILL under a steady write load
// from clients that retry on 5xx; the time from the kill to the next acknowledged write is the
// failover time. Every acknowledged write is read back (lost writes are counted). Repeated
// BENCH_RUNS times (20 by default); prints median and worst. Never decides pass/fail.
//   node dist/bench/ha-failover.js      BENCH_BACKENDS=etcd (default: postgresql,etcd)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killActiveUnderLoad, startCluster, type Node } from '../test/helpers/ha-cluster.js';
import { startEtcd } from '../test/helpers/etcd.js';
import { dropTables, PG_URL, uniqueTableName } from '../test/helpers/postgres.js';
import { call } from '../test/server/process.js';

const runs = Number(process.env.BENCH_RUNS ?? 20);
const only = (process.env.BENCH_BACKENDS ?? 'postgresql,etcd').split(',');
const LOCK_TIMEOUT = '3s';

type Backend = { name: string; fresh(run: number): Promise<{ block: string; cleanup(): Promise<void> }> };

async function oneRun(dir: string, block: string): Promise<{ failoverMs: number; lost: number }> {
  const nodes: Node[] = [];
  try {
    const { root } = await startCluster(dir, block, nodes);
    await call(nodes[0]!.url, 'POST', 'sys/mounts/kv', { token: root, body: { type: 'kv', options: { version: '2' } } });
    const { failoverMs, acknowledged, alive } = await killActiveUnderLoad(nodes, root);
    let lost = 0;
    for (const i of acknowledged) {
      const read = await call(alive[0]!.url, 'GET', `kv/data/w${i}`, { token: root });
      if (read.status !== 200) lost++;
    }
    return { failoverMs, lost };
  } finally {
    for (const node of nodes) if (node.proc.proc.exitCode === null) await node.proc.stop('SIGKILL');
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;

async function main(): Promise<void> {
  const etcd = await startEtcd();
  const backends: Backend[] = [
    {
      name: 'postgresql',
      fresh: async () => {
        const table = uniqueTableName('benchkv');
        const haTable = uniqueTableName('benchlock');
        return {
          block: `storage "postgresql" {\n  connection_url = "${PG_URL}"\n  table = "${table}"\n  ha_table = "${haTable}"\n  ha_enabled = "true"\n  lock_timeout = "${LOCK_TIMEOUT}"\n}`,
          cleanup: () => dropTables(table, haTable),
        };
      },
    },
    {
      name: 'etcd',
      fresh: async (run) => ({
        block: `storage "etcd" {\n  address = "${etcd.url}"\n  path = "/bench-${process.pid}-${run}/"\n  ha_enabled = "true"\n  lock_timeout = "${LOCK_TIMEOUT}"\n}`,
        cleanup: async () => undefined,
      }),
    },
  ];
  try {
    for (const backend of backends.filter((b) => only.includes(b.name))) {
      const times: number[] = [];
      let lost = 0;
      for (let run = 0; run < runs; run++) {
        const dir = mkdtempSync(join(tmpdir(), 'lockbox-bench-ha-'));
        const { block, cleanup } = await backend.fresh(run);
        try {
          const result = await oneRun(dir, block);
          times.push(result.failoverMs);
          lost += result.lost;
          process.stdout.write(`${backend.name} run ${run + 1}/${runs}: ${result.failoverMs} ms\n`);
        } finally {
          await cleanup();
          rmSync(dir, { recursive: true, force: true });
        }
      }
      times.sort((a, b) => a - b);
      console.log(`${backend.name}: failover median ${percentile(times, 0.5)} ms, worst ${times[times.length - 1]} ms over ${runs} runs (lock_timeout ${LOCK_TIMEOUT}); acknowledged writes lost: ${lost}`);
    }
  } finally {
    await etcd.stop();
  }
}

await main();
