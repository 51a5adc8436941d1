// `node dist/bench/read-path.js`: the hot read paths only, next to the bare node:http ceiling,
// in rounds that alternate the scenarios so a shared machine's load swings hit them alike.
// Prints each round and the median ratio to that round's ceiling. Never decides pass/fail.
// The server's CPU time per request (from /proc) is printed too: on a shared machine it moves
// far less than req/s does. BENCH_BASELINE=<dir> (a checkout with bin/ and dist/ built from
// another commit) runs that build's servers beside this one's (or BENCH_CANDIDATE's), both
// under load at the same time, for an A/B (ratios to the ceiling are then not comparable with
// a run without a baseline: two servers share the machine).
//   BENCH_SECONDS (default 3, per scenario and round)   BENCH_ROUNDS (default 3)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, repoRoot, runLoad, startChild, stopChild } from './processes.js';
import type { LoadOptions, LoadResult } from './load.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

/** One Lockbox on SQLite, initialised, with kv-v2 at secret/, a policy token and (optionally) a file audit device. */
async function lockbox(dir: string, name: string, audit: boolean, checkout = repoRoot) {
  const config = join(dir, `${name}.hcl`);
  writeFileSync(config, `storage "sqlite" { path = "${join(dir, `${name}.db`)}" }\nlistener "tcp" {\n address = "127.0.0.1:0"\n tls_disable = true\n}\n`);
  const started = await startChild([join(checkout, 'bin/lockbox'), 'server', `-config=${config}`], /Listening on (http:\/\/\S+)/);
  const base = started.match[1] as string;
  const init = await api(base, '', 'PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 });
  await api(base, '', 'PUT', 'sys/unseal', { key: init.keys[0] });
  const root = init.root_token as string;
  await api(base, root, 'POST', 'sys/mounts/secret', { type: 'kv-v2' });
  if (audit) await api(base, root, 'PUT', 'sys/audit/file', { type: 'file', options: { file_path: join(dir, `${name}-audit.log`) } });
  await api(base, root, 'PUT', 'sys/policies/acl/bench', { policy: 'path "secret/*" { capabilities = ["create", "read", "update", "list"] }' });
  const token = (await api(base, root, 'POST', 'auth/token/create', { policies: ['bench'] })).auth.client_token as string;
  await api(base, token, 'POST', 'secret/data/bench', { data: { username: 'app', password: 'p4ssw0rd' } });
  return { child: started.child, base, root, token };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-readbench-'));
  const ceiling = await startChild([join(repoRoot, 'dist/bench/ceiling-server.js')], /(http:\/\/\S+)/);
  // BENCH_CANDIDATE=<dir>: measure that build instead of this checkout's.
  const candidate = process.env.BENCH_CANDIDATE ?? repoRoot;
  const audited = await lockbox(dir, 'audited', true, candidate);
  const bare = await lockbox(dir, 'bare', false, candidate);
  const baselineRoot = process.env.BENCH_BASELINE;
  const baseline = baselineRoot ? { audited: await lockbox(dir, 'base-audited', true, baselineRoot), bare: await lockbox(dir, 'base-bare', false, baselineRoot) } : undefined;
  type Server = Awaited<ReturnType<typeof lockbox>>;
  type Scenario = [string, Omit<LoadOptions, 'durationSeconds'>, number];
  const trio = (tag: string, a: Server, b: Server): Scenario[] => [
    [`kv v2 read (ACL + file audit)${tag}`, { url: `${a.base}/v1/secret/data/bench`, headers: { 'X-Vault-Token': a.token } }, a.child.pid!],
    [`token lookup-self (ACL + audit)${tag}`, { url: `${a.base}/v1/auth/token/lookup-self`, headers: { 'X-Vault-Token': a.token } }, a.child.pid!],
    [`kv v2 read (root, no audit)${tag}`, { url: `${b.base}/v1/secret/data/bench`, headers: { 'X-Vault-Token': b.root } }, b.child.pid!],
  ];
  const ours = trio('', audited, bare);
  const theirs = baseline ? trio(' [base]', baseline.audited, baseline.bare) : [];
  const scenarios: Scenario[] = [
    ['node:http ceiling', { url: ceiling.match[1] as string }, ceiling.child.pid!],
    ...ours.flatMap((s, i) => (theirs[i] ? [theirs[i]!, s] : [s])),
  ];
  // With a baseline, each scenario runs on both builds at the same time (one load generator
  // each): whatever else the machine is doing then weighs on both alike.
  const steps: Scenario[][] = [[scenarios[0]!], ...ours.map((s, i) => (theirs[i] ? [theirs[i]!, s] : [s]))];
  const cpu = new Map<string, number[]>(scenarios.map(([n]) => [n, []]));
  const all = new Map<string, LoadResult[]>(scenarios.map(([n]) => [n, []]));
  const ratios = new Map<string, number[]>(scenarios.map(([n]) => [n, []]));
  try {
    for (let round = 1; round <= rounds; round++) {
      let ceilingRps = 1;
      for (const step of steps) {
        const before = step.map(([, , pid]) => cpuSeconds(pid));
        const results = await Promise.all(step.map(([, o]) => runLoad({ durationSeconds: seconds, ...o })));
        step.forEach(([name, , pid], i) => {
          const r = results[i]!;
          const usPerReq = ((cpuSeconds(pid) - before[i]!) * 1e6) / Math.max(1, r.ok + r.failed);
          cpu.get(name)!.push(usPerReq);
          if (name === 'node:http ceiling') ceilingRps = r.rps;
          all.get(name)!.push(r);
          ratios.get(name)!.push(r.rps / ceilingRps);
          process.stderr.write(`  round ${round} ${name}: ${r.rps} req/s p99 ${r.p99} ms ratio ${(r.rps / ceilingRps).toFixed(3)} cpu ${usPerReq.toFixed(0)} µs/req${r.failed ? ` failed ${r.failed}` : ''}\n`);
        });
      }
    }
  } finally {
    await stopChild(audited.child);
    await stopChild(bare.child);
    if (baseline) {
      await stopChild(baseline.audited.child);
      await stopChild(baseline.bare.child);
    }
    await stopChild(ceiling.child);
    rmSync(dir, { recursive: true, force: true });
  }
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(42) : c.padStart(11))).join(' ');
  console.log(line(['scenario (median of rounds)', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'cpu µs/req', 'failed']));
  for (const [name] of scenarios) {
    const rs = all.get(name)!;
    console.log(line([name, String(median(rs.map((r) => r.rps))), String(median(rs.map((r) => r.p50))), String(median(rs.map((r) => r.p99))),
      median(ratios.get(name)!).toFixed(3), median(cpu.get(name)!).toFixed(0), String(rs.reduce((a, r) => a + r.failed, 0))]));
  }
  if (!baseline) return;
  // Paired: each round's candidate against the base run beside it, then the median.
  console.log('\n' + line(['candidate vs base (median of paired rounds)', 'req/s ×', 'cpu/req ×']));
  for (const [name] of ours) {
    const mine = all.get(name)!;
    const base = all.get(`${name} [base]`)!;
    const rps = mine.map((r, i) => r.rps / base[i]!.rps);
    const cpuRatio = cpu.get(name)!.map((c, i) => c / cpu.get(`${name} [base]`)![i]!);
    console.log(line([name, median(rps).toFixed(3), median(cpuRatio).toFixed(3)]));
  }
}

await main();
