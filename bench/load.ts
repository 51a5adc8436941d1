// Load generator, run as its own process so it never shares an event loop with the server it
// measures: `node dist/bench/load.js '<json options>'` prints one JSON result line.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (opts: Record<string, unknown>, cb: (err: unknown, result: AutocannonResult) => void) => void;

type AutocannonResult = {
  requests: { average: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  '2xx': number;
};

/** What one load run is asked to do. */
export type LoadOptions = {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  durationSeconds?: number;
  /** Total request rate across connections; absent = as fast as possible. */
  overallRate?: number;
  /** Append a counter to the URL path, so each request names a different key. */
  uniquePaths?: boolean;
};

/** What one load run measured. */
export type LoadResult = { rps: number; p50: number; p99: number; ok: number; failed: number };

const opts = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
let counter = 0;
const unique = opts.uniquePaths
  ? { requests: [{ setupRequest: (req: { path: string }) => ({ ...req, path: `${req.path}-${counter++}` }) }] }
  : {};
autocannon({
  url: opts.url, method: opts.method ?? 'GET', headers: opts.headers ?? {}, body: opts.body, ...unique,
  connections: opts.connections ?? 32, duration: opts.durationSeconds ?? 5, overallRate: opts.overallRate,
  pipelining: 1,
}, (err, result) => {
  if (err) {
    process.stderr.write(`load failed: ${String(err)}\n`);
    process.exit(1);
  }
  const out: LoadResult = {
    rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99,
    ok: result['2xx'], failed: result.non2xx + result.errors + result.timeouts,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
});
