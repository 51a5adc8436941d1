// Active/standby for a core whose physical storage elects (storage/ha.ts). Every node unseals
// itself; an unsealed node then campaigns for the lock. The holder is the active node: only it
// loads the mount table, token store and policies and runs the expiration manager and the
// other unseal hooks, so scheduled work runs in exactly one place. The others are standbys:
// the HTTP layer forwards (or redirects) their requests to the active node's api_addr.
//
// Losing the lock (expiry, takeover, store session lost) turns the node back into a standby at
// once: its live state is torn down exactly as on seal, and rebuilt from storage — never from
// what it held before — the next time it wins.
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { LockboxError } from '../util/errors.js';
import type { HaLock, LockHolder, Member } from '../storage/ha.js';
import type { Logger } from './log.js';
import { VAULT_API_VERSION } from './version.js';

/** A request that only the active node can answer reached a standby. */
export class StandbyError extends LockboxError {
  override readonly status = 503;
  constructor() { super('Vault is in standby mode'); }
}

/** This node's identity in the cluster, as it advertises it while active. */
export type NodeAddress = { nodeId: string; apiAddr: string; clusterAddr: string };

/** What sys/leader reports. */
export type LeaderStatus = { isSelf: boolean; activeTime?: number; leaderAddress: string; leaderClusterAddress: string };

/** What core does when the node's role changes. */
export type RoleHooks = {
  /** Load everything an active node serves, from storage. */
  becomeActive(): Promise<void>;
  /** Drop it all again (lock lost, step-down, seal). */
  becomeStandby(): Promise<void>;
  /** standby_reads: a standby loads state to serve reads from (enter), and drops it (leave). */
  reads?: { enter(): Promise<void>; leave(): Promise<void> };
};

/** The node's HA role: off (sealed or not yet started), standby, or active. */
export class HaRole {
  readonly #lock: HaLock;
  readonly #hooks: RoleHooks;
  readonly #log: Logger;
  #address: NodeAddress | undefined;
  #unsealed = false;
  #campaign: AbortController | undefined;
  #active: LockHolder | undefined;
  /** Set once becomeActive has loaded mounts, policies and tokens (see `serving`). */
  #loaded = false;
  /** Serialises role changes: a takeover never overlaps a tear-down. */
  #changing: Promise<void> = Promise.resolve();
  /** After a step-down, this node waits this long before campaigning again. */
  #holdOffUntil = 0;
  #activeWaiters: Array<() => void> = [];
  #announcer: NodeJS.Timeout | undefined;

  constructor(lock: HaLock, hooks: RoleHooks, log: Logger) {
    this.#lock = lock;
    this.#hooks = hooks;
    this.#log = log;
  }

  /** Whether this node is the active one. */
  get active(): boolean { return this.#active !== undefined && this.#lock.held; }

  /**
   * Active and done loading its state. Until then the node reports itself as a standby to
   * sys/leader and sys/health, as Vault does while its post-unseal setup runs, so a client
   * polling for the new active node never reaches one that still answers 503.
   */
  get serving(): boolean { return this.active && this.#loaded; }

  /** Unsealed but not active: requests go to the active node. */
  get standby(): boolean { return this.#unsealed && !this.active; }

  /** The lock's TTL, for callers that wait on a failover. */
  get ttlMs(): number { return this.#lock.ttlMs; }

  /** Starts taking part once the node knows its advertised address (after the listener binds). */
  start(address: NodeAddress): void {
    this.#address = address;
    if (this.#unsealed) this.#join();
  }

  /** The seal opened: campaign for the lock. */
  unsealed(): void {
    this.#unsealed = true;
    if (this.#address) this.#join();
  }

  /** The seal is closing: stop campaigning, give up the lock, tear down. */
  async sealing(): Promise<void> {
    this.#unsealed = false;
    clearInterval(this.#announcer);
    this.#announcer = undefined;
    this.#campaign?.abort(new Error('sealing'));
    this.#campaign = undefined;
    await this.#change(() => this.#resign());
  }

  /** sys/step-down: hands the lock to a standby; this node waits before competing again. */
  async stepDown(): Promise<void> {
    this.#holdOffUntil = performance.now() + this.#lock.ttlMs;
    await this.#change(() => this.#resign());
    if (this.#unsealed) this.#runCampaign();
  }

  /** Resolves once this node is active (dev mode waits for it before mounting secret/). */
  whenActive(): Promise<void> {
    if (this.active) return Promise.resolve();
    return new Promise((resolve) => this.#activeWaiters.push(resolve));
  }

  /** The active node as the store says, and whether it is this one. */
  async leader(): Promise<LeaderStatus> {
    if (this.serving && this.#active) {
      return { isSelf: true, activeTime: this.#active.acquiredAt, leaderAddress: this.#active.apiAddr, leaderClusterAddress: this.#active.clusterAddr };
    }
    const holder = await this.#lock.holder().catch(() => undefined);
    return { isSelf: false, leaderAddress: holder?.apiAddr ?? '', leaderClusterAddress: holder?.clusterAddr ?? '' };
  }

  /** The nodes heard from lately, for sys/ha-status; the holder is marked active. */
  async members(): Promise<Array<Member & { active: boolean }>> {
    const [members, holder] = await Promise.all([this.#lock.members(), this.#lock.holder()]);
    return members.map((m) => ({ ...m, active: m.nodeId === holder?.nodeId }));
  }

  /** Announces this node every interval (sys/ha-status) and campaigns for the lock. */
  #join(): void {
    const address = this.#address;
    if (!address) return;
    const announce = () => void this.#lock.announce({ ...address, hostname: hostname(), version: VAULT_API_VERSION })
      .catch((error: unknown) => this.#log.debug('ha: announcing this node failed', { error }));
    if (!this.#announcer) {
      announce();
      this.#announcer = setInterval(announce, this.#lock.intervalMs);
    }
    this.#runCampaign();
    void this.#change(() => this.#serveReads());
  }

  /** A read-serving standby loads its state once it campaigns (its writes are fenced by then). */
  async #serveReads(): Promise<void> {
    if (!this.#hooks.reads || !this.#unsealed || this.#active) return;
    this.#lock.fence.campaign();
    await this.#hooks.reads.enter();
  }

  #runCampaign(): void {
    if (this.#campaign || !this.#address) return;
    const campaign = new AbortController();
    this.#campaign = campaign;
    void this.#campaignLoop(campaign.signal).finally(() => {
      if (this.#campaign === campaign) this.#campaign = undefined;
    });
  }

  async #campaignLoop(signal: AbortSignal): Promise<void> {
    const wait = this.#holdOffUntil - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (signal.aborted || !this.#address) return;
    const me: LockHolder = { ...this.#address, acquiredAt: Date.now() };
    try {
      await this.#lock.acquire(me, signal, () => this.#lost());
    } catch {
      return; // aborted: the seal is closing
    }
    me.acquiredAt = Date.now();
    await this.#change(async () => {
      this.#active = me;
      try {
        // Nothing loaded while standby is trusted: the active state is built afresh.
        await this.#hooks.reads?.leave();
        await this.#hooks.becomeActive();
        this.#loaded = true;
        this.#log.info('ha: this node is active', { node_id: me.nodeId });
      } catch (error) {
        // Half an active node is worse than none: give the lock to someone who can.
        this.#log.error('ha: becoming active failed; stepping down', { error });
        await this.#resign();
        this.#holdOffUntil = performance.now() + this.#lock.ttlMs;
        return;
      }
      for (const resolve of this.#activeWaiters.splice(0)) resolve();
    });
    // The hold may already have ended while the node was loading.
    if (!this.active && this.#unsealed) { this.#campaign = undefined; this.#runCampaign(); }
  }

  /** The lock went away under us: back to standby, then compete again. */
  #lost(): void {
    this.#log.warn('ha: lost the lock; this node is now a standby');
    void this.#change(() => this.#resign()).then(() => {
      this.#campaign = undefined;
      if (this.#unsealed) this.#runCampaign();
    });
  }

  async #resign(): Promise<void> {
    const wasActive = this.#active !== undefined;
    this.#active = undefined;
    this.#loaded = false;
    await this.#lock.release();
    if (wasActive) await this.#hooks.becomeStandby();
    if (this.#unsealed && this.#address) await this.#serveReads();
    else await this.#hooks.reads?.leave();
  }

  #change(step: () => Promise<void>): Promise<void> {
    const next = this.#changing.then(step, step);
    this.#changing = next.catch(() => undefined);
    return next;
  }
}
