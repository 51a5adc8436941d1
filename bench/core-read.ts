// `node dist/bench/core-read.js`: what one KV v2 read costs inside core, without HTTP: the
// server runs in this process (SQLite, dev mode) and 32 loops call `core.handle` directly.
// Per scenario (a read with the root token and no audit device; a read with a policy token and
// a file audit device; lookup-self with that token and device) it prints the promises made per request (async_hooks), the young-generation
// bytes allocated per request (new space before and after batches that no scavenge
// interrupted) and the process CPU per request. These move far less with a shared machine's
// load than req/s does, and the first two not at all.
// BENCH_BASELINE=<dir> (a checkout with dist/ built from another commit) also starts that
// build in this process and compares CPU per request in alternating slices: the median of the
// paired slice ratios. Never decides pass/fail.
//   BENCH_SLICES (default 30)   BENCH_SLICE_MS (default 250)
import { createHook } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import { api, repoRoot } from './processes.js';

const slices = Number(process.env.BENCH_SLICES ?? 30);
const sliceMs = Number(process.env.BENCH_SLICE_MS ?? 250);
const CONCURRENCY = 32;

type Scenario = 'root' | 'audited' | 'lookup-self';
type Request = Record<string, unknown>;
type Handler = { handle(req: Request): Promise<{ response?: unknown }> };
type Started = { url: string; rootToken: string; core: Handler; close(graceMs?: number): Promise<void> };
/** One scenario of one build: the core to call and the request to give it. */
type Target = { core: Handler; make: () => Request };
type Build = { name: string; servers: Started[]; targets: Record<Scenario, Target> };

/** One server of a build in this process, with the bench's secret, a policy token and maybe a file audit device. */
async function server(root: string, dir: string, name: string, audit: boolean) {
  const { startServer } = (await import(join(resolve(root), 'dist/src/server/start.js'))) as { startServer: (o: Record<string, unknown>) => Promise<Started> };
  const started = await startServer({ dev: true, storage: { type: 'sqlite', path: join(dir, `${name}.db`) }, listener: { address: '127.0.0.1:0' }, logSink: () => {}, ui: false });
  const { url, rootToken } = started;
  await api(url, rootToken, 'POST', 'secret/data/bench', { data: { username: 'app', password: 'p4ssw0rd' } });
  if (audit) await api(url, rootToken, 'PUT', 'sys/audit/file', { type: 'file', options: { file_path: join(dir, `${name}-audit.log`) } });
  await api(url, rootToken, 'PUT', 'sys/policies/acl/bench', { policy: 'path "secret/*" { capabilities = ["create", "read", "update", "list"] }' });
  const token = (await api(url, rootToken, 'POST', 'auth/token/create', { policies: ['bench'] })).auth.client_token as string;
  const target = (path: string, clientToken: string): Target => ({
    core: started.core,
    make: () => ({ id: 'bench', operation: 'read', method: 'GET', path, query: {}, headers: {}, clientToken, remoteAddress: '127.0.0.1', data: {}, auditMemo: undefined }),
  });
  return { started, root: target('secret/data/bench', rootToken), read: target('secret/data/bench', token), lookup: target('auth/token/lookup-self', token) };
}

/** A build's two servers: one without audit (the root read), one with a file audit device. */
async function start(root: string, dir: string, name: string): Promise<Build> {
  const plain = await server(root, dir, `${name}-plain`, false);
  const audited = await server(root, dir, `${name}-audited`, true);
  return { name, servers: [plain.started, audited.started], targets: { root: plain.root, audited: audited.read, 'lookup-self': audited.lookup } };
}

/** Runs `make()` requests from 32 loops for `ms`; answers the count. Yields to the event loop now and then. */
async function drive(core: Handler, make: () => Request, ms: number): Promise<number> {
  let running = true;
  let done = 0;
  const loop = async () => {
    for (let k = 1; running; k++) {
      const outcome = await core.handle(make());
      if (!outcome.response) throw new Error('a bench request had no response');
      done++;
      // Cache hits resolve through microtasks alone: without a turn now and then the timer never fires.
      if (k % 16 === 0) await new Promise((r) => setImmediate(r));
    }
  };
  const loops = Array.from({ length: CONCURRENCY }, loop);
  await new Promise((r) => setTimeout(r, ms));
  running = false;
  await Promise.all(loops);
  return done;
}

/** Process CPU µs per request over one slice. */
async function cpuPerRequest(core: Handler, make: () => Request, ms: number): Promise<number> {
  const before = process.cpuUsage();
  const n = await drive(core, make, ms);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

/** Promises created per request, over 1,000 requests made one after another. */
async function promisesPerRequest(core: Handler, make: () => Request): Promise<number> {
  let made = 0;
  const hook = createHook({ init: (_id, type) => { if (type === 'PROMISE') made++; } });
  hook.enable();
  for (let i = 0; i < 1000; i++) await core.handle(make());
  hook.disable();
  return made / 1000;
}

const newSpaceUsed = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_used_size ?? 0;

/** Young-generation bytes per request: the median over batches of 200 that no scavenge interrupted. */
async function youngBytesPerRequest(core: Handler, make: () => Request): Promise<number> {
  const perBatch: number[] = [];
  for (let round = 0; round < 15; round++) {
    await new Promise((r) => setImmediate(r));
    const before = newSpaceUsed();
    await Promise.all(Array.from({ length: 200 }, () => core.handle(make())));
    const grown = newSpaceUsed() - before;
    if (grown > 0) perBatch.push(grown / 200);
  }
  return median(perBatch);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? Number.NaN;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-core-read-'));
  const builds = [await start(repoRoot, dir, 'this')];
  if (process.env.BENCH_BASELINE) builds.push(await start(process.env.BENCH_BASELINE, dir, 'baseline'));
  try {
    const scenarios: Scenario[] = ['root', 'audited', 'lookup-self'];
    for (const build of builds) for (const s of scenarios) await drive(build.targets[s].core, build.targets[s].make, 500); // warm-up
    console.log(`${'scenario'.padEnd(14)} ${'build'.padEnd(9)} promises/req  young bytes/req  cpu µs/req`);
    for (const s of scenarios) {
      for (const build of builds) {
        const { core, make } = build.targets[s];
        const promises = await promisesPerRequest(core, make);
        const young = await youngBytesPerRequest(core, make);
        const cpu = await cpuPerRequest(core, make, 1000);
        console.log(`${s.padEnd(14)} ${build.name.padEnd(9)} ${promises.toFixed(1).padStart(12)}  ${young.toFixed(0).padStart(15)}  ${cpu.toFixed(2).padStart(10)}`);
      }
    }
    const [candidate, baseline] = builds;
    if (candidate && baseline) {
      console.log(`\nthis ÷ baseline, CPU per request, median of ${slices} paired slices of ${sliceMs} ms (the order alternates)`);
      for (const s of scenarios) {
        const ratios: number[] = [];
        for (let i = 0; i < slices; i++) {
          const first = i % 2 === 0 ? candidate : baseline;
          const second = first === candidate ? baseline : candidate;
          const a = await cpuPerRequest(first.targets[s].core, first.targets[s].make, sliceMs);
          const b = await cpuPerRequest(second.targets[s].core, second.targets[s].make, sliceMs);
          ratios.push(first === candidate ? a / b : b / a);
        }
        console.log(`${s.padEnd(14)} ${median(ratios).toFixed(3)}`);
      }
    }
  } finally {
    for (const build of builds) for (const started of build.servers) await started.close(100);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
