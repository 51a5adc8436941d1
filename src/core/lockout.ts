// User lockout (Vault 1.13+): after `threshold` failed logins for one alias (username, role_id)
// on one auth mount, each within `counter_reset` of the previous, that alias is locked for
// `duration`. Failure counts are kept in memory (as Vault keeps them per node); a lock is
// also written to the barrier so it outlives a restart and sys/locked-users can list it.
import type { Storage } from '../storage/storage.js';
import { BadRequest } from '../util/errors.js';
import type { Clock } from '../util/clock.js';
import { parseDurationSeconds } from '../util/duration.js';

/** Lockout settings of one mount, durations in seconds. */
export type LockoutSettings = { threshold: number; duration: number; counterReset: number; disabled: boolean };

/** Vault's defaults: 5 failures, locked 15 minutes, count forgotten after 15 quiet minutes. */
export const LOCKOUT_DEFAULTS: LockoutSettings = { threshold: 5, duration: 900, counterReset: 900, disabled: false };

/** What a mount's tune stores; absent fields fall back to the server's settings. */
export type LockoutTune = Partial<LockoutSettings>;

/** Parses `user_lockout_config` as sent to sys/auth/<path>/tune (strings or numbers; "system" resets). */
export function parseLockoutTune(raw: Record<string, unknown>, current: LockoutTune): LockoutTune {
  const next: LockoutTune = { ...current };
  const known = new Set(['lockout_threshold', 'lockout_duration', 'lockout_counter_reset', 'lockout_disable']);
  if (Object.keys(raw).some((k) => !known.has(k))) throw new BadRequest('unable to convert given user lockout config information');
  const duration = (key: string, value: unknown): number | undefined => {
    if (value === 'system') return undefined;
    const n = parseDurationSeconds(value);
    if (n === undefined) throw new BadRequest(`unable to parse ${key}`);
    return n;
  };
  if (raw.lockout_threshold !== undefined && raw.lockout_threshold !== '') {
    const n = Number(raw.lockout_threshold);
    if (!Number.isInteger(n) || n < 0) throw new BadRequest('unable to parse user lockout threshold');
    next.threshold = n;
  }
  if (raw.lockout_duration !== undefined && raw.lockout_duration !== '') {
    const n = duration('user lockout duration', raw.lockout_duration);
    if (n === undefined) delete next.duration; else next.duration = n;
  }
  if (raw.lockout_counter_reset !== undefined && raw.lockout_counter_reset !== '') {
    const n = duration('user lockout counter reset', raw.lockout_counter_reset);
    if (n === undefined) delete next.counterReset; else next.counterReset = n;
  }
  if (raw.lockout_disable !== undefined) {
    const v = raw.lockout_disable;
    if (typeof v !== 'boolean' && v !== 'true' && v !== 'false') throw new BadRequest('unable to convert given user lockout config information');
    next.disabled = v === true || v === 'true';
  }
  return next;
}

/** A mount's effective settings: its tune over the server's over Vault's defaults. */
export const effectiveLockout = (tune: LockoutTune | undefined, server: LockoutTune = {}): LockoutSettings =>
  ({ ...LOCKOUT_DEFAULTS, ...server, ...(tune ?? {}) });

type Failures = { count: number; last: number };

const keyOf = (accessor: string, alias: string) => `${accessor}/${encodeURIComponent(alias)}`;

/** The failure counts and locks of one unsealed server. */
export class Lockout {
  readonly #failures = new Map<string, Failures>();
  readonly #locked: Storage;
  readonly #clock: Clock;

  /** `locked` is a barrier view holding one entry per locked alias. */
  constructor(locked: Storage, clock: Clock) {
    this.#locked = locked;
    this.#clock = clock;
  }

  /** Whether the alias is locked now. */
  async isLocked(accessor: string, alias: string, s: LockoutSettings): Promise<boolean> {
    const now = this.#clock.now();
    const f = this.#failures.get(keyOf(accessor, alias));
    if (f && f.count >= s.threshold && now - f.last < s.duration * 1000) return true;
    // After a restart only the stored lock is left.
    const raw = await this.#locked.get(keyOf(accessor, alias));
    return raw !== undefined && now - Number(raw.toString('utf8')) < s.duration * 1000;
  }

  /** Counts a failed login (bad password or secret-id); locks the alias at the threshold. */
  async failed(accessor: string, alias: string, s: LockoutSettings): Promise<void> {
    const now = this.#clock.now();
    const key = keyOf(accessor, alias);
    const before = this.#failures.get(key);
    const count = before && now - before.last <= s.counterReset * 1000 ? before.count + 1 : 1;
    this.#failures.set(key, { count, last: now });
    if (count >= s.threshold) await this.#locked.put(key, Buffer.from(String(now)));
  }

  /** A successful login forgets the alias's failures (Vault resets the counter). */
  async succeeded(accessor: string, alias: string): Promise<void> {
    const key = keyOf(accessor, alias);
    if (this.#failures.delete(key)) await this.#locked.delete(key);
  }

  /** Unlocks an alias (sys/locked-users/:accessor/unlock/:alias). */
  async unlock(accessor: string, alias: string): Promise<void> {
    const key = keyOf(accessor, alias);
    this.#failures.delete(key);
    await this.#locked.delete(key);
  }

  /** Locked aliases by mount accessor; `settingsOf` gives each mount's settings (undefined: mount gone). */
  async list(settingsOf: (accessor: string) => LockoutSettings | undefined, only?: string): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const accessorDir of await this.#locked.list('')) {
      const accessor = accessorDir.replace(/\/$/, '');
      if (only && accessor !== only) continue;
      const s = settingsOf(accessor);
      if (!s) continue;
      for (const name of await this.#locked.list(accessorDir)) {
        const alias = decodeURIComponent(name);
        if (await this.isLocked(accessor, alias, s)) out.set(accessor, [...(out.get(accessor) ?? []), alias]);
      }
    }
    return out;
  }
}
