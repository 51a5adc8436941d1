// Database engine throughput against the local PostgreSQL: database/creds issue rate and lease
// revoke rate, beside the database's own CREATE ROLE … LOGIN PASSWORD + DROP ROLE rate over one
// connection (the ceiling), then an expiry sweep of many dynamic users with KV read latency
// measured during it. Prints numbers; never pass/fail.
//   node dist/bench/database.js    BENCH_DB_CREDS (default 1000)  BENCH_DB_EXPIRE (default 10000)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startServer } from '../src/server/start.js';
import { ManualClock } from '../src/util/clock.js';

const credsCount = Number(process.env.BENCH_DB_CREDS ?? 1000);
const expireCount = Number(process.env.BENCH_DB_EXPIRE ?? 10_000);
const CONCURRENCY = 8;
const prefix = `bench${process.pid}`;

async function ceiling(n: number): Promise<{ create: number; drop: number }> {
  const c = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  await c.connect();
  const names = Array.from({ length: n }, (_, i) => `${prefix}_raw_${i}`);
  let t = performance.now();
  for (const name of names) await c.query(`CREATE ROLE "${name}" LOGIN PASSWORD 'Abcdefghij-123456789'`);
  const create = n / ((performance.now() - t) / 1000);
  t = performance.now();
  for (const name of names) await c.query(`DROP ROLE "${name}"`);
  const drop = n / ((performance.now() - t) / 1000);
  await c.end();
  return { create, drop };
}

/** Runs `task(i)` for i < n with CONCURRENCY in flight; answers the rate per second. */
async function rate(n: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) await task(next++);
  }));
  return n / ((performance.now() - t) / 1000);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-dbbench-'));
  const clock = new ManualClock(Date.now());
  const server = await startServer({ dev: true, storage: { type: 'sqlite', path: join(dir, 'db.sqlite') }, listener: { address: '127.0.0.1:0' }, logSink: () => {}, clock });
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/v1/${path}`, { method, headers: { 'X-Vault-Token': server.rootToken }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  try {
    await api('POST', 'sys/mounts/database', { type: 'database' });
    await api('POST', 'database/config/pg', {
      plugin_name: 'postgresql-database-plugin', connection_url: 'postgresql://{{username}}:{{password}}@127.0.0.1:5432/test?sslmode=disable',
      username: 'postgres', password: 'x', allowed_roles: '*', max_open_connections: CONCURRENCY, username_template: `${prefix}-{{random 12}}`,
    });
    await api('POST', 'database/roles/r', { db_name: 'pg', default_ttl: 60, creation_statements: `CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}'` });

    const raw = await ceiling(credsCount);
    const leases: string[] = [];
    const issue = await rate(credsCount, async () => { leases.push((await api('GET', 'database/creds/r')).lease_id); });
    const revoke = await rate(leases.length, async (i) => { await api('PUT', 'sys/leases/revoke', { lease_id: leases[i] }); });
    console.log(`ceiling (one connection): CREATE ROLE ${raw.create.toFixed(0)}/s, DROP ROLE ${raw.drop.toFixed(0)}/s`);
    console.log(`database/creds issue: ${issue.toFixed(0)}/s (${(issue / raw.create).toFixed(2)}x the ceiling), ${CONCURRENCY} in flight`);
    console.log(`lease revoke: ${revoke.toFixed(0)}/s (${(revoke / raw.drop).toFixed(2)}x the ceiling)`);

    await rate(expireCount, async () => { await api('GET', 'database/creds/r'); });
    await api('POST', 'secret/data/probe', { data: { v: 1 } });
    clock.advance(61_000);
    const latencies: number[] = [];
    let sweeping = true;
    const reader = async () => {
      while (sweeping) {
        const t = performance.now();
        await api('GET', 'secret/data/probe');
        latencies.push(performance.now() - t);
      }
    };
    const t = performance.now();
    const readers = Array.from({ length: 2 }, reader);
    await server.core.unsealed.expiration.tick();
    sweeping = false;
    await Promise.all(readers);
    const sweep = (performance.now() - t) / 1000;
    latencies.sort((a, b) => a - b);
    console.log(`expiry sweep: ${expireCount} users revoked in ${sweep.toFixed(1)} s (${(expireCount / sweep).toFixed(0)}/s)`);
    console.log(`KV read during the sweep: ${latencies.length} reads, p50 ${pct(latencies, 0.5).toFixed(1)} ms, p99 ${pct(latencies, 0.99).toFixed(1)} ms`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
