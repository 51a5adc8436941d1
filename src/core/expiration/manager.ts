// The expiration manager: revokes leases and tokens when they fall due. One timer, armed for
// the earliest expiry in the time-ordered index (queue.ts); nothing but that one time is held
// in memory, so a million leases neither delay unseal nor fill the heap. Due items are revoked
// many at a time, so their storage writes share group commits, but started a few per
// event-loop turn, so requests keep being served during a burst; a revocation that fails is
// retried with backoff and stays recorded until it succeeds or is forced. Due tokens go in
// bulk (bulkTokens, core/tokens/expiry.ts): those with nothing attached go in one transaction
// per BULK_TOKENS, gathered over listing pages; a transaction's deletes are handed to storage
// before the next one is gathered, so transactions overlap only in waiting for their commits.
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../log.js';
import type { Storage } from '../../storage/storage.js';
import { earliest, queueKey, unschedule, type ExpiryItem } from './queue.js';
import { leaseRecords, type LeaseEntry } from './leases.js';
import { KeyedLock } from '../../util/keyed-lock.js';

/** How the manager reaches the things it expires. */
export type ExpiryActions = {
  /** Revokes a lease's secret through its engine; throws when that fails. */
  revokeLease(lease: LeaseEntry): Promise<void>;
  /** Revokes a token (and its children and leases); a missing token is fine. */
  revokeToken(tokenId: string): Promise<void>;
};

/** Items fetched from the index per page. */
const PAGE = 512;
/**
 * Due tokens revoked in bulk per transaction. Their keys are HMACs, so each token's entry and
 * accessor rows sit on their own pages of the key index: one transaction of 512 dirtied about
 * a thousand pages and wrote each to the WAL for two rows; 8,192 at once write each page for
 * more rows (measured on a copy of the bench's database: 9.3 KiB of WAL per token at 512, 7.2
 * at 8,192). Larger transactions hold the tokens' locks (tokens already refused by lookup) and
 * the commit thread longer.
 */
const BULK_TOKENS = 8192;
/**
 * Bulk transactions awaiting their commits: while they are on the commit thread, the next one
 * is gathered and checked, and commits arriving together share one fsync.
 */
const BULK_PAGES_IN_FLIGHT = 4;
/** After a failed tick (a failed commit, say), the next attempt comes this much later. */
const RETRY_TICK_MS = 1000;
/**
 * Revocations started per event-loop turn, and at most in flight. Each one's writes wait for a
 * commit; with hundreds waiting, one fsync serves them all. Starting only a few per turn, and
 * capping how many one commit's answer resumes at once, keeps the CPU a turn spends on
 * revocations to a few milliseconds, so a read is never stuck behind a whole burst (2,048 in
 * flight and 24 a turn let KV read p99 reach 259 ms during a 20,000-token burst; these, 26 ms).
 */
const PER_TURN = 8;
const MAX_IN_FLIGHT = 256;
/** Retry delays grow from 1 s and stop growing at 5 minutes. */
export const retryDelayMs = (attempts: number) => Math.min(1000 * 2 ** Math.max(0, attempts - 1), 5 * 60_000);
/** setTimeout's longest delay. */
const MAX_TIMER = 2 ** 31 - 1;

/**
 * Revokes a page of due tokens at once; calls `submitted` once its transaction is handed to
 * storage (the rest is waiting for the commit), and answers the items it left for the
 * one-by-one path.
 */
export type BulkTokenExpiry = (items: readonly ExpiryItem[], submitted: () => void) => Promise<{ full: ExpiryItem[] }>;

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Schedules and carries out expiry for one unsealed server. */
export class ExpirationManager {
  readonly #storage: Storage;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #actions: ExpiryActions;
  #timer: NodeJS.Timeout | undefined;
  #nextAt = Infinity;
  #ticking: Promise<number> | undefined;
  #again = false;
  #stopped = false;

  constructor(storage: Storage, deps: { clock: Clock; log: Logger; actions: ExpiryActions }) {
    this.#storage = storage;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#actions = deps.actions;
  }

  /**
   * Revokes a page of due tokens at once, handing back those that need the one-by-one path
   * (children, leases, cubbyhole). Set with the token leases (leasing.ts); absent, every token
   * goes through `actions.revokeToken`.
   */
  bulkTokens: BulkTokenExpiry | undefined;

  /** The storage the manager's records live in (sys/expire/). */
  get storage(): Storage {
    return this.#storage;
  }

  /** Starts in the background: leases that fell due while the server was down go promptly. */
  start(): void {
    this.#stopped = false;
    setImmediate(() => void this.tick().catch((err: unknown) => this.#log.error('expiration failed', { error: err })));
  }

  /** Stops the timer (before seal or shutdown); in-flight revocations finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextAt = Infinity;
    await this.#ticking;
  }

  /** Tells the manager something new is due at `at`, so the timer fires early enough. */
  noteExpiry(at: number): void {
    if (at < this.#nextAt) this.#arm(at);
  }

  /** Revokes everything due now; returns how many items were handled. Safe to call anytime. */
  tick(): Promise<number> {
    if (this.#ticking) {
      this.#again = true;
      return this.#ticking;
    }
    this.#ticking = this.#drain().finally(() => { this.#ticking = undefined; });
    return this.#ticking;
  }

  async #drain(): Promise<number> {
    let handled = 0;
    try {
      do {
        this.#again = false;
        // Passes over the due part of the index; a pass that found nothing due ends it. Within
        // a pass the index is read with a cursor: items being revoked are still in it.
        for (;;) {
          const found = await this.#pass();
          handled += found;
          if (found === 0) break;
        }
      } while (this.#again);
    } catch (err) {
      // What failed is still due: come back to it, or nothing would until the next expiry.
      this.#nextAt = Infinity;
      this.#arm(this.#clock.now() + RETRY_TICK_MS);
      throw err;
    }
    const [next] = await earliest(this.#storage, 1);
    this.#nextAt = Infinity;
    if (next) this.#arm(next.at);
    return handled;
  }

  /** Revokes every item due now, in index order; answers how many there were. */
  async #pass(): Promise<number> {
    const inFlight = new Set<Promise<void>>();
    const pages = new Set<Promise<void>>();
    let handled = 0;
    let cursor: string | undefined;
    // The first failure (say this node lost the HA lock, or a commit failed) ends the pass, as
    // it ended the tick before: what is in flight finishes, nothing new starts, and the tick
    // reports it. What was not revoked is still in the index for the retry.
    let failure: { err: unknown } | undefined;
    const track = (set: Set<Promise<void>>, work: Promise<void>) => {
      const done: Promise<void> = work.catch((err: unknown) => { failure ??= { err }; }).finally(() => set.delete(done));
      set.add(done);
    };
    const oneByOne = async (items: readonly ExpiryItem[]) => {
      for (let i = 0; i < items.length && !failure; i += PER_TURN) {
        for (const item of items.slice(i, i + PER_TURN)) track(inFlight, this.#expire(item));
        handled += Math.min(PER_TURN, items.length - i);
        // Let requests in between: a burst of expiries must not stall the server.
        await nextTurn();
        while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      }
    };
    // Due tokens gather over listing pages until a transaction's worth: the commit's cost is
    // in the index pages it dirties, and a larger transaction dirties each of them once for
    // more tokens (see BULK_TOKENS).
    let gathered: ExpiryItem[] = [];
    const revokeGathered = async (bulk: BulkTokenExpiry) => {
      const tokens = gathered;
      gathered = [];
      while (pages.size >= BULK_PAGES_IN_FLIGHT) await Promise.race(pages);
      if (failure) return;
      let submitted!: () => void;
      const handedOver = new Promise<void>((resolve) => { submitted = resolve; });
      const page = bulk(tokens, submitted).then(async ({ full }) => {
        handled += tokens.length - full.length;
        await oneByOne(full);
      });
      track(pages, page);
      // Only commits overlap: the next transaction is gathered once this one's writes are
      // handed over, so the event loop never runs two transactions' work in one turn.
      await Promise.race([handedOver, page.catch(() => undefined)]);
    };
    const bulk = this.bulkTokens;
    while (!failure) {
      const now = this.#clock.now();
      const page = await earliest(this.#storage, PAGE, cursor);
      const due = page.filter((i) => i.at <= now);
      const tokens = bulk ? due.filter((i) => i.kind === 'token') : [];
      if (bulk) for (const item of tokens) gathered.push(item);
      if (bulk && gathered.length >= BULK_TOKENS) await revokeGathered(bulk);
      // Let requests in between listing pages.
      else if (tokens.length > 0) await nextTurn();
      await oneByOne(tokens.length > 0 ? due.filter((i) => i.kind !== 'token') : due);
      if (due.length < page.length || page.length < PAGE) break;
      // Items still being revoked are in the index: the next page starts after this one.
      cursor = page[page.length - 1]?.key;
    }
    if (bulk && gathered.length > 0 && !failure) await revokeGathered(bulk);
    await Promise.all(pages);
    await Promise.all(inFlight);
    if (failure) throw failure.err;
    return handled;
  }

  #arm(at: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#nextAt = at;
    const delay = Math.min(MAX_TIMER, Math.max(0, at - this.#clock.now()));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.tick().catch((err: unknown) => this.#log.error('expiration failed', { error: err }));
    }, delay);
    this.#timer.unref();
  }

  async #expire(item: ExpiryItem): Promise<void> {
    if (item.kind === 'token') {
      await this.#actions.revokeToken(item.id);
      // The token's own removal unschedules it; this clears an item whose token was gone. A
      // read first: a write would cost every revoked token a second commit.
      if ((await this.#storage.get(queueKey(item))) !== undefined) await unschedule(this.#storage, item);
      return;
    }
    const lease = await leaseRecords.get(this.#storage, item.id);
    if (!lease || lease.expire_time !== item.at) {
      await unschedule(this.#storage, item);
      return;
    }
    await this.revokeOrRetry(lease, item.at);
  }

  /**
   * Per-lease sections: renewal, revocation and retry bookkeeping of one lease each read the
   * record fresh under it, so a renewal cannot bring back a lease revoked meanwhile, and two
   * renewals cannot leave two queue entries behind.
   */
  readonly leaseLock = new KeyedLock();

  /** Revokes a lease; on failure records the attempt and schedules a retry. Returns success. */
  revokeOrRetry(stale: LeaseEntry, dueAt?: number): Promise<boolean> {
    return this.leaseLock.run(stale.lease_id, async () => {
      const lease = await leaseRecords.get(this.#storage, stale.lease_id);
      if (!lease) return true; // revoked meanwhile
      // Expiry of a lease renewed since its queue entry was read: the new entry decides.
      if (dueAt !== undefined && lease.expire_time !== dueAt) return true;
      try {
        await this.#actions.revokeLease(lease);
        await leaseRecords.remove(this.#storage, lease);
        return true;
      } catch (err) {
        const attempts = lease.revoke_attempts + 1;
        const retryAt = this.#clock.now() + retryDelayMs(attempts);
        this.#log.warn('lease revocation failed; will retry', { lease_path: lease.path, attempts, error: err });
        await leaseRecords.reschedule(this.#storage, lease, { ...lease, revoke_attempts: attempts, expire_time: retryAt });
        this.noteExpiry(retryAt);
        return false;
      }
    });
  }
}
