// High availability at the storage layer: one lock in the shared store says which node is
// active, and every write the node makes is fenced by the generation of its hold on that lock.
// Backends (postgres.ts, etcd.ts) supply three primitives — take, renew, release — plus a
// conditional write; this module supplies what is the same everywhere: the campaign loop,
// the heartbeat, the local deadline, and the fence state their writes consult.
//
// Why a local deadline as well as the store's check: a node paused past the TTL (SIGSTOP, a
// long GC) may wake with writes already on the wire. The store refuses them (the generation no
// longer matches), and the node itself refuses new ones the moment its last successful renewal
// is older than the TTL, without waiting to hear from the store.
import { performance } from 'node:perf_hooks';
import { LockboxError } from '../util/errors.js';
import type { PhysicalStorage } from './storage.js';

/** What the lock's holder advertises: read by standbys for forwarding and sys/leader. */
export type LockHolder = {
  nodeId: string;
  apiAddr: string;
  clusterAddr: string;
  /** When this node took the lock, ms since the epoch. */
  acquiredAt: number;
};

/** One node as it announces itself to the cluster (sys/ha-status). */
export type MemberInfo = { nodeId: string; hostname: string; apiAddr: string; clusterAddr: string; version: string };

/** A member and when it last announced itself (ms since the epoch, the store's view). */
export type Member = MemberInfo & { lastEcho: number };

/** A write refused because this node does not (or no longer) hold the HA lock. */
export class LockLost extends LockboxError {
  override readonly status = 503;
  constructor() { super('storage write refused: this node does not hold the HA lock'); }
}

/** The primitives a backend implements over its own store. */
export interface LockPrimitives {
  /** Takes the lock if it is free or expired; the hold's generation, or undefined if taken. */
  take(me: LockHolder, ttlMs: number): Promise<number | undefined>;
  /** Extends the hold `generation` by `ttlMs`; false if it is no longer held. */
  renew(generation: number, ttlMs: number): Promise<boolean>;
  /** Gives up the hold at once, so a standby need not wait for the TTL. */
  release(generation: number): Promise<void>;
  /** The current, unexpired holder, if any. */
  holder(): Promise<LockHolder | undefined>;
  /** Records that `member` is alive, for `ttlMs`; outside the fence, since standbys do it too. */
  announce(member: MemberInfo, ttlMs: number): Promise<void>;
  /** The members heard from within their TTL. */
  members(): Promise<Member[]>;
}

/** What a backend's writes check: whether, and under which generation, they may go out. */
export class Fence {
  #generation: number | undefined;
  #campaigning = false;
  #deadline = 0;

  /**
   * The generation every write must be conditioned on, or undefined for an unconditional write
   * (a node that has not joined the election yet: sys/init on the first node). Throws LockLost
   * on a standby, on a node that lost the lock, and on one whose hold is older than the TTL.
   */
  check(): number | undefined {
    if (!this.#campaigning) return undefined;
    if (this.#generation === undefined || performance.now() > this.#deadline) throw new LockLost();
    return this.#generation;
  }

  /** From now on, writes need the lock. */
  campaign(): void { this.#campaigning = true; }

  /** Whether writes may go out now. */
  get holding(): boolean { return this.#generation !== undefined && performance.now() <= this.#deadline; }

  held(generation: number, deadline: number): void {
    this.#campaigning = true;
    this.#generation = generation;
    this.#deadline = deadline;
  }

  extend(deadline: number): void { this.#deadline = deadline; }

  drop(): void { this.#generation = undefined; }
}

/** A physical backend that can also elect the single active node. */
export interface HaStorage extends PhysicalStorage {
  readonly ha: HaLock;
}

/** One node's candidacy for the active lock. */
export class HaLock {
  readonly ttlMs: number;
  readonly fence = new Fence();
  readonly #primitives: LockPrimitives;
  #generation: number | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #onLost: (() => void) | undefined;

  constructor(primitives: LockPrimitives, ttlMs: number) {
    this.#primitives = primitives;
    this.ttlMs = ttlMs;
  }

  /** How often a standby retries and the holder renews: three times per TTL. */
  get intervalMs(): number { return Math.max(200, Math.floor(this.ttlMs / 3)); }

  /** Whether this node holds the lock right now. */
  get held(): boolean { return this.fence.holding; }

  /**
   * Waits until this node holds the lock, retrying every interval until `signal` aborts
   * (then it rejects with the abort reason). `onLost` runs once when the hold ends for any
   * reason other than release(): expiry, takeover, a store session lost, a failed renewal.
   */
  async acquire(me: LockHolder, signal: AbortSignal, onLost: () => void): Promise<void> {
    this.fence.campaign();
    for (;;) {
      signal.throwIfAborted();
      const started = performance.now();
      const generation = await this.#primitives.take(me, this.ttlMs).catch(() => undefined);
      if (generation !== undefined) {
        if (signal.aborted) { await this.#primitives.release(generation).catch(() => undefined); signal.throwIfAborted(); }
        this.#generation = generation;
        // Measured from before the request: the store's TTL started no earlier than that.
        this.fence.held(generation, started + this.ttlMs);
        this.#onLost = onLost;
        this.#heartbeat = setInterval(() => void this.#renew(), this.intervalMs);
        return;
      }
      await sleep(this.intervalMs, signal);
    }
  }

  /** Releases the lock (step-down, shutdown); writes are refused from now on. */
  async release(): Promise<void> {
    const generation = this.#stop();
    if (generation !== undefined) await this.#primitives.release(generation).catch(() => undefined);
  }

  /** The current holder, as the store says. */
  holder(): Promise<LockHolder | undefined> { return this.#primitives.holder(); }

  /** Says this node is alive; a member unheard of for three intervals drops out of `members`. */
  announce(member: MemberInfo): Promise<void> { return this.#primitives.announce(member, this.intervalMs * 3); }

  /** The nodes heard from lately, this one included. */
  members(): Promise<Member[]> { return this.#primitives.members(); }

  async #renew(): Promise<void> {
    const generation = this.#generation;
    if (generation === undefined) return;
    const started = performance.now();
    if (!this.fence.holding) return this.#lose();
    let ok = false;
    try {
      ok = await this.#primitives.renew(generation, this.ttlMs);
    } catch {
      ok = false;
    }
    if (this.#generation !== generation) return;
    // A renewal that failed, or came back after the deadline passed, ends the hold at once.
    if (ok && this.fence.holding) this.fence.extend(started + this.ttlMs);
    else this.#lose();
  }

  #lose(): void {
    if (this.#stop() === undefined) return;
    const onLost = this.#onLost;
    this.#onLost = undefined;
    onLost?.();
  }

  #stop(): number | undefined {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    const generation = this.#generation;
    this.#generation = undefined;
    this.fence.drop();
    return generation;
  }
}

/** Resolves after `ms`, or rejects at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { signal.removeEventListener('abort', abort); resolve(); }, ms);
    const abort = () => { clearTimeout(timer); reject(signal.reason); };
    signal.addEventListener('abort', abort, { once: true });
  });
}

/** Vault's `lock_timeout` shape: a duration; 15 s by default, and no shorter than 2 s. */
export const DEFAULT_LOCK_TTL_MS = 15_000;
export const MIN_LOCK_TTL_MS = 2_000;

/** Whether `storage` elects an active node. */
export function isHaStorage(storage: PhysicalStorage): storage is HaStorage {
  return (storage as { ha?: unknown }).ha instanceof HaLock;
}
