// `node dist/bench/profile.js [read|read-root|write]`: a CPU profile of one hot path, summarised. Starts
// Lockbox under `--cpu-prof` (SQLite, file audit device, policy-bound token, as `npm run bench`),
// drives the path with autocannon from its own process, stops the server so the profile is
// written, and prints the functions with the most self time, grouped by source file. The raw
// `.cpuprofile` stays in the printed directory for Chrome DevTools or speedscope.
//   BENCH_SECONDS (default 10)
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { api, repoRoot, runLoad, startChild, stopChild } from './processes.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
// read: policy token + file audit; read-root: root token, no audit device; write: distinct keys.
const scenario = (['write', 'read-root'] as const).find((s) => s === process.argv[2]) ?? 'read';

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

/**
 * Self time per function and per file, in percent of the samples taken while the load ran
 * (the last `windowUs` of the profile: start-up and module loading are left out), and the
 * inclusive time of our own functions (each counted once per sample it is on the stack of).
 */
function summarise(profile: Profile, windowUs: number): { functions: [string, number][]; files: [string, number][]; inclusive: [string, number][]; totalUs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const from = profile.endTime - windowUs;
  const selfUs = new Map<number, number>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (t >= from) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0) || 1;
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const fileOf = (frame: ProfileNode['callFrame']) => (frame.url ? relative(repoRoot, frame.url.replace(/^file:\/\//, '')) : '(native)');
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const file = fileOf(frame);
    const fn = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
    const group = file.startsWith('node_modules/') ? file.split('/').slice(0, 2).join('/') : file;
    files.set(group, (files.get(group) ?? 0) + us);
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)?.callFrame;
      if (!f || !fileOf(f).startsWith('dist/src/')) continue;
      onStack.add(`${f.functionName || '(anonymous)'} ${fileOf(f)}:${f.lineNumber + 1}`);
    }
    for (const k of onStack) inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => [k, Math.round((v / total) * 1000) / 10] as [string, number]);
  return { functions: top(fns), files: top(files), inclusive: top(inclusive), totalUs: total };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-profile-'));
  const config = join(dir, 'server.hcl');
  writeFileSync(config, `storage "sqlite" { path = "${join(dir, 'lockbox.db')}" }\nlistener "tcp" {\n address = "127.0.0.1:0"\n tls_disable = true\n}\n`);
  const server = await startChild(['--cpu-prof', `--cpu-prof-dir=${dir}`, join(repoRoot, 'bin/lockbox'), 'server', `-config=${config}`], /Listening on (http:\/\/\S+)/);
  const base = server.match[1] as string;
  const init = await api(base, '', 'PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 });
  await api(base, '', 'PUT', 'sys/unseal', { key: init.keys[0] });
  const root = init.root_token as string;
  await api(base, root, 'POST', 'sys/mounts/secret', { type: 'kv-v2' });
  if (scenario !== 'read-root') await api(base, root, 'PUT', 'sys/audit/file', { type: 'file', options: { file_path: join(dir, 'audit.log') } });
  await api(base, root, 'PUT', 'sys/policies/acl/bench', { policy: 'path "secret/*" { capabilities = ["create", "read", "update"] }' });
  const token = (await api(base, root, 'POST', 'auth/token/create', { policies: ['bench'] })).auth.client_token as string;
  await api(base, token, 'POST', 'secret/data/bench', { data: { username: 'app', password: 'p4ssw0rd' } });
  const headers = { 'X-Vault-Token': scenario === 'read-root' ? root : token };
  const result = scenario !== 'write'
    ? await runLoad({ url: `${base}/v1/secret/data/bench`, headers, durationSeconds: seconds })
    : await runLoad({ url: `${base}/v1/secret/data/written`, method: 'POST', headers, body: JSON.stringify({ data: { v: 'x' } }), uniquePaths: true, durationSeconds: seconds });
  await stopChild(server.child);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${dir}`);
  const { functions, files, inclusive, totalUs } = summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile, seconds * 1e6);
  const requests = result.ok + result.failed;
  console.log(`${scenario}: ${result.rps} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms; profile ${join(dir, file)}`);
  // Idle time included: on a loaded machine this is wall time per request, not CPU time.
  console.log(`${requests} requests, ${(totalUs / Math.max(1, requests)).toFixed(0)} µs of profiled time each (idle included)`);
  console.log('\nself time by file (%)');
  for (const [k, v] of files) console.log(`${String(v).padStart(6)}  ${k}`);
  console.log('\nself time by function (%)');
  for (const [k, v] of functions) console.log(`${String(v).padStart(6)}  ${k}`);
  console.log('\ninclusive time of our functions (%)');
  for (const [k, v] of inclusive) console.log(`${String(v).padStart(6)}  ${k}`);
}

await main();
