// Fetching one dependency of a template, and when to look at it again: a secret by its lease
// (lease.ts), a list every static_secret_render_interval (consul-template polls them at that
// interval, without jitter), a PKI certificate when it nears its end (pki.ts, with the
// destination as its cache), a file when its size, mtime or inode change (checked every 2 s,
// consul-template's FileQuerySleepTime).
import { readFile, stat } from 'node:fs/promises';
import { goStrings } from '../gotemplate/index.js';
import type { TemplateConfig } from '../config/types.js';
import type { Scheduler } from '../schedule.js';
import type { Dep } from './funcs.js';
import { refetchDelay } from './lease.js';
import { parsePems, pemsOfAnswer, pemValue, renewAt } from './pki.js';
import type { Fetched, SecretReader } from './secrets.js';

export const FILE_POLL_MS = 2000;

type FileStamp = { size: number; mtimeMs: number; ino: number };

/**
 * A cached dependency. `due`: when to drop it and fetch again, unless `recheck` (files) says
 * it has not changed. `secret`: the fetched secret, renewed by the runner's watcher when its
 * lease is renewable (it then has no `due`).
 */
export type Entry = { value: unknown; due?: number; recheck?: () => Promise<boolean>; secret?: Fetched };

/** Go's *PathError text for what node:fs threw. */
function pathError(op: string, path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const text = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
  return new Error(`file(${path}): ${op} ${path}: ${text}`);
}

async function stampOf(path: string): Promise<FileStamp> {
  try {
    const s = await stat(path);
    return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  } catch (err) {
    throw pathError('stat', path, err);
  }
}

export class Loaders {
  readonly #reader: SecretReader;
  readonly #cfg: TemplateConfig;
  readonly #s: Scheduler;

  constructor(reader: SecretReader, cfg: TemplateConfig, s: Scheduler) {
    this.#reader = reader;
    this.#cfg = cfg;
    this.#s = s;
  }

  /** Fetches `d` once (no retries: the caller applies vault.retry). */
  async load(d: Dep, live: boolean): Promise<Entry> {
    const now = this.#s.now();
    switch (d.kind) {
      case 'secret': {
        const f = await this.#reader.fetch(d.path, d.args, now);
        const watched = live && (f.auth ? f.auth.renewable && f.auth.leaseDurationMs > 0 : f.renewable && f.leaseDurationMs > 0 && f.leaseId !== '');
        return watched
          ? { value: f.value, secret: f }
          : { value: f.value, secret: f, due: f.fetchedAt + refetchDelay(f, this.#cfg, this.#s.random(), now) };
      }
      case 'list':
        return { value: goStrings(await this.#reader.list(d.path)), due: now + this.#cfg.staticSecretRenderIntervalMs };
      case 'pki':
        return this.#pki(d, now);
      case 'file': {
        const before = await stampOf(d.path);
        let text: string;
        try {
          text = await readFile(d.path, 'utf8');
        } catch (err) {
          throw pathError('open', d.path, err);
        }
        const recheck = async () => {
          const s = await stampOf(d.path).catch(() => undefined);
          return !s || s.size !== before.size || s.mtimeMs !== before.mtimeMs || s.ino !== before.ino;
        };
        return { value: text, due: now + FILE_POLL_MS, recheck };
      }
    }
  }

  /** The certificate in the destination while it is good, else a new one from the server. */
  async #pki(d: Extract<Dep, { kind: 'pki' }>, now: number): Promise<Entry> {
    const threshold = this.#cfg.leaseRenewalThreshold;
    let cached = '';
    try {
      cached = await readFile(d.dest, 'utf8');
    } catch { /* no file yet: fetch */ }
    if (cached !== '') {
      const pems = parsePems(cached);
      const at = renewAt(pems.leaf, threshold, this.#s.random(), now);
      if (at !== undefined) return { value: pemValue(pems), due: at };
    }
    const pems = parsePems(pemsOfAnswer(await this.#reader.write(d.path, d.args)));
    const at = renewAt(pems.leaf, threshold, this.#s.random(), now);
    if (at === undefined) throw new Error(`vault.pki(${d.path}->${d.dest}): needs renewal`);
    return { value: pemValue(pems), due: at };
  }
}
