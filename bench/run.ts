// `npm run bench`: Lockbox on SQLite with a file audit device, measured by autocannon from a
// separate process, next to the bare node:http ceiling measured in the same run. Prints a
// table and writes bench/results/latest.json. Never decides pass/fail.
//   BENCH_SECONDS (default 5)   BENCH_SECRETS (default 100000: the "many secrets" read)
//   BENCH_WARMUP (default 1): seconds of the same load, unmeasured, before each scenario
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, repoRoot, runLoad, startChild, stopChild } from './processes.js';
import type { LoadOptions, LoadResult } from './load.js';
import { sqliteFsyncCeiling } from './sqlite-ceiling.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const manySecrets = Number(process.env.BENCH_SECRETS ?? 100_000);
const warmup = Number(process.env.BENCH_WARMUP ?? 1);

/** `base` names the row a ratio is taken against: the HTTP ceiling, or SQLite's fsync ceiling for durable writes. */
type Result = { name: string; fixedRate: boolean; base: 'http' | 'fsync' } & LoadResult;
type Row = Result & { ratio: number | null };

/** Writes `count` secrets with 64 requests in flight. */
async function populate(base: string, token: string, from: number, to: number): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const i = next++;
      await api(base, token, 'POST', `secret/data/fill/${i}`, { data: { value: `v${i}` } });
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

/** Starts `bin/lockbox server` on SQLite in `dir`, with extra environment variables. */
async function startLockbox(dir: string, name: string, env: Record<string, string>) {
  const config = join(dir, `${name}.hcl`);
  writeFileSync(config, `storage "sqlite" { path = "${join(dir, `${name}.db`)}" }\nlistener "tcp" {\n address = "127.0.0.1:0"\n tls_disable = true\n}\n`);
  const started = await startChild([join(repoRoot, 'bin/lockbox'), 'server', `-config=${config}`], /Listening on (http:\/\/\S+)/, env);
  return { child: started.child, base: started.match[1] as string };
}

/**
 * Initialises and unseals a server, mounts kv-v2 and (unless `auditFile` is null) a file audit
 * device; answers a policy-bound token and the root token.
 */
async function prepare(base: string, auditFile: string | null): Promise<{ token: string; root: string }> {
  const init = await api(base, '', 'PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 });
  await api(base, '', 'PUT', 'sys/unseal', { key: init.keys[0] });
  const root = init.root_token as string;
  await api(base, root, 'POST', 'sys/mounts/secret', { type: 'kv-v2' });
  if (auditFile !== null) await api(base, root, 'PUT', 'sys/audit/file', { type: 'file', options: { file_path: auditFile } });
  await api(base, root, 'PUT', 'sys/policies/acl/bench', { policy: 'path "secret/*" { capabilities = ["create", "read", "update", "list"] }' });
  const token = (await api(base, root, 'POST', 'auth/token/create', { policies: ['bench'] })).auth.client_token as string;
  await api(base, token, 'POST', 'secret/data/bench', { data: { username: 'app', password: 'p4ssw0rd' } });
  return { token, root };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-bench-'));
  const ceiling = await startChild([join(repoRoot, 'dist/bench/ceiling-server.js')], /(http:\/\/\S+)/);
  const lockbox = await startLockbox(dir, 'main', {});
  const base = lockbox.base;
  try {
    const { token } = await prepare(base, join(dir, 'audit.log'));
    await populate(base, token, 0, 1000);

    const headers = { 'X-Vault-Token': token };
    const load = (o: Omit<LoadOptions, 'durationSeconds'>) => runLoad({ durationSeconds: seconds, ...o });
    const results: Result[] = [];
    const measure = async (name: string, o: Omit<LoadOptions, 'durationSeconds'>, base: Result['base'] = 'http') => {
      // The first requests of a path run V8's unoptimised code: start-up cost, not the steady
      // state a row reports, so every scenario (the ceiling too) is first run unmeasured.
      // Distinct-key writes warm up on other keys, so the measured ones are all new.
      if (warmup > 0) await runLoad({ ...o, durationSeconds: warmup, url: o.uniquePaths ? `${o.url}-warmup` : o.url });
      const r = await load(o);
      // At a fixed request rate only the latency says anything; a ratio to the ceiling would not.
      results.push({ name, ...r, fixedRate: o.overallRate !== undefined, base });
      process.stderr.write(`  ${name}: ${r.rps} req/s\n`);
    };
    await measure('node:http ceiling', { url: ceiling.match[1] as string });
    const fsync = sqliteFsyncCeiling(dir, seconds);
    results.push({ name: 'sqlite single-row fsync ceiling', rps: fsync, p50: 0, p99: 0, ok: 0, failed: 0, fixedRate: false, base: 'fsync' });
    process.stderr.write(`  sqlite fsync ceiling: ${fsync} rows/s\n`);
    await measure('kv v2 read (ACL + file audit)', { url: `${base}/v1/secret/data/bench`, headers });
    await measure('kv v2 read at 1000 req/s', { url: `${base}/v1/secret/data/bench`, headers, overallRate: 1000, connections: 16 });
    await measure('kv v2 write (durable), distinct keys', { url: `${base}/v1/secret/data/written`, method: 'POST', headers, body: JSON.stringify({ data: { v: 'x' } }), uniquePaths: true }, 'fsync');
    await measure('kv v2 write (durable), one key', { url: `${base}/v1/secret/data/hot`, method: 'POST', headers, body: JSON.stringify({ data: { v: 'x' } }) }, 'fsync');
    await measure('token lookup-self', { url: `${base}/v1/auth/token/lookup-self`, headers });
    await measure('kv v2 list (GET ?list=true)', { url: `${base}/v1/secret/metadata/fill/?list=true&limit=100`, headers });
    const noAudit = await startLockbox(dir, 'noaudit', {});
    try {
      const { root } = await prepare(noAudit.base, null);
      await measure('kv v2 read (root token, no audit)', { url: `${noAudit.base}/v1/secret/data/bench`, headers: { 'X-Vault-Token': root } });
    } finally {
      await stopChild(noAudit.child);
    }
    const noList = await startLockbox(dir, 'nolist', { LOCKBOX_LIST_METHOD: 'off' });
    try {
      const { token: t } = await prepare(noList.base, join(dir, 'audit-nolist.log'));
      await measure('kv v2 read, LIST rewrite off', { url: `${noList.base}/v1/secret/data/bench`, headers: { 'X-Vault-Token': t } });
    } finally {
      await stopChild(noList.child);
    }
    await measure('kv v2 read, LIST rewrite on (again)', { url: `${base}/v1/secret/data/bench`, headers });
    await measure(`kv v2 read, 1,000 secrets stored`, { url: `${base}/v1/secret/data/fill/500`, headers, overallRate: 1000, connections: 16 });
    process.stderr.write(`  populating ${manySecrets} secrets…\n`);
    await populate(base, token, 1000, manySecrets);
    await measure(`kv v2 read, ${manySecrets.toLocaleString('en')} secrets stored`, { url: `${base}/v1/secret/data/fill/500`, headers, overallRate: 1000, connections: 16 });
    report(results);
  } finally {
    await stopChild(lockbox.child);
    await stopChild(ceiling.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(results: Result[]): void {
  const ceilings = { http: results.find((r) => r.base === 'http')?.rps ?? 1, fsync: results.find((r) => r.base === 'fsync')?.rps ?? 1 };
  const rows: Row[] = results.map((r) => ({ ...r, ratio: r.fixedRate ? null : Math.round((r.rps / ceilings[r.base]) * 1000) / 1000 }));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(40) : c.padStart(10))).join(' ');
  console.log(line(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'of', 'failed']));
  for (const r of rows) {
    const ratio = r.ratio === null ? '(fixed rate)' : `${(r.ratio * 100).toFixed(1)}%`;
    console.log(line([r.name, String(r.rps), String(r.p50), String(r.p99), ratio, r.base === 'http' ? 'http' : 'fsync', String(r.failed)]));
  }
  const out = { date: new Date().toISOString(), node: process.version, seconds, rows };
  mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
  writeFileSync(join(repoRoot, 'bench/results/latest.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(JSON.stringify(out));
}

await main();
