// autocannon in a forked copy of the calling bench file, so the load generator never shares
// the server's event loop: the parent calls `measureInChild`, the child (started with
// `--load <json>`) calls `childLoad` with the autocannon options it builds from that JSON.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import type { LoadResult } from './load.js';

/** Parent side: forks `entry` with the load description and waits for its summary. */
export function measureInChild(entry: string, load: unknown): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(entry, ['--load', JSON.stringify(load)]);
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('exit', (code) => { if (code !== 0) reject(new Error(`load generator exited with ${code}`)); });
  });
}

/** The load description when this process is a forked generator, else undefined. */
export function loadArgument<L>(): L | undefined {
  const at = process.argv.indexOf('--load');
  return at === -1 ? undefined : (JSON.parse(process.argv[at + 1] as string) as L);
}

/** Child side: one autocannon run, its summary sent back over IPC. */
export function childLoad(options: Record<string, unknown>): void {
  const require = createRequire(import.meta.url);
  const autocannon = require('autocannon') as (o: Record<string, unknown>, cb: (err: unknown, r: any) => void) => void;
  autocannon(options, (err, r) => {
    if (err) throw err;
    const result: LoadResult = { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], failed: r.non2xx + r.errors + r.timeouts };
    process.send?.(result, () => process.exit(0));
  });
}

/** The mean of one figure over several rounds. */
export const mean = (rs: LoadResult[], k: keyof LoadResult) => rs.reduce((s, r) => s + r[k], 0) / rs.length;

/** One printed line: the mean of several rounds. */
export function meanRow(name: string, width: number, rs: LoadResult[]): string {
  return `${name.padEnd(width)} ${mean(rs, 'rps').toFixed(0).padStart(8)} req/s   p50 ${mean(rs, 'p50').toFixed(2).padStart(6)} ms   `
    + `p99 ${mean(rs, 'p99').toFixed(2).padStart(6)} ms   failed ${mean(rs, 'failed')}`;
}
