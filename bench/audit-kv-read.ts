// Cost of a file audit device on the hot path: KV v2 reads on a SQLite-backed dev server,
// measured without and with the device in one run (alternating rounds, so drift hits both).
// The server runs here; autocannon runs in a forked copy of this file, so the load generator
// never shares the server's event loop. Prints numbers and ratios; never pass/fail.
// Reading the ratio: the file device groups each turn's lines into one write on setImmediate,
// so every request gains event-loop turns; on this server that batching by itself can raise
// throughput, which can hide the device's own cost (HMAC + JSON, ~35–50 µs a request).
//   node dist/bench/audit-kv-read.js        BENCH_SECONDS (default 5), BENCH_ROUNDS (default 2)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../src/server/start.js';
import { childLoad, loadArgument, mean, meanRow, measureInChild } from './forked-load.js';
import type { LoadResult } from './load.js';

type Load = { url: string; headers: Record<string, string>; seconds: number; connections: number };

const measure = (load: Load) => measureInChild(fileURLToPath(import.meta.url), load);
const row = (name: string, rs: LoadResult[]) => meanRow(name, 18, rs);

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
    const without: LoadResult[] = [];
    const withFile: LoadResult[] = [];
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

const childOf = loadArgument<Load>();
if (childOf) childLoad({ url: childOf.url, headers: childOf.headers, connections: childOf.connections, duration: childOf.seconds });
else await main();
