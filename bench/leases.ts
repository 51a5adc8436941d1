// Lease scale, on SQLite: with BENCH_LEASES stored leases (token and secret leases mixed),
//   - unseal → first served KV read, and the heap that costs;
//   - a burst of BENCH_BURST token leases falling due at once: how fast they are revoked,
//     and KV read latency (500 req/s from another process) while that runs.
//   node dist/bench/leases.js      BENCH_LEASES (default 1000000)  BENCH_BURST (default 50000)
// Prints figures only; the goals (≤ 1 s, ≤ 64 MiB, ≥ 40,000 revocations/s, p99 ≤ 20 ms) are
// for the reader to compare. Re-runs itself with --expose-gc so heap figures are after a GC.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startServer, type RunningServer } from '../src/server/start.js';
import { newTokenValue } from '../src/core/tokens/store.js';
import type { Clock } from '../src/util/clock.js';
import { runLoad } from './processes.js';

if (typeof globalThis.gc !== 'function') {
  const child = spawnSync(process.execPath, ['--expose-gc', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const stored = Number(process.env.BENCH_LEASES ?? 1_000_000);
const burst = Number(process.env.BENCH_BURST ?? 50_000);
const silent = () => {};
const HOUR = 3600_000;

/** The wall clock, which the bench can jump forward to make the burst fall due at once. */
class JumpClock implements Clock {
  offset = 0;
  now(): number { return Date.now() + this.offset; }
}

/** Runs `count` creations, `parallel` at a time (they share group commits). */
async function inGroups(count: number, parallel: number, make: (i: number) => Promise<unknown>): Promise<void> {
  for (let done = 0; done < count; done += parallel) {
    await Promise.all(Array.from({ length: Math.min(parallel, count - done) }, (_, i) => make(done + i)));
  }
}

/** A service token that expires `ttlMs` from now: a token lease, as Vault counts them. */
function createToken(server: RunningServer, clock: Clock, ttlMs: number) {
  const now = clock.now();
  return server.core.unsealed.tokens.create(newTokenValue(), {
    parent: '', policies: ['default'], path: 'auth/token/create', meta: null, display_name: 'token', num_uses: 0,
    creation_time: Math.floor(now / 1000), ttl: Math.round(ttlMs / 1000), explicit_max_ttl: 0, period: 0, renewable: true,
    type: 'service', entity_id: '', role: '', expire_at: now + ttlMs, issued_at: now,
  });
}

/** Stores the leases: half secret leases (cubbyhole), half token leases, `burst` of them due in an hour. */
async function populate(server: RunningServer, clock: Clock): Promise<void> {
  const { leases, mounts } = server.core.unsealed;
  const mount = mounts.get('mounts', 'cubbyhole/')!;
  const secrets = Math.floor(stored / 2);
  const tokens = stored - secrets - burst;
  const t0 = performance.now();
  await inGroups(secrets, 2000, (i) => leases.register({
    path: `cubbyhole/bench/${Math.floor(i / 1000)}`, mount, tokenId: '', data: {}, secret: { ttl: 7 * 24 * 3600, renewable: true },
  }));
  await inGroups(tokens, 2000, () => createToken(server, clock, 7 * 24 * HOUR));
  await inGroups(burst, 2000, () => createToken(server, clock, HOUR));
  const s = (performance.now() - t0) / 1000;
  console.log(`stored ${stored.toLocaleString('en')} leases (${secrets.toLocaleString('en')} secret, ${(tokens + burst).toLocaleString('en')} token) in ${s.toFixed(1)} s`);
}

const cpuMicros = (usage: NodeJS.CpuUsage) => usage.user + usage.system;

/**
 * CPU µs of each thread of this process (Linux /proc; empty elsewhere): the main thread is the
 * one whose id is the pid, the SQLite commit thread and V8's helpers are the others.
 */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime, in clock ticks (100 a second on Linux).
      out.set(tid, (Number(fields[11]) + Number(fields[12])) * 10_000);
    }
  } catch {
    // Not Linux: no per-thread figures.
  }
  return out;
}

/** Bytes this process has had written to storage devices so far (Linux /proc; 0 elsewhere). */
function writtenBytes(): number {
  try {
    const line = readFileSync('/proc/self/io', 'utf8').split('\n').find((l) => l.startsWith('write_bytes:'));
    return line ? Number(line.split(':')[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Main-thread and other-thread CPU µs between two `threadCpu` readings; of the others, the
 * busiest one alone (during a burst, the SQLite commit thread: V8's GC helpers and libuv's
 * pool each do far less).
 */
function threadSplit(before: Map<string, number>, after: Map<string, number>): { main: number; others: number; busiest: number } {
  let main = 0;
  let others = 0;
  let busiest = 0;
  for (const [tid, us] of after) {
    const delta = us - (before.get(tid) ?? 0);
    if (tid === String(process.pid)) main += delta;
    else {
      others += delta;
      busiest = Math.max(busiest, delta);
    }
  }
  return { main, others, busiest };
}
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-lease-bench-'));
  const storage = { type: 'sqlite' as const, path: join(dir, 'leases.db') };
  const clock = new JumpClock();
  try {
    const first = await startServer({ storage, listener: { address: '127.0.0.1:0' }, logSink: silent, clock });
    const { keys, rootToken } = await first.core.initialize(1, 1);
    await first.core.seal.unseal(keys[0]!);
    const headers = { 'X-Vault-Token': rootToken };
    await fetch(`${first.url}/v1/sys/mounts/secret`, { method: 'POST', headers, body: JSON.stringify({ type: 'kv-v2' }) });
    await fetch(`${first.url}/v1/secret/data/app`, { method: 'POST', headers, body: JSON.stringify({ data: { password: 'x' } }) });
    await populate(first, clock);
    await first.close();

    globalThis.gc!();
    const heapBefore = process.memoryUsage().heapUsed;
    const server = await startServer({ storage, listener: { address: '127.0.0.1:0' }, logSink: silent, clock });
    try {
      const url = `${server.url}/v1/secret/data/app`;
      const start = performance.now();
      await server.core.seal.unseal(keys[0]!);
      const read = await fetch(url, { headers });
      const ready = performance.now() - start;
      globalThis.gc!();
      const heapAfter = process.memoryUsage().heapUsed;
      console.log(`unseal → first served read (kv ${read.status}) with ${stored.toLocaleString('en')} leases: ${ready.toFixed(1)} ms   (goal ≤ 1000 ms)`);
      console.log(`heap: ${mb(heapBefore)} before start, ${mb(heapAfter)} after unseal and the read: +${mb(heapAfter - heapBefore)}   (goal ≤ 64 MiB)`);

      // CPU of this process (every thread: the commit thread too) while serving the quiet load,
      // so the burst's own CPU can be told from the reads served meanwhile.
      const quietCpu0 = process.cpuUsage();
      const quietT0 = performance.now();
      const baseline = await runLoad({ url, headers, durationSeconds: 4, overallRate: 500, connections: 8 });
      const quietCpuPerSecond = cpuMicros(process.cpuUsage(quietCpu0)) / ((performance.now() - quietT0) / 1000);
      // The burst falls due at once: jump past its expiry and let the manager drain it while
      // another process reads a secret at 500 req/s.
      const during = runLoad({ url, headers, durationSeconds: 6, overallRate: 500, connections: 8 });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      clock.offset += HOUR + 1000;
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const threads0 = threadCpu();
      const written0 = writtenBytes();
      // How long the main thread keeps requests waiting while the burst runs: a read is
      // answered late by as much as the turn it arrived behind.
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      const handled = await server.core.unsealed.expiration.tick();
      delay.disable();
      const burstCpu = cpuMicros(process.cpuUsage(cpu0));
      const split = threadSplit(threads0, threadCpu());
      const written = writtenBytes() - written0;
      const seconds = (performance.now() - t0) / 1000;
      // The commit thread checkpoints once idle: what the burst left in the WAL is copied into
      // the database after it. Counted too, once the disk writes stop (polled every 100 ms).
      let tailWritten = writtenBytes();
      for (let still = 0, waited = 0; still < 3 && waited < 50; waited++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const now = writtenBytes();
        still = now === tailWritten ? still + 1 : 0;
        tailWritten = now;
      }
      const withTailCpu = cpuMicros(process.cpuUsage(cpu0));
      const withTailSeconds = (performance.now() - t0) / 1000;
      const loaded = await during;
      // The load runs for 5 s of the burst at most.
      const cpuEach = (burstCpu - quietCpuPerSecond * Math.min(seconds, 5)) / handled;
      console.log(`burst: ${handled.toLocaleString('en')} token leases revoked in ${seconds.toFixed(2)} s = ${Math.round(handled / seconds).toLocaleString('en')}/s   (goal ≥ 40,000/s)`);
      console.log(`burst CPU: ${(burstCpu / 1000).toFixed(0)} ms in all threads, ${(burstCpu / handled).toFixed(1)} µs per revocation; less the quiet load's ${(quietCpuPerSecond / 1000).toFixed(0)} ms/s: ${cpuEach.toFixed(1)} µs`);
      if (split.main + split.others > 0) {
        console.log(`burst CPU by thread: main ${(split.main / handled).toFixed(1)} µs, commit thread and V8 helpers ${(split.others / handled).toFixed(1)} µs (the busiest of them alone ${(split.busiest / handled).toFixed(1)} µs) per revocation (10 ms ticks)`);
      }
      if (written > 0) console.log(`burst disk writes (WAL and checkpoints): ${mb(written)}, ${(written / handled / 1024).toFixed(1)} KiB per revocation`);
      // The load overlaps 5 s from 1 s before the burst; less its CPU for the part that overlaps.
      const tailCpuEach = (withTailCpu - quietCpuPerSecond * Math.min(withTailSeconds, 5)) / handled;
      const tailBytes = tailWritten - written0;
      console.log(`with the checkpoint after the burst (${(withTailSeconds - seconds).toFixed(2)} s more): ${(withTailCpu / handled).toFixed(1)} µs per revocation, less the load ${tailCpuEach.toFixed(1)} µs; disk ${(tailBytes / handled / 1024).toFixed(1)} KiB per revocation`);
      const delayMs = (ns: number) => Math.round(ns / 1e5) / 10;
      const loopDelay = { p50: delayMs(delay.percentile(50)), p99: delayMs(delay.percentile(99)), max: delayMs(delay.max) };
      console.log(`event-loop delay during the burst: p50 ${loopDelay.p50} ms  p99 ${loopDelay.p99} ms  max ${loopDelay.max} ms`);
      console.log(`kv read at 500 req/s, quiet:        p50 ${baseline.p50} ms  p99 ${baseline.p99} ms`);
      console.log(`kv read at 500 req/s, during burst: p50 ${loaded.p50} ms  p99 ${loaded.p99} ms   (goal p99 ≤ 20 ms; 6 s window from 1 s before the burst)`);
      console.log(JSON.stringify({ stored, burst, ready_ms: Math.round(ready), heap_growth_bytes: heapAfter - heapBefore, revoked: handled, revoke_seconds: seconds, burst_cpu_us: burstCpu, burst_cpu_threads_us: split, burst_written_bytes: written, with_tail: { cpu_us: withTailCpu, seconds: withTailSeconds, written_bytes: tailBytes }, quiet_cpu_us_per_s: Math.round(quietCpuPerSecond), loop_delay_ms: loopDelay, baseline, during: loaded }));
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
