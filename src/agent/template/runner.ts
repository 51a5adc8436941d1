// The template runner: every template is parsed before login; after each token it renders
// them all. A render evaluates a template with data functions that answer from the cache; a
// secret not fetched yet answers nil and is recorded as missing, the runner fetches what is
// missing and evaluates again, and nothing is delivered while anything is missing. Then the
// pass's texts go to the runner's output: files and their commands (files.ts), or the
// environment of a supervised process (exec/env-templates.ts).
// Data is fetched again on a schedule: a secret with a lease at lease_renewal_threshold
// (±5 %) of it, one without (KV v2) every static_secret_render_interval × 0.85–0.95. A
// template with wait { min, max } has a new text held back until it has been quiet (quiet.ts).
import { readFileSync } from 'node:fs';
import { parseTemplate, typed, GoError, TemplateError, type FuncMap, type Template as Parsed } from '../gotemplate/index.js';
import { DEFAULT_TEMPLATE_CONFIG, type Template, type TemplateConfig, type VaultConfig } from '../config/types.js';
import { isRetryable, type Transport } from '../http.js';
import type { Logger } from '../log.js';
import type { Scheduler } from '../schedule.js';
import { Quiescence } from './quiet.js';
import { redactSecrets, SecretReader, type Fetched } from './secrets.js';

const DATA_FUNCS = ['secret', 'env', 'mustEnv', 'envOrDefault'];

export class TemplateConfigError extends Error {}

/** What every kind of template has, a file's `template` and an `env_template` alike. */
export type TemplateSource = Pick<Template, 'source' | 'contents' | 'errorOnMissingKey' | 'leftDelimiter' | 'rightDelimiter' | 'functionDenylist'>
  & Partial<Pick<Template, 'waitMinMs' | 'waitMaxMs'>>;

export type Compiled<S extends TemplateSource = Template> = { spec: S; name: string; parsed: Parsed };

/** Parses one template; `name` prefixes its errors (the source file, else what it renders to). */
export function compileTemplate<S extends TemplateSource>(spec: S, name: string): Compiled<S> {
  let text: string;
  try {
    text = spec.source ? readFileSync(spec.source, 'utf8') : spec.contents ?? '';
  } catch (err) {
    throw new TemplateConfigError(`${name}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `open ${name}: no such file or directory` : (err as Error).message}`);
  }
  // Denied functions stay known to the parser and fail when called, as consul-template has it.
  const funcNames = new Set([...DATA_FUNCS, ...spec.functionDenylist]);
  try {
    return { spec, name, parsed: parseTemplate(text, { leftDelim: spec.leftDelimiter, rightDelim: spec.rightDelimiter, funcNames }) };
  } catch (err) {
    if (err instanceof TemplateError) throw new TemplateConfigError(`${name}: parse: ${err.message}`);
    throw err;
  }
}

/** Parses every file template (exits the agent on an error, naming the source and line). */
export function compileTemplates(templates: Template[]): Compiled[] {
  return templates.map((spec) => compileTemplate(spec, spec.source ?? spec.destination));
}

/** One template's text from a render pass. */
export type Rendered<S extends TemplateSource> = { t: Compiled<S>; text: string };

/** Where rendered texts go. */
export interface RenderOutput<S extends TemplateSource> {
  /**
   * Takes one pass's texts in config order (a template that failed this pass is absent: its
   * last text stands); returns false when delivering any of them failed (it logs why).
   */
  deliver(rendered: Rendered<S>[], signal: AbortSignal): Promise<boolean>;
}

/**
 * How long after a fetch a secret is fetched again: a lease at lease_renewal_threshold ± 5 %
 * of it, no lease (KV v2) at static_secret_render_interval × 0.85–0.95. `r` is in [0, 1).
 */
export function refetchDelay(leaseDurationMs: number, cfg: TemplateConfig, r: number): number {
  return leaseDurationMs > 0
    ? leaseDurationMs * (cfg.leaseRenewalThreshold + (r - 0.5) * 0.1)
    : cfg.staticSecretRenderIntervalMs * (0.85 + r * 0.1);
}

export type RunnerOptions<S extends TemplateSource> = {
  templates: Compiled<S>[];
  output: RenderOutput<S>;
  config?: TemplateConfig;
  vault?: VaultConfig;
  transport: Transport;
  scheduler: Scheduler;
  log: Logger;
  env: NodeJS.ProcessEnv;
};

/** An error the runner could not get past (exit_on_retry_failure, or exit-after-auth). */
export class RenderFailure extends Error {}

export class TemplateRunner<S extends TemplateSource = Template> {
  readonly #o: RunnerOptions<S>;
  readonly #cfg: TemplateConfig;
  readonly #log: Logger;
  #token = '';
  readonly #cache = new Map<string, Fetched>();
  readonly #reader: SecretReader;
  /** When each cached secret is to be fetched again. */
  readonly #due = new Map<string, number>();
  /** The templates with wait { min, max }. */
  readonly #quiet = new Map<Compiled<S>, Quiescence>();

  constructor(o: RunnerOptions<S>) {
    this.#o = o;
    this.#cfg = o.config ?? DEFAULT_TEMPLATE_CONFIG;
    this.#log = o.log.named('template.server');
    this.#reader = new SecretReader(o.transport, () => this.#token);
    for (const t of o.templates) {
      if ((t.spec.waitMinMs ?? 0) > 0) this.#quiet.set(t, new Quiescence(t.spec.waitMinMs ?? 0, t.spec.waitMaxMs ?? 0));
    }
  }

  /** When the first held text is due, if any is held. */
  #heldUntil(): number | undefined {
    const due = [...this.#quiet.values()].map((q) => q.dueAt).filter((d): d is number => d !== undefined);
    return due.length > 0 ? Math.min(...due) : undefined;
  }

  /** A new auto-auth token: everything is fetched again under it. */
  setToken(token: string): void {
    this.#token = token;
    this.#cache.clear();
    this.#due.clear();
    this.#reader.reset();
  }

  #funcs(spec: S, missing: Map<string, { path: string; args?: Record<string, string> }>): FuncMap {
    const env = this.#o.env;
    const denied: FuncMap = Object.fromEntries(spec.functionDenylist.map((n) => [n, () => {
      throw new GoError('function is disabled');
    }]));
    return {
      secret: typed(['string'], ((path: string, ...rest: string[]) => {
        let args: Record<string, string> | undefined;
        if (rest.length > 0) {
          args = {};
          for (const kv of rest) {
            const i = kv.indexOf('=');
            if (i < 1) throw new GoError(`invalid key=value pair ${JSON.stringify(kv)}`);
            args[kv.slice(0, i)] = kv.slice(i + 1);
          }
        }
        const key = JSON.stringify([path, args ?? null]);
        const hit = this.#cache.get(key);
        if (hit) return hit.value;
        missing.set(key, { path, args });
        return undefined;
      }) as (...a: never[]) => unknown, 'string'),
      env: typed(['string'], ((name: string) => env[name] ?? '') as (...a: never[]) => unknown),
      mustEnv: typed(['string'], ((name: string) => {
        const v = env[name];
        if (v === undefined) throw new GoError(`environment variable ${name} is not set`);
        return v;
      }) as (...a: never[]) => unknown),
      envOrDefault: typed(['string', 'string'], ((name: string, def: string) => env[name] || def) as (...a: never[]) => unknown),
      ...denied,
    };
  }

  /** Fetches with vault.retry: 5xx and connection errors, 250 ms doubling up to 1 m. */
  async #fetch(path: string, args: Record<string, string> | undefined, signal: AbortSignal): Promise<Fetched> {
    const retries = this.#o.vault?.numRetries ?? 12;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#reader.fetch(path, args, this.#o.scheduler.now());
      } catch (err) {
        if (!isRetryable(err) || attempt >= retries || signal.aborted) throw err;
        const wait = Math.min(60_000, 250 * 2 ** attempt);
        this.#log.warn('retrying a fetch', { path, attempt: attempt + 1, wait_ms: wait, error: (err as Error).message });
        await this.#o.scheduler.sleep(wait, signal);
      }
    }
  }

  #schedule(key: string, f: Fetched): void {
    this.#due.set(key, f.fetchedAt + refetchDelay(f.leaseDurationMs, this.#cfg, this.#o.scheduler.random()));
  }

  /**
   * Renders every template, fetching what is missing, and delivers the texts (once a text held
   * by wait is due: exit-after-auth waits for it). Returns false when a template could not be
   * rendered or delivered (the error is logged; the old text stands).
   */
  async renderAll(signal: AbortSignal): Promise<boolean> {
    let ok = await this.#pass(signal);
    for (let held = this.#heldUntil(); held !== undefined && !signal.aborted; held = this.#heldUntil()) {
      await this.#o.scheduler.sleep(held - this.#o.scheduler.now(), signal);
      if (!(await this.#pass(signal))) ok = false;
    }
    return ok;
  }

  /** One pass: every template rendered from the cache (fetching what is missing), then delivered. */
  async #pass(signal: AbortSignal): Promise<boolean> {
    let ok = true;
    const rendered: Rendered<S>[] = [];
    for (const t of this.#o.templates) {
      let out: string | undefined;
      try {
        for (let round = 0; round < 20 && out === undefined; round++) {
          const missing = new Map<string, { path: string; args?: Record<string, string> }>();
          const text = t.parsed.execute(undefined, this.#funcs(t.spec, missing), { missingKey: t.spec.errorOnMissingKey ? 'error' : 'zero' });
          if (missing.size === 0) {
            out = text;
            break;
          }
          await Promise.all([...missing].map(async ([key, m]) => {
            const f = await this.#fetch(m.path, m.args, signal);
            this.#cache.set(key, f);
            this.#schedule(key, f);
          }));
        }
      } catch (err) {
        ok = false;
        const what = err instanceof TemplateError ? 'execute' : 'fetch';
        this.#log.error(`${t.name}: ${what}: ${redactSecrets((err as Error).message, this.#cache.values())}`);
        continue;
      }
      if (out === undefined) {
        ok = false;
        this.#log.error(`${t.name}: execute: dependencies still missing after 20 rounds`);
        continue;
      }
      const quiet = this.#quiet.get(t);
      const text = quiet ? quiet.offer(out, this.#o.scheduler.now()) : out;
      if (text !== undefined) rendered.push({ t, text });
    }
    if (!(await this.#o.output.deliver(rendered, signal))) ok = false;
    return ok;
  }

  /** Renders, then keeps fetching and rendering on schedule until `signal` aborts. */
  async run(signal: AbortSignal, onFatal: (err: RenderFailure) => void): Promise<void> {
    const backoff = { ms: 1000 };
    while (!signal.aborted) {
      const ok = await this.#pass(signal);
      if (!ok && this.#cfg.exitOnRetryFailure) {
        onFatal(new RenderFailure('template rendering failed and exit_on_retry_failure is set'));
        return;
      }
      const now = this.#o.scheduler.now();
      let wait: number;
      if (!ok) {
        wait = backoff.ms;
        backoff.ms = Math.min(backoff.ms * 2, 5 * 60_000);
      } else {
        backoff.ms = 1000;
        const next = Math.min(...this.#due.values(), now + this.#cfg.staticSecretRenderIntervalMs);
        wait = Math.max(0, next - now);
      }
      const held = this.#heldUntil();
      if (held !== undefined) wait = Math.max(0, Math.min(wait, held - now));
      await this.#o.scheduler.sleep(wait, signal);
      const at = this.#o.scheduler.now();
      for (const [key, due] of this.#due) {
        if (due <= at) {
          this.#cache.delete(key);
          this.#due.delete(key);
        }
      }
    }
  }
}
