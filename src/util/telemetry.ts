// Metrics under Vault's names (vault.core.handle_request, vault.barrier.get, …), kept in one
// prom-client registry per process (a server is one process). Timers are in milliseconds, as
// Vault's. sys/metrics renders them as Prometheus text (`vault_core_handle_request`) or in
// Vault's JSON shape (Gauges / Counters / Samples with Count, Sum, Min, Max, Mean, Stddev).
// Unlike Vault's 10-second in-memory intervals, the JSON form is cumulative since start (Rate
// is per second since start).
import { hostname } from 'node:os';
import { Counter, Gauge, Registry, type Metric } from 'prom-client';

type Labels = Record<string, string>;
type Stats = { labels: Labels; count: number; sum: number; min: number; max: number; sumSquares: number };
/** One label set of a timer: Vault's JSON statistics and the Prometheus buckets together. */
type Series = Stats & { buckets: number[] };

const promName = (dotted: string) => dotted.replace(/[.-]/g, '_');
// Cheap on the hot path: most timers have no labels, the others few and always the same names.
function labelKey(labels: Labels): string {
  let key = '';
  let first = true;
  for (const name in labels) {
    key = first ? (labels[name] as string) : `${key}\u0000${labels[name] as string}`;
    first = false;
  }
  return key;
}

/** Adds one value to the statistics kept per label set (Vault's JSON form). */
function record(stats: Map<string, Stats>, labels: Labels, v: number): void {
  const key = labelKey(labels);
  const s = stats.get(key) ?? { labels, count: 0, sum: 0, min: Infinity, max: -Infinity, sumSquares: 0 };
  s.count += 1;
  s.sum += v;
  s.sumSquares += v * v;
  s.min = Math.min(s.min, v);
  s.max = Math.max(s.max, v);
  stats.set(key, s);
}

/** Millisecond buckets from 0.1 ms to 10 s: barrier reads sit at the bottom, slow requests at the top. */
const BUCKETS_MS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

const NO_LABELS: Labels = Object.freeze({}) as Labels;

/** A value as prom-client hands it to its registry for one exposition line. */
type PromValue = { labels: Record<string, string | number>; sharedLabels: Labels; value: number; metricName: string };

/**
 * A timing under a dotted name, with Vault's JSON statistics beside it. A histogram rather
 * than Vault's summary: a summary's quantile sketch cost ~5 µs per observation here, on
 * every barrier call; a histogram costs a bucket increment, and Prometheus computes
 * quantiles from it (histogram_quantile).
 *
 * Several timers run on every request, so an observation is kept to a few additions on one
 * record per label set (found by a string key): prom-client's own Histogram validated and
 * hashed the labels on every call. The registry reads this object at scrape time as it reads
 * a prom-client metric (`get()`), and it answers the same values a prom-client Histogram
 * with these buckets would, so the exposition text is unchanged.
 */
export class Timer {
  readonly name: string;
  readonly #prom: string;
  readonly #help: string;
  readonly #series = new Map<string, Series>();

  constructor(registry: Registry, name: string, help: string, labelNames: string[] = []) {
    this.name = name;
    this.#prom = promName(name);
    this.#help = help;
    registry.registerMetric(this.#metric() as unknown as Metric);
    // As prom-client does: a timer without labels shows its (zero) series before any observation.
    if (labelNames.length === 0) this.#seriesOf({});
  }

  #seriesOf(labels: Labels): Series {
    const key = labelKey(labels);
    let s = this.#series.get(key);
    if (!s) {
      s = { labels: { ...labels }, count: 0, sum: 0, min: Infinity, max: -Infinity, sumSquares: 0, buckets: new Array<number>(BUCKETS_MS.length).fill(0) };
      this.#series.set(key, s);
    }
    return s;
  }

  observe(ms: number, labels: Labels = NO_LABELS): void {
    const s = this.#seriesOf(labels);
    s.count += 1;
    s.sum += ms;
    s.sumSquares += ms * ms;
    if (ms < s.min) s.min = ms;
    if (ms > s.max) s.max = ms;
    // Per-bucket counts; the exposition accumulates them. Past the last bound only +Inf (count) holds it.
    for (let i = 0; i < BUCKETS_MS.length; i++) {
      if (ms <= (BUCKETS_MS[i] as number)) {
        (s.buckets[i] as number)++;
        break;
      }
    }
  }

  /** Times `work` (resolved or not). */
  time<T>(work: () => Promise<T>, labels?: Labels): Promise<T> {
    const started = this.start();
    return work().then(
      (value) => { this.stop(started, labels); return value; },
      (err: unknown) => { this.stop(started, labels); throw err; },
    );
  }

  /**
   * The start of an inline timing, ended by `stop` (in a `finally`): for the hot paths, which
   * would otherwise wrap their work in a closure and a promise of its own for `time`.
   */
  start(): number {
    return performance.now();
  }

  stop(started: number, labels?: Labels): void {
    this.observe(performance.now() - started, labels);
  }

  samples(): Stats[] {
    return [...this.#series.values()].filter((s) => s.count > 0).map(({ labels, count, sum, min, max, sumSquares }) => ({ labels, count, sum, min, max, sumSquares }));
  }

  /** What prom-client's registry reads: the values of a Histogram, in its order. */
  #metric() {
    const name = this.#prom;
    const values = (): PromValue[] => {
      const out: PromValue[] = [];
      for (const s of this.#series.values()) {
        let acc = 0;
        BUCKETS_MS.forEach((le, i) => {
          acc += s.buckets[i] as number;
          out.push({ labels: { le }, sharedLabels: s.labels, value: acc, metricName: `${name}_bucket` });
        });
        out.push({ labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: `${name}_bucket` });
        out.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${name}_sum` });
        out.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${name}_count` });
      }
      return out;
    };
    const data = () => ({ name, help: this.#help, type: 'histogram', values: values(), aggregator: 'sum' });
    return {
      name, help: this.#help, type: 'histogram', aggregator: 'sum',
      getForPromString: async () => data(),
      // The JSON shape prom-client gives: shared labels folded into each value's labels.
      get: async () => {
        const d = data();
        return { ...d, values: d.values.map(({ labels, sharedLabels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } })) };
      },
      reset: () => {
        for (const s of this.#series.values()) Object.assign(s, { count: 0, sum: 0, min: Infinity, max: -Infinity, sumSquares: 0, buckets: s.buckets.map(() => 0) });
      },
    };
  }
}

/** A counter under a dotted name. */
export class CounterMetric {
  readonly name: string;
  readonly #counter: Counter;
  readonly #stats = new Map<string, Stats>();

  constructor(registry: Registry, name: string, help: string, labelNames: string[] = []) {
    this.name = name;
    this.#counter = new Counter({ name: promName(name), help, labelNames, registers: [registry] });
  }

  inc(labels: Labels = {}, by = 1): void {
    this.#counter.inc(labels, by);
    record(this.#stats, labels, by);
  }

  samples(): Stats[] { return [...this.#stats.values()]; }
}

/** How sys/metrics may be read, from the config's telemetry blocks. */
export type TelemetryOptions = {
  /** Vault's prometheus_retention_time in seconds; 0 turns the Prometheus format off. */
  prometheusRetentionSeconds: number;
  /** Without it, gauges carry the host name after `vault.`, as Vault's do. */
  disableHostname: boolean;
  /** The listener's telemetry { unauthenticated_metrics_access }. */
  unauthenticatedMetricsAccess: boolean;
};

export const DEFAULT_TELEMETRY: TelemetryOptions = { prometheusRetentionSeconds: 24 * 3600, disableHostname: false, unauthenticatedMetricsAccess: false };

/** The process's metrics. */
export class Telemetry {
  readonly registry = new Registry();
  readonly handleRequest = new Timer(this.registry, 'vault.core.handle_request', 'Time to handle a request, in ms.');
  readonly route = new Timer(this.registry, 'vault.route', 'Time to handle a request, in ms, by mount and operation.', ['mount', 'operation']);
  readonly tokenCreation = new CounterMetric(this.registry, 'vault.token.creation', 'Tokens created.', ['token_type']);
  readonly barrier = {
    get: new Timer(this.registry, 'vault.barrier.get', 'Time to read and decrypt one barrier entry, in ms.'),
    put: new Timer(this.registry, 'vault.barrier.put', 'Time to encrypt and write one barrier entry, in ms.'),
    delete: new Timer(this.registry, 'vault.barrier.delete', 'Time to delete one barrier entry, in ms.'),
    list: new Timer(this.registry, 'vault.barrier.list', 'Time to list barrier entries, in ms.'),
  };
  readonly audit = {
    logRequest: new Timer(this.registry, 'vault.audit.log_request', 'Time to write a request to the audit devices, in ms.'),
    logResponse: new Timer(this.registry, 'vault.audit.log_response', 'Time to write a response to the audit devices, in ms.'),
  };
  options: TelemetryOptions = DEFAULT_TELEMETRY;
  #gauges = new Map<string, () => number>();
  #gauge = new Map<string, Gauge>();

  /** A gauge read at scrape time (`vault.runtime.alloc_bytes`, `vault.core.unsealed`). */
  gauge(name: string, help: string, read: () => number): void {
    this.#gauges.set(name, read);
  }

  #gaugeName(name: string): string {
    return this.options.disableHostname ? name : name.replace(/^vault\./, `vault.${hostname()}.`);
  }

  #collectGauges(): Array<{ Name: string; Value: number; Labels: Labels }> {
    const out: Array<{ Name: string; Value: number; Labels: Labels }> = [];
    for (const [name, read] of this.#gauges) {
      const shown = this.#gaugeName(name);
      const value = read();
      let g = this.#gauge.get(shown);
      if (!g) {
        g = new Gauge({ name: promName(shown), help: `${name}`, registers: [this.registry] });
        this.#gauge.set(shown, g);
      }
      g.set(value);
      out.push({ Name: shown, Value: value, Labels: {} });
    }
    return out;
  }

  /** Prometheus text exposition. */
  async prometheus(): Promise<string> {
    this.#collectGauges();
    return this.registry.metrics();
  }

  get contentType(): string { return this.registry.contentType; }

  /** Vault's JSON form of sys/metrics. */
  json(now = new Date()): Record<string, unknown> {
    const stat = (name: string) => (s: Stats) => {
      const mean = s.sum / s.count;
      const variance = s.count > 1 ? Math.max(0, (s.sumSquares - s.count * mean * mean) / (s.count - 1)) : 0;
      return { Name: name, Count: s.count, Rate: s.sum / Math.max(1, process.uptime()), Sum: s.sum, Min: s.min, Max: s.max, Mean: mean, Stddev: Math.sqrt(variance), Labels: s.labels };
    };
    const timers = [this.handleRequest, this.route, ...Object.values(this.barrier), ...Object.values(this.audit)];
    const counters = [this.tokenCreation];
    return {
      Timestamp: now.toISOString().replace(/\.\d+Z$/, 'Z'),
      Gauges: this.#collectGauges(),
      Points: [],
      Counters: counters.flatMap((c) => c.samples().map(stat(c.name))),
      Samples: timers.flatMap((t) => t.samples().map(stat(t.name))),
    };
  }
}

/** One per process. */
export const telemetry = new Telemetry();
telemetry.gauge('vault.runtime.alloc_bytes', 'Heap bytes in use.', () => process.memoryUsage().heapUsed);
telemetry.gauge('vault.runtime.sys_bytes', 'Resident set size in bytes.', () => process.memoryUsage().rss);
