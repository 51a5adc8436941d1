// Reads served by read-serving standbys, measured: three `lockbox server` processes with
// `standby_reads = true` over one store (PostgreSQL, then etcd). The same KV v2 read load —
// BENCH_CLIENTS concurrent clients for BENCH_SECONDS — first against the active node alone,
// then spread over the active and the two standbys (which answer from the shared store
// themselves). Prints reads per second for each; never decides pass/fail. On a machine with
// fewer cores than nodes the three processes share them, which caps the gain.
//   node dist/bench/standby-reads.js      BENCH_BACKENDS=etcd (default: postgresql,etcd)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activeNode, startCluster, type Node } from '../test/helpers/ha-cluster.js';
import { startEtcd } from '../test/helpers/etcd.js';
import { dropTables, PG_URL, uniqueTableName } from '../test/helpers/postgres.js';
import { call } from '../test/server/process.js';

const only = (process.env.BENCH_BACKENDS ?? 'postgresql,etcd').split(',');
const clients = Number(process.env.BENCH_CLIENTS ?? 32);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);

/** Reads per second of `clients` loops reading one secret from `targets` in turn. */
async function readLoad(targets: string[], token: string): Promise<{ rps: number; errors: number }> {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  let errors = 0;
  const loop = async (n: number) => {
    for (let i = n; Date.now() < until; i++) {
      const res = await fetch(`${targets[i % targets.length]}/v1/kv/data/hot`, { headers: { 'X-Vault-Token': token } });
      await res.arrayBuffer();
      if (res.status === 200) done++;
      else errors++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: clients }, (_, n) => loop(n)));
  return { rps: done / ((Date.now() - started) / 1000), errors };
}

async function measure(name: string, block: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-bench-sr-'));
  const nodes: Node[] = [];
  try {
    const { root } = await startCluster(dir, `${block}\nstandby_reads = true`, nodes);
    const active = await activeNode(nodes);
    // The node that says it is active may still be loading: retry the first write briefly.
    let mounted = await call(active.url, 'POST', 'sys/mounts/kv', { token: root, body: { type: 'kv', options: { version: '2' } } });
    for (let i = 0; mounted.status >= 500 && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      mounted = await call(active.url, 'POST', 'sys/mounts/kv', { token: root, body: { type: 'kv', options: { version: '2' } } });
    }
    const wrote = await call(active.url, 'POST', 'kv/data/hot', { token: root, body: { data: { password: 'x'.repeat(64) } } });
    if (mounted.status !== 204 || wrote.status !== 200) throw new Error(`${name}: set-up failed: ${mounted.status} ${wrote.status} ${JSON.stringify(wrote.body)}`);
    // Warm-up: every node loads the token and the secret into its caches.
    await readLoad(nodes.map((n) => n.url), root);
    const alone = await readLoad([active.url], root);
    const spread = await readLoad(nodes.map((n) => n.url), root);
    console.log(`${name}: KV v2 reads/s, active alone: ${alone.rps.toFixed(0)} (${alone.errors} errors); `
      + `active + 2 read-serving standbys: ${spread.rps.toFixed(0)} (${spread.errors} errors); ratio ${(spread.rps / alone.rps).toFixed(2)}x`);
  } finally {
    for (const node of nodes) if (node.proc.proc.exitCode === null) await node.proc.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`standby reads: ${clients} clients, ${seconds} s per measurement`);
  if (only.includes('postgresql')) {
    const table = uniqueTableName('benchsr');
    const haTable = uniqueTableName('benchsrlock');
    try {
      await measure('postgresql', `storage "postgresql" {\n  connection_url = "${PG_URL}"\n  table = "${table}"\n  ha_table = "${haTable}"\n  ha_enabled = "true"\n}`);
    } finally {
      await dropTables(table, haTable);
    }
  }
  if (only.includes('etcd')) {
    const etcd = await startEtcd();
    try {
      await measure('etcd', `storage "etcd" {\n  address = "${etcd.url}"\n  path = "/lockbox-bench-sr-${process.pid}/"\n  ha_enabled = "true"\n}`);
    } finally {
      await etcd.stop();
    }
  }
}

await main();
