// KV read and write throughput over HTTP on each storage backend, in the same run: SQLite,
// PostgreSQL and etcd (the shared ones with ha_enabled, so fencing is in the measured path).
// One in-process dev server per backend, 32 requests in flight, BENCH_SECONDS (default 5) each.
// Prints a table; never decides pass/fail.   node dist/bench/storage-backends.js
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../src/server/start.js';
import type { StorageConfig } from '../src/storage/index.js';
import { startEtcd } from '../test/helpers/etcd.js';
import { dropTables, PG_URL, uniqueTableName } from '../test/helpers/postgres.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const inFlight = 32;

/** Requests per second of `request` run back to back by `inFlight` workers for `seconds`. */
async function rate(request: (i: number) => Promise<Response>): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  const worker = async () => {
    while (Date.now() < until) {
      const res = await request(done + failed);
      await res.arrayBuffer();
      if (res.status < 300) done++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  if (failed > 0) console.log(`  (${failed} requests failed)`);
  return Math.round(done / seconds);
}

async function measure(name: string, storage: StorageConfig): Promise<{ name: string; write: number; read: number }> {
  const server = await startServer({ dev: true, storage, listener: { address: '127.0.0.1:0' }, logSink: () => undefined, ui: false });
  try {
    const headers = { 'X-Vault-Token': server.rootToken };
    const write = await rate((i) => fetch(`${server.url}/v1/secret/data/bench/${i % 1000}`, {
      method: 'POST', headers, body: JSON.stringify({ data: { value: `v${i}` } }),
    }));
    // Only keys the write phase created: a 404 would count as a failure, not a read.
    const written = Math.max(1, Math.min(1000, write * seconds));
    const read = await rate((i) => fetch(`${server.url}/v1/secret/data/bench/${i % written}`, { headers }));
    return { name, write, read };
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-bench-storage-'));
  const etcd = await startEtcd();
  const table = uniqueTableName('benchkv');
  const haTable = uniqueTableName('benchlock');
  try {
    const rows = [
      await measure('sqlite', { type: 'sqlite', path: join(dir, 'bench.db') }),
      await measure('postgresql (ha)', { type: 'postgresql', connectionUrl: PG_URL, table, haTable, maxParallel: 16, haEnabled: true, lockTtlMs: 15_000 }),
      await measure('etcd (ha)', { type: 'etcd', hosts: [etcd.url], path: `/bench-${process.pid}/`, haEnabled: true, lockTtlMs: 15_000 }),
    ];
    console.log(`\nKV v2 over HTTP, ${inFlight} in flight, ${seconds} s each`);
    console.log('backend            writes/s   reads/s');
    for (const r of rows) console.log(`${r.name.padEnd(18)} ${String(r.write).padStart(8)}  ${String(r.read).padStart(8)}`);
  } finally {
    await etcd.stop();
    await dropTables(table, haTable);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
