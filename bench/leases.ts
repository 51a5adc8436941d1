// Lease scale: time from unseal to ready with many stored leases (and the heap it costs), and
// KV read latency while a burst of leases expires at once, next to the same read without it.
//   node dist/bench/leases.js        BENCH_LEASES (default 100000)  BENCH_BURST (default 10000)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../src/server/start.js';
import { runLoad } from './processes.js';

const stored = Number(process.env.BENCH_LEASES ?? 100_000);
const burst = Number(process.env.BENCH_BURST ?? 10_000);
const silent = () => {};

/** Registers `count` leases on the cubbyhole mount, `ttlSeconds` from now, in parallel groups. */
async function registerLeases(server: RunningServer, count: number, ttlSeconds: number): Promise<void> {
  const { leases, mounts } = server.core.unsealed;
  const mount = mounts.get('mounts', 'cubbyhole/')!;
  for (let done = 0; done < count; done += 1000) {
    const group = Array.from({ length: Math.min(1000, count - done) }, (_, i) => leases.register({
      path: `cubbyhole/bench/${Math.floor((done + i) / 1000)}`, mount, tokenId: '', data: {},
      secret: { ttl: ttlSeconds, renewable: true },
    }));
    await Promise.all(group);
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function unsealToReady(dir: string): Promise<void> {
  const storage = { type: 'sqlite' as const, path: join(dir, 'leases.db') };
  const first = await startServer({ storage, listener: { address: '127.0.0.1:0' }, logSink: silent });
  const { keys } = await first.core.initialize(1, 1);
  await first.core.seal.unseal(keys[0]!);
  const t0 = performance.now();
  await registerLeases(first, stored, 7 * 24 * 3600);
  console.log(`stored ${stored.toLocaleString('en')} leases in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await first.close();

  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const second = await startServer({ storage, listener: { address: '127.0.0.1:0' }, logSink: silent });
  const start = performance.now();
  await second.core.seal.unseal(keys[0]!);
  const health = await fetch(`${second.url}/v1/sys/health`);
  const ready = performance.now() - start;
  globalThis.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  console.log(`unseal → ready (sys/health ${health.status}) with ${stored.toLocaleString('en')} leases: ${ready.toFixed(1)} ms`);
  console.log(`heap: ${mb(heapBefore)} before start, ${mb(heapAfter)} after unseal (+${mb(heapAfter - heapBefore)})`);
  await second.close();
}

async function readsDuringBurst(dir: string): Promise<void> {
  const server = await startServer({
    dev: true, storage: { type: 'sqlite', path: join(dir, 'burst.db') }, listener: { address: '127.0.0.1:0' }, logSink: silent,
  });
  try {
    const headers = { 'X-Vault-Token': server.rootToken };
    await fetch(`${server.url}/v1/secret/data/app`, { method: 'POST', headers, body: JSON.stringify({ data: { password: 'x' } }) });
    const url = `${server.url}/v1/secret/data/app`;
    const baseline = await runLoad({ url, headers, durationSeconds: 6, overallRate: 500, connections: 8 });
    await registerLeases(server, burst, 3);
    const during = await runLoad({ url, headers, durationSeconds: 6, overallRate: 500, connections: 8 });
    const left = (await server.core.unsealed.leases.list('cubbyhole/bench/')).length;
    console.log(`kv read at 500 req/s, quiet:                          p50 ${baseline.p50} ms  p99 ${baseline.p99} ms`);
    console.log(`kv read at 500 req/s, ${burst.toLocaleString('en')} leases expiring at once: p50 ${during.p50} ms  p99 ${during.p99} ms  (lease folders left: ${left})`);
    console.log(JSON.stringify({ stored, burst, baseline, during }));
  } finally {
    await server.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'lockbox-lease-bench-'));
try {
  await unsealToReady(dir);
  await readsDuringBurst(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
