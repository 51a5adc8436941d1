// The template runner: every template is parsed before login; after each token it renders
// them all. A render evaluates a template with data functions that answer from the cache; a
// secret not fetched yet answers nil and is recorded as missing, the runner fetches what is
// missing and evaluates again, and nothing is written while anything is missing. Then the
// changed files are written (write.ts) and their commands run, in config order, once each.
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
import { runCommand } from './command.js';
import { DATA_FUNCS, dataFuncs, depKey, type Dep } from './funcs.js';
import { Loaders, FILE_POLL_MS, type Entry } from './loaders.js';
import { SecretReader, type Fetched } from './secrets.js';
import { removeStaleTemps, writeIfChanged } from './write.js';

export class TemplateConfigError extends Error {}

type Compiled = { spec: Template; name: string; parsed: Parsed };

/** Parses every template (exits the agent on an error, naming the source and line). */
export function compileTemplates(templates: Template[]): Compiled[] {
  return templates.map((spec) => {
    const name = spec.source ?? spec.destination;
    if (spec.waitMinMs > 0) throw new TemplateConfigError(`${name}: template "wait" is not supported by lockbox agent yet`);
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
  });
}

export type RunnerOptions = {
  templates: Compiled[];
  config?: TemplateConfig;
  vault?: VaultConfig;
  transport: Transport;
  scheduler: Scheduler;
  log: Logger;
  env: NodeJS.ProcessEnv;
};

/** An error the runner could not get past (exit_on_retry_failure, or exit-after-auth). */
export class RenderFailure extends Error {}

export class TemplateRunner {
  readonly #o: RunnerOptions;
  readonly #cfg: TemplateConfig;
  readonly #log: Logger;
  #token = '';
  readonly #cache = new Map<string, Entry>();
  readonly #reader: SecretReader;
  readonly #loaders: Loaders;
  /** Bumped by each new token: a fetch begun under an older one is not cached. */
  #generation = 0;
  /** Inside run(): renewable leases are watched (not in exit-after-auth's single render). */
  #live = false;
  /** Something was dropped out of schedule (a watcher ended): render without sleeping. */
  #poked = false;
  #wake: AbortController | undefined;

  constructor(o: RunnerOptions) {
    this.#o = o;
    this.#cfg = o.config ?? DEFAULT_TEMPLATE_CONFIG;
    this.#log = o.log.named('template.server');
    this.#reader = new SecretReader(o.transport, () => this.#token);
    this.#loaders = new Loaders(this.#reader, this.#cfg, o.scheduler);
  }

  async removeStaleTemps(): Promise<void> {
    for (const t of this.#o.templates) await removeStaleTemps(t.spec.destination);
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

  /**
   * Renders every template once, fetching what is missing. Returns false when a template could
   * not be rendered (the error is logged; the old file stays).
   */
  async renderAll(signal: AbortSignal): Promise<boolean> {
    let ok = true;
    const changed: Compiled[] = [];
    for (const t of this.#o.templates) {
      let out: string | undefined;
      try {
        for (let round = 0; round < 20 && out === undefined; round++) {
          const missing = new Map<string, Dep>();
          const funcs = dataFuncs({
            env: this.#o.env, destination: t.spec.destination, sandboxPath: t.spec.sandboxPath, denylist: t.spec.functionDenylist,
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
        this.#log.error(`${t.name}: ${what}: ${(err as Error).message}`);
        continue;
      }
      if (out === undefined) {
        ok = false;
        this.#log.error(`${t.name}: execute: dependencies still missing after 20 rounds`);
        continue;
      }
      try {
        if (await writeIfChanged(t.spec.destination, out, { perms: t.spec.perms, backup: t.spec.backup, createDestDirs: t.spec.createDestDirs })) {
          this.#log.info('rendered template', { destination: t.spec.destination });
          changed.push(t);
        }
      } catch (err) {
        ok = false;
        this.#log.error(`${t.name}: write: ${(err as Error).message}`, { destination: t.spec.destination });
      }
    }
    for (const t of changed) {
      for (const c of t.spec.commands) {
        const r = await runCommand(c, t.spec.commandTimeoutMs);
        if (!r.ok) {
          this.#log.error('template command failed', { destination: t.spec.destination, error: r.detail });
          ok = false;
        }
      }
    }
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
        ok = await this.renderAll(signal);
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
      if (!this.#poked) {
        const wake = new AbortController();
        this.#wake = wake;
        const onAbort = () => wake.abort();
        signal.addEventListener('abort', onAbort, { once: true });
        await this.#o.scheduler.sleep(wait, wake.signal);
        signal.removeEventListener('abort', onAbort);
        this.#wake = undefined;
      }
      // Nothing dropped and nothing failing: the files already hold what a render would write.
      render = (await this.#expire()) || this.#poked || !ok;
    }
  }
}
