// Young-generation size A/B: the same build started twice, once with V8's default semi-space
// and once with `--max-semi-space-size=<BENCH_SEMI_MB>` (default 64), KV v2 reads with a
// policy token and a file audit device driven from another process, alternating rounds.
// Prints req/s, p99 and the server's CPU time per request (from /proc: steadier than req/s
// on a shared machine).
//   node dist/bench/semi-space.js     BENCH_SECONDS (default 4)  BENCH_ROUNDS (default 3)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, repoRoot, runLoad, startChild, stopChild } from './processes.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const semiMb = Number(process.env.BENCH_SEMI_MB ?? 64);

async function start(dir: string, name: string, nodeOptions: string) {
  const config = join(dir, `${name}.hcl`);
  writeFileSync(config, `storage "sqlite" { path = "${join(dir, `${name}.db`)}" }\nlistener "tcp" {\n address = "127.0.0.1:0"\n tls_disable = true\n}\n`);
  const { child, match } = await startChild([join(repoRoot, 'bin/lockbox'), 'server', `-config=${config}`], /Listening on (http:\/\/\S+)/, { NODE_OPTIONS: nodeOptions });
  const base = match[1] as string;
  const init = await api(base, '', 'PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 });
  await api(base, '', 'PUT', 'sys/unseal', { key: init.keys[0] });
  const root = init.root_token as string;
  await api(base, root, 'POST', 'sys/mounts/secret', { type: 'kv-v2' });
  await api(base, root, 'PUT', 'sys/audit/file', { type: 'file', options: { file_path: join(dir, `${name}.log`) } });
  await api(base, root, 'PUT', 'sys/policies/acl/bench', { policy: 'path "secret/*" { capabilities = ["read"] }' });
  const token = (await api(base, root, 'POST', 'auth/token/create', { policies: ['bench'] })).auth.client_token as string;
  await api(base, root, 'POST', 'secret/data/bench', { data: { username: 'app', password: 'p4ssw0rd' } });
  return { child, base, token };
}

/** CPU seconds (user + system) the process has used, from /proc (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-semi-'));
  const builds = [await start(dir, 'default', ''), await start(dir, 'large', `--max-semi-space-size=${semiMb}`)];
  const names = ['default semi-space', `--max-semi-space-size=${semiMb}`];
  const rows: Array<Array<{ rps: number; p99: number; cpuUs: number }>> = [[], []];
  try {
    // Warm-up: JIT and caches settle before anything is counted.
    for (const b of builds) await runLoad({ url: `${b.base}/v1/secret/data/bench`, headers: { 'X-Vault-Token': b.token }, durationSeconds: 2 });
    for (let r = 0; r < rounds; r++) {
      for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
        const b = builds[i]!;
        const cpu0 = cpuSeconds(b.child.pid!);
        const res = await runLoad({ url: `${b.base}/v1/secret/data/bench`, headers: { 'X-Vault-Token': b.token }, durationSeconds: seconds });
        const cpuUs = Math.round(((cpuSeconds(b.child.pid!) - cpu0) * 1e6) / Math.max(1, res.ok));
        rows[i]!.push({ rps: res.rps, p99: res.p99, cpuUs });
      }
    }
  } finally {
    await Promise.all(builds.map((b) => stopChild(b.child)));
    rmSync(dir, { recursive: true, force: true });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (let i = 0; i < 2; i++) {
    console.log(`${names[i]!.padEnd(28)} req/s ${rows[i]!.map((x) => x.rps).join(' / ')}  (median ${median(rows[i]!.map((x) => x.rps))})  p99 ms ${rows[i]!.map((x) => x.p99).join(' / ')}  server CPU µs/req ${rows[i]!.map((x) => x.cpuUs).join(' / ')} (median ${median(rows[i]!.map((x) => x.cpuUs))})`);
  }
}

await main();
