// `node dist/bench/kv-write.js`: durable KV v2 writes on SQLite over HTTP (file audit device,
// policy-bound token), distinct keys and one hot key, as `npm run bench` drives them. Prints
// per run the server's main-thread CPU per write (from /proc: on a shared machine it moves far
// less than req/s does), how many writes shared each SQLite commit, and req/s next to the
// fsync ceiling measured in the same round. Never decides pass/fail.
// BENCH_BASELINE=<dir> (a checkout with dist/ built from another commit) runs that build in
// turn with this one: both servers are up through each round (started afresh per round, so
// the core mode's keys are new) and take turns scenario by scenario, alternating which goes
// first each round, so a shift in the machine's load lands on both; besides the medians, each scenario's paired ratio (new ÷ base of main-thread CPU per
// write, same round) is printed, with how many rounds the new build was lower in.
// BENCH_MODE=core drives core.handle inside the server instead (32 writers, root token: no
// HTTP and no ACL; the file audit device stays): closer to the storage part of a write.
//   BENCH_SECONDS (default 4, per scenario and run)   BENCH_ROUNDS (default 3)
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runLoad } from './processes.js';
import { sqliteFsyncCeiling } from './sqlite-ceiling.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const inCore = process.env.BENCH_MODE === 'core';

type Stats = { cpuUs: number; commits: number; batches: number };
type Driven = { writes: number; cpuUs: number; commits: number };
type Server = { child: ChildProcess; url: string; token: string; stats(): Promise<Stats>; drive(scenario: 'distinct' | 'hot'): Promise<Driven> };

/** Starts `kv-write-server.js` of the checkout at `root`. */
async function startServerOf(root: string, dir: string): Promise<Server> {
  const child = spawn(process.execPath, [join(root, 'dist/bench/kv-write-server.js'), dir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const m = seen.match(/ready (\{.*\})/);
      if (m) resolve(JSON.parse(m[1] as string) as { url: string; token: string });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${seen}`)));
  });
  child.removeAllListeners('exit');
  const stats = () => new Promise<Stats>((resolve) => {
    child.once('message', (m) => resolve(m as Stats));
    child.send('stats');
  });
  const drive = (scenario: 'distinct' | 'hot') => new Promise<Driven>((resolve) => {
    child.once('message', (m) => resolve(m as Driven));
    child.send({ drive: scenario, seconds });
  });
  return { child, ...ready, stats, drive };
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.send('stop');
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

type Sample = { rps: number; ratio: number; cpuUs: number; perCommit: number; failed: number };

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-kvwrite-'));
  const baseline = process.env.BENCH_BASELINE;
  // The server half is copied into the baseline checkout, so both builds are driven alike.
  if (baseline) copyFileSync(join(repoRoot, 'dist/bench/kv-write-server.js'), join(baseline, 'dist/bench/kv-write-server.js'));
  const builds: Array<[string, string]> = baseline ? [['base', baseline], ['new', repoRoot]] : [['new', repoRoot]];
  const scenarios = ['distinct keys', 'one key'] as const;
  const samples = new Map<string, Sample[]>();
  const servers = new Map<string, Server>();
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const server of servers.values()) await stop(server);
      for (const [name, root] of builds) servers.set(name, await startServerOf(root, dir));
      const fsync = sqliteFsyncCeiling(dir, Math.min(seconds, 2));
      rmSync(join(dir, 'ceiling.db'), { force: true });
      process.stderr.write(`round ${round}: sqlite fsync ceiling ${fsync} rows/s\n`);
      const order = round % 2 === 1 ? builds : [...builds].reverse();
      for (const scenario of scenarios) {
        for (const [name] of order) {
          const server = servers.get(name) as Server;
          const key = `${scenario} [${name}]`;
          let s: Sample;
          if (inCore) {
            const d = await server.drive(scenario === 'one key' ? 'hot' : 'distinct');
            s = { rps: Math.round(d.writes / seconds), ratio: d.writes / seconds / fsync, failed: 0, cpuUs: d.cpuUs / Math.max(1, d.writes), perCommit: d.writes / Math.max(1, d.commits) };
            process.stderr.write(`  ${key}: ${s.rps} writes/s in core, main thread ${s.cpuUs.toFixed(0)} µs/write, ${s.perCommit.toFixed(1)} writes/commit\n`);
          } else {
            const headers = { 'X-Vault-Token': server.token };
            const body = JSON.stringify({ data: { v: 'x' } });
            const before = await server.stats();
            const r = await runLoad(scenario === 'one key'
              ? { url: `${server.url}/v1/secret/data/hot`, method: 'POST', headers, body, durationSeconds: seconds }
              : { url: `${server.url}/v1/secret/data/w/${round}`, method: 'POST', headers, body, uniquePaths: true, durationSeconds: seconds });
            const after = await server.stats();
            const writes = Math.max(1, r.ok + r.failed);
            s = {
              rps: r.rps, ratio: r.rps / fsync, failed: r.failed,
              cpuUs: (after.cpuUs - before.cpuUs) / writes,
              perCommit: writes / Math.max(1, after.commits - before.commits),
            };
            process.stderr.write(`  ${key}: ${s.rps} req/s (${s.ratio.toFixed(2)}× fsync), main thread ${s.cpuUs.toFixed(0)} µs/write, ${s.perCommit.toFixed(1)} writes/commit${s.failed ? `, failed ${s.failed}` : ''}\n`);
          }
          samples.set(key, [...(samples.get(key) ?? []), s]);
        }
      }
    }
  } finally {
    for (const server of servers.values()) await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(24) : c.padStart(14))).join(' ');
  console.log(line(['median of rounds', 'req/s', '× fsync', 'main µs/write', 'writes/commit', 'failed']));
  for (const [key, xs] of samples) {
    console.log(line([key, String(median(xs.map((x) => x.rps))), median(xs.map((x) => x.ratio)).toFixed(2),
      median(xs.map((x) => x.cpuUs)).toFixed(0), median(xs.map((x) => x.perCommit)).toFixed(1), String(xs.reduce((a, x) => a + x.failed, 0))]));
  }
  if (!baseline) return;
  for (const scenario of scenarios) {
    const base = samples.get(`${scenario} [base]`) ?? [];
    const ratios = (samples.get(`${scenario} [new]`) ?? []).map((x, i) => x.cpuUs / (base[i] as Sample).cpuUs);
    console.log(`${scenario}: main-thread CPU per write new ÷ base, median of rounds ${median(ratios).toFixed(3)}; new lower in ${ratios.filter((r) => r < 1).length} of ${ratios.length}`);
  }
}

await main();
