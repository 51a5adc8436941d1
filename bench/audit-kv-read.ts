// Cost of a file audit device on the hot path: KV v2 reads on a SQLite-backed dev server,
// measured without and with the device in one run (alternating rounds, so drift hits both).
// The server runs here; autocannon runs in a forked copy of this file, so the load generator
// never shares the server's event loop. Prints numbers and ratios; never pass/fail.
// Reading the ratio: the file device groups each turn's lines into one write on setImmediate,
// so every request gains event-loop turns; on this server that batching by itself can raise
// throughput, which can hide the device's own cost (HMAC + JSON, ~35–50 µs a request).
//   node dist/bench/audit-kv-read.js        BENCH_SECONDS (default 5), BENCH_ROUNDS (default 2)
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../src/server/start.js';

type Load = { url: string; headers: Record<string, string>; seconds: number; connections: number };
type Result = { rps: number; p50: number; p99: number; ok: number; failed: number };

/** Child side: one autocannon run, its summary sent back over IPC. */
function runAutocannon(load: Load): void {
  const require = createRequire(import.meta.url);
  const autocannon = require('autocannon') as (o: Record<string, unknown>, cb: (err: unknown, r: any) => void) => void;
  autocannon({ url: load.url, headers: load.headers, connections: load.connections, duration: load.seconds }, (err, r) => {
    if (err) throw err;
    const result: Result = { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], failed: r.non2xx + r.errors + r.timeouts };
    process.send?.(result, () => process.exit(0));
  });
}

/** Parent side: forks the load generator and waits for its result. */
function measure(load: Load): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--load', JSON.stringify(load)]);
    child.once('message', (m) => resolve(m as Result));
    child.once('exit', (code) => { if (code !== 0) reject(new Error(`load generator exited with ${code}`)); });
  });
}

const mean = (rs: Result[], k: keyof Result) => rs.reduce((s, r) => s + r[k], 0) / rs.length;
const row = (name: string, rs: Result[]) =>
  `${name.padEnd(18)} ${mean(rs, 'rps').toFixed(0).padStart(8)} req/s   p50 ${mean(rs, 'p50').toFixed(2).padStart(6)} ms   p99 ${mean(rs, 'p99').toFixed(2).padStart(6)} ms   failed ${mean(rs, 'failed')}`;

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-bench-audit-'));
  const server = await startServer({
    dev: true, storage: { type: 'sqlite', path: join(dir, 'lockbox.db') },
    listener: { address: '127.0.0.1:0' }, logSink: () => {},
  });
  const api = async (method: string, path: string, body?: unknown, token = server.rootToken) => {
    const res = await fetch(`${server.url}/v1/${path}`, { method, headers: { 'X-Vault-Token': token }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : (await res.json()) as any;
  };
  try {
    if (!(await api('GET', 'sys/mounts')).data['secret/']) await api('POST', 'sys/mounts/secret', { type: 'kv-v2' });
    await api('PUT', 'sys/policies/acl/bench', { policy: 'path "secret/*" { capabilities = ["read", "update", "create"] }' });
    const token = (await api('POST', 'auth/token/create', { policies: ['bench'] })).auth.client_token as string;
    await api('POST', 'secret/data/bench', { data: { username: 'app', password: 'p4ssw0rd', port: 5432 } }, token);
    const load: Load = { url: `${server.url}/v1/secret/data/bench`, headers: { 'X-Vault-Token': token }, seconds, connections: 32 };
    const auditFile = join(dir, 'audit.log');
    await measure({ ...load, seconds: 2 }); // warm-up: JIT, caches
    const without: Result[] = [];
    const withFile: Result[] = [];
    for (let i = 0; i < rounds; i++) {
      without.push(await measure(load));
      await api('PUT', 'sys/audit/file', { type: 'file', options: { file_path: auditFile } });
      withFile.push(await measure(load));
      await api('DELETE', 'sys/audit/file');
    }
    console.log(`KV v2 read, SQLite, 32 connections, ${rounds} x ${seconds}s each (Node ${process.version})`);
    console.log(row('no audit device', without));
    console.log(row('file audit device', withFile));
    console.log(`throughput ratio (file / none): ${(mean(withFile, 'rps') / mean(without, 'rps')).toFixed(3)}`);
    console.log(`p99 ratio (file / none): ${(mean(withFile, 'p99') / mean(without, 'p99')).toFixed(3)}`);
    console.log(`audit log: ${(statSync(auditFile).size / 1e6).toFixed(1)} MB`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf('--load');
if (at !== -1) runAutocannon(JSON.parse(process.argv[at + 1] ?? '{}') as Load);
else await main();
