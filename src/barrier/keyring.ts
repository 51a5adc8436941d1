// The barrier's data keys. Every term ever installed is kept, because entries written under
// an old term stay readable until rewritten; new writes always use the active (newest) term.
import { randomBytes } from 'node:crypto';
import { Internal } from '../util/errors.js';
import { MAX_TERM } from './aead.js';

/** One data key: its term, its 32 key bytes, and when it was installed (ms since the epoch). */
export type KeyTerm = { readonly term: number; readonly key: Buffer; readonly installTime: number };

type StoredTerm = { term: number; key: string; install_time: number };
type StoredKeyring = { version: 1; active_term: number; keys: StoredTerm[] };

const KEY_BYTES = 32;

/** The versioned set of barrier keys; long-lived state owned by the barrier. */
export class Keyring {
  readonly #terms = new Map<number, KeyTerm>();
  #activeTerm = 0;

  private constructor() {}

  /** A new keyring holding term 1, installed at `now`. */
  static create(now: number): Keyring {
    const ring = new Keyring();
    ring.#install({ term: 1, key: randomBytes(KEY_BYTES), installTime: now });
    return ring;
  }

  /** The term new writes are encrypted with. */
  get activeTerm(): number { return this.#activeTerm; }

  /** The active key. */
  get active(): KeyTerm { return this.#terms.get(this.#activeTerm) as KeyTerm; }

  /** The key of `term`, if this keyring has it. */
  term(term: number): KeyTerm | undefined { return this.#terms.get(term); }

  /** Installs a fresh key as the next term and makes it active. */
  rotate(now: number): KeyTerm {
    if (this.#activeTerm >= MAX_TERM) throw new Internal('keyring has run out of terms');
    const next: KeyTerm = { term: this.#activeTerm + 1, key: randomBytes(KEY_BYTES), installTime: now };
    this.#install(next);
    return next;
  }

  /** An independent copy, so a rotation can be prepared and persisted before it takes effect. */
  clone(): Keyring {
    const copy = new Keyring();
    for (const t of this.#terms.values()) copy.#install({ ...t, key: Buffer.from(t.key) });
    copy.#activeTerm = this.#activeTerm;
    return copy;
  }

  /** Overwrites every key in memory; the keyring is unusable afterwards. */
  wipe(): void {
    for (const t of this.#terms.values()) t.key.fill(0);
    this.#terms.clear();
    this.#activeTerm = 0;
  }

  /** JSON with base64 keys. The result holds the keys in clear: encrypt it, then `fill(0)` it. */
  serialize(): Buffer {
    const keys = [...this.#terms.values()].map((t) => ({
      term: t.term, key: t.key.toString('base64'), install_time: t.installTime,
    }));
    const stored: StoredKeyring = { version: 1, active_term: this.#activeTerm, keys };
    return Buffer.from(JSON.stringify(stored), 'utf8');
  }

  /** Reads what `serialize` wrote. Only ever given authenticated plaintext, so a bad shape is our bug. */
  static parse(buf: Buffer): Keyring {
    let stored: unknown;
    try { stored = JSON.parse(buf.toString('utf8')); } catch { throw corrupt(); }
    if (!isStoredKeyring(stored)) throw corrupt();
    const ring = new Keyring();
    for (const t of stored.keys) {
      const key = Buffer.from(t.key, 'base64');
      if (key.length !== KEY_BYTES || ring.#terms.has(t.term)) throw corrupt();
      ring.#terms.set(t.term, { term: t.term, key, installTime: t.install_time });
    }
    if (!ring.#terms.has(stored.active_term)) throw corrupt();
    ring.#activeTerm = stored.active_term;
    return ring;
  }

  #install(t: KeyTerm): void {
    this.#terms.set(t.term, t);
    this.#activeTerm = t.term;
  }
}

const corrupt = (): Internal => new Internal('barrier keyring is corrupt');

const isTerm = (n: unknown): n is number =>
  typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_TERM;

function isStoredKeyring(v: unknown): v is StoredKeyring {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  if (o['version'] !== 1 || !isTerm(o['active_term']) || !Array.isArray(o['keys'])) return false;
  return o['keys'].every((k: unknown) => {
    if (typeof k !== 'object' || k === null) return false;
    const t = k as Record<string, unknown>;
    return isTerm(t['term']) && typeof t['key'] === 'string'
      && typeof t['install_time'] === 'number' && Number.isFinite(t['install_time']);
  });
}
