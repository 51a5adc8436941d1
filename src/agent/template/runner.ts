// The template runner: every template is parsed before login; after each token it renders
// them all. A render evaluates a template with data functions that answer from the cache; a
// secret not fetched yet answers nil and is recorded as missing, the runner fetches what is
// missing and evaluates again, and nothing is delivered while anything is missing. Then the
// pass's texts go to the runner's output: files and their commands (files.ts), or the
// environment of a supervised process (exec/env-templates.ts). A template with
// wait { min, max } has a new text held back until it has been quiet (quiet.ts).
// Data is fetched again on a schedule (loaders.ts, lease.ts); a renewable lease is instead
// renewed by the lifetime watcher, and fetched anew (and rendered) when the watcher ends: its
// max TTL is near, or a renewal failed.
import { readFileSync } from 'node:fs';
import { parseTemplate, TemplateError, type Template as Parsed } from '../gotemplate/index.js';
import { DEFAULT_TEMPLATE_CONFIG, type Template, type TemplateConfig, type VaultConfig } from '../config/types.js';
import { isRetryable, type Transport } from '../http.js';
import type { Logger } from '../log.js';
import type { Scheduler } from '../schedule.js';
import { watchLifetime } from '../lifetime/watcher.js';
import { DATA_FUNCS, dataFuncs, depKey, type Dep } from './funcs.js';
import { Loaders, FILE_POLL_MS, type Entry } from './loaders.js';
import { Quiescence } from './quiet.js';
import { redactSecrets, SecretReader, type Fetched } from './secrets.js';

export class TemplateConfigError extends Error {}

/** What every kind of template has, a file's `template` and an `env_template` alike. */
export type TemplateSource = Pick<Template, 'source' | 'contents' | 'errorOnMissingKey' | 'leftDelimiter' | 'rightDelimiter' | 'functionDenylist'>
  & Partial<Pick<Template, 'waitMinMs' | 'waitMaxMs' | 'destination' | 'sandboxPath'>>;

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
  readonly #cache = new Map<string, Entry>();
  readonly #reader: SecretReader;
  readonly #loaders: Loaders;
  /** The templates with wait { min, max }. */
  readonly #quiet = new Map<Compiled<S>, Quiescence>();
  /** Bumped by each new token: a fetch begun under an older one is not cached. */
  #generation = 0;
  /** Inside run(): renewable leases are watched (not in exit-after-auth's single render). */
  #live = false;
  /** Something was dropped out of schedule (a watcher ended): render without sleeping. */
  #poked = false;
  #wake: AbortController | undefined;

  constructor(o: RunnerOptions<S>) {
    this.#o = o;
    this.#cfg = o.config ?? DEFAULT_TEMPLATE_CONFIG;
    this.#log = o.log.named('template.server');
    this.#reader = new SecretReader(o.transport, () => this.#token);
    this.#loaders = new Loaders(this.#reader, this.#cfg, o.scheduler);
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
    this.#generation++;
    this.#cache.clear();
    this.#reader.reset();
  }

  /** Fetches with vault.retry: 5xx and connection errors, 250 ms doubling up to 1 m. */
  async #fetch(d: Dep, signal: AbortSignal): Promise<Entry> {
    const retries = this.#o.vault?.numRetries ?? 12;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#loaders.load(d, this.#live);
      } catch (err) {
        if (!isRetryable(err) || attempt >= retries || signal.aborted) throw err;
        const wait = Math.min(60_000, 250 * 2 ** attempt);
        this.#log.warn('retrying a fetch', { path: d.path, attempt: attempt + 1, wait_ms: wait, error: (err as Error).message });
        await this.#o.scheduler.sleep(wait, signal);
      }
    }
  }

  #poke(): void {
    this.#poked = true;
    this.#wake?.abort();
  }

  /**
   * Renews a leased secret on the lifetime watcher's schedule (increment 0) while it is cached;
   * when the watcher ends, the secret is dropped so the next render fetches a new one.
   */
  #watch(key: string, entry: Entry, f: Fetched, path: string, signal: AbortSignal): void {
    void watchLifetime({
      leaseDurationMs: f.auth ? f.auth.leaseDurationMs : f.leaseDurationMs, renewable: true, scheduler: this.#o.scheduler, signal,
      stopOnError: true,
      renew: () => this.#reader.renew(f),
      onRenewed: (r) => this.#log.debug('renewed lease', { path, lease_duration: `${r.leaseDurationMs / 1000}s` }),
      onRenewError: (err) => this.#log.warn('failed to renew lease', { path, error: (err as Error).message }),
    }).then((end) => {
      if (this.#cache.get(key) === entry) this.#cache.delete(key);
      if (end === 'stopped') return;
      this.#log.info('lease renewal done, fetching a new secret', { path, reason: end });
      this.#poke();
    });
  }

  async #resolve(missing: Map<string, Dep>, signal: AbortSignal): Promise<void> {
    const generation = this.#generation;
    await Promise.all([...missing].map(async ([key, d]) => {
      const entry = await this.#fetch(d, signal);
      if (generation !== this.#generation || signal.aborted) return;
      this.#cache.set(key, entry);
      if (entry.secret && entry.due === undefined) this.#watch(key, entry, entry.secret, d.path, signal);
    }));
  }

  /** The secrets fetched so far, whose values a logged error must not quote. */
  #fetched(): Fetched[] {
    return [...this.#cache.values()].flatMap((e) => (e.secret ? [e.secret] : []));
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
          const missing = new Map<string, Dep>();
          const funcs = dataFuncs({
            env: this.#o.env, destination: t.spec.destination ?? '', sandboxPath: t.spec.sandboxPath, denylist: t.spec.functionDenylist,
            recall: (d) => {
              const key = depKey(d);
              const hit = this.#cache.get(key);
              if (hit) return { value: hit.value };
              missing.set(key, d);
              return undefined;
            },
          });
          const text = t.parsed.execute(undefined, funcs, { missingKey: t.spec.errorOnMissingKey ? 'error' : 'zero' });
          if (missing.size === 0) {
            out = text;
            break;
          }
          await this.#resolve(missing, signal);
        }
      } catch (err) {
        ok = false;
        const what = err instanceof TemplateError ? 'execute' : 'fetch';
        this.#log.error(`${t.name}: ${what}: ${redactSecrets((err as Error).message, this.#fetched())}`);
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

  /**
   * Drops what has fallen due (a file that has not changed is looked at again later); returns
   * whether anything was dropped, i.e. whether a render could come out differently.
   */
  async #expire(): Promise<boolean> {
    const at = this.#o.scheduler.now();
    let dropped = false;
    for (const [key, e] of [...this.#cache]) {
      if (e.due === undefined || e.due > at) continue;
      if (e.recheck && !(await e.recheck())) {
        e.due = at + FILE_POLL_MS;
        continue;
      }
      if (this.#cache.get(key) === e) this.#cache.delete(key);
      dropped = true;
    }
    return dropped;
  }

  /** Renders, then keeps fetching and rendering on schedule until `signal` aborts. */
  async run(signal: AbortSignal, onFatal: (err: RenderFailure) => void): Promise<void> {
    this.#live = true;
    const backoff = { ms: 1000 };
    let render = true;
    let ok = true;
    while (!signal.aborted) {
      if (render) {
        this.#poked = false;
        ok = await this.#pass(signal);
      }
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
        const dues = [...this.#cache.values()].flatMap((e) => (e.due === undefined ? [] : [e.due]));
        wait = Math.max(0, Math.min(...dues, now + this.#cfg.staticSecretRenderIntervalMs) - now);
      }
      const held = this.#heldUntil();
      if (held !== undefined) wait = Math.max(0, Math.min(wait, held - now));
      if (!this.#poked) {
        const wake = new AbortController();
        this.#wake = wake;
        const onAbort = () => wake.abort();
        signal.addEventListener('abort', onAbort, { once: true });
        await this.#o.scheduler.sleep(wait, wake.signal);
        signal.removeEventListener('abort', onAbort);
        this.#wake = undefined;
      }
      // Nothing dropped, nothing failing and nothing held: the output already has what a render would give.
      render = (await this.#expire()) || this.#poked || !ok || this.#heldUntil() !== undefined;
    }
  }
}
