// One lifetime watcher for everything the agent keeps alive: the auto-auth token (renew-self)
// and leased secrets templates use (sys/leases/renew, template/renew.ts). The schedule is Vault's LifetimeWatcher's:
//   - grace: a random 10–20 % of the lease (of the increment when one is asked for), drawn again
//     whenever a renewal extends the lease;
//   - sleep: two thirds of the remaining lease plus a third of the grace, so renewals come at
//     70–73 % of the TTL;
//   - done (log in again / fetch anew) once the remaining lease, or what would remain after the
//     next sleep, is no more than the grace: the max TTL is near, or failures ate the time;
//   - a failed renewal retries with exponential backoff, 10 s growing by 1.5 up to 5 m with
//     ±50 % jitter, until the lease would have run out.
// Unlike Vault's, the first renewal waits for the schedule instead of renewing at once: a
// fresh login already holds a full TTL.
import type { Scheduler } from '../schedule.js';

export type Renewal = { leaseDurationMs: number; renewable: boolean };

export type WatchOptions = {
  /** The lease as first issued. */
  leaseDurationMs: number;
  renewable: boolean;
  /** The increment asked for (0: the server's default); it bounds the grace like Vault's. */
  incrementMs?: number;
  renew: () => Promise<Renewal>;
  scheduler: Scheduler;
  signal?: AbortSignal;
  onRenewed?: (r: Renewal) => void;
  onRenewError?: (err: unknown, retryInMs: number) => void;
  /**
   * End at the first failed renewal ('failed') instead of retrying: leased secrets are fetched
   * anew then, as Vault's RenewBehaviorErrorOnErrors has it (a token is renewed with retries).
   */
  stopOnError?: boolean;
};

/** Why watching ended: time to get a new credential, or told to stop. */
export type WatchEnd = 'expiring' | 'failed' | 'stopped';

export const RETRY_INITIAL_MS = 10_000;
export const RETRY_MAX_MS = 5 * 60_000;

/** Vault's grace: 10 % of the lease plus a random amount up to another 10 %. */
export function graceFor(leaseMs: number, incrementMs: number, random: () => number): number {
  const actual = incrementMs > 0 && incrementMs < leaseMs ? incrementMs : leaseMs;
  if (actual <= 0) return 0;
  const jitterMax = 0.1 * actual;
  return jitterMax + Math.floor(random() * jitterMax);
}

export const sleepFor = (leaseMs: number, graceMs: number): number => (leaseMs * 2) / 3 + graceMs / 3;

export async function watchLifetime(o: WatchOptions): Promise<WatchEnd> {
  const { scheduler: s } = o;
  const increment = o.incrementMs ?? 0;
  let lastLeaseMs = o.leaseDurationMs;
  let grace = graceFor(lastLeaseMs, increment, () => s.random());
  let expiresAt = s.now() + o.leaseDurationMs;
  let renewable = o.renewable;
  let retryIntervalMs = 0;
  let first = true;
  for (;;) {
    if (o.signal?.aborted) return 'stopped';
    if (!first && renewable) {
      try {
        const r = await o.renew();
        retryIntervalMs = 0;
        // A lease shorter than the last one is capped by its max TTL, and TTLs come in whole
        // seconds (rounded, by some servers, up): count that second as gone, so the last
        // renewal before the cap is not mistaken for one that leaves time to spare.
        expiresAt = s.now() + r.leaseDurationMs - (r.leaseDurationMs < lastLeaseMs ? 1000 : 0);
        renewable = r.renewable;
        // A lease that grew gets a new grace; one shrinking towards its max TTL keeps it.
        if (r.leaseDurationMs > lastLeaseMs) grace = graceFor(r.leaseDurationMs, increment, () => s.random());
        lastLeaseMs = r.leaseDurationMs;
        o.onRenewed?.(r);
      } catch (err) {
        if (o.signal?.aborted) return 'stopped';
        if (o.stopOnError) {
          o.onRenewError?.(err, 0);
          return 'failed';
        }
        const remaining = expiresAt - s.now();
        retryIntervalMs = retryIntervalMs === 0 ? RETRY_INITIAL_MS : Math.min(RETRY_MAX_MS, retryIntervalMs * 1.5);
        const wait = Math.min(RETRY_MAX_MS, retryIntervalMs * (0.5 + s.random()));
        if (remaining <= grace || remaining - wait <= grace) return 'failed';
        o.onRenewError?.(err, wait);
        await s.sleep(wait, o.signal);
        continue;
      }
    }
    first = false;
    const remaining = expiresAt - s.now();
    const sleep = sleepFor(remaining, grace);
    if (remaining <= grace || remaining - sleep <= grace) return 'expiring';
    await s.sleep(sleep, o.signal);
  }
}
