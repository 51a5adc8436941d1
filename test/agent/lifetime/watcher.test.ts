import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graceFor, sleepFor, watchLifetime, type Renewal } from '../../../src/agent/lifetime/watcher.js';
import { Backoff, ManualScheduler } from '../../../src/agent/schedule.js';

const START = Date.UTC(2026, 0, 1);

test('grace is 10–20 % of the lease, bounded by the increment', () => {
  assert.equal(graceFor(100_000, 0, () => 0), 10_000);
  assert.equal(graceFor(100_000, 0, () => 0.999999), 19_999);
  assert.equal(graceFor(100_000, 50_000, () => 0), 5000);
  assert.equal(graceFor(0, 0, () => 0.5), 0);
});

for (const [random, low, high] of [[0, 0.70, 0.7001], [0.999999, 0.733, 0.7334], [0.5, 0.716, 0.717]] as const) {
  test(`the first renewal comes at 70–73 % of the TTL (random ${random})`, async () => {
    const s = new ManualScheduler(START, () => random);
    const renewals: number[] = [];
    const ac = new AbortController();
    const done = watchLifetime({
      leaseDurationMs: 60_000, renewable: true, scheduler: s, signal: ac.signal,
      renew: async () => {
        renewals.push(s.now() - START);
        return { leaseDurationMs: 60_000, renewable: true };
      },
    });
    await s.advance(40_000);
    assert.deepEqual(renewals, []);
    await s.advance(5_000);
    assert.equal(renewals.length, 1);
    const at = (renewals[0] ?? -1) / 60_000;
    assert.ok(at >= low && at < high, `renewed at ${at}`);
    ac.abort();
    assert.equal(await done, 'stopped');
  });
}

test('renewals continue while the TTL is extended, and end before the max TTL (re-auth)', async () => {
  const s = new ManualScheduler(START, () => 0.5);
  const maxAt = START + 100_000; // token_max_ttl 100s, ttl 30s
  const renewals: number[] = [];
  const result = watchLifetime({
    leaseDurationMs: 30_000, renewable: true, scheduler: s,
    renew: async (): Promise<Renewal> => {
      renewals.push(s.now() - START);
      return { leaseDurationMs: Math.min(30_000, maxAt - s.now()), renewable: true };
    },
  });
  let ended: string | undefined;
  void result.then((r) => { ended = r; });
  for (let i = 0; i < 120 && ended === undefined; i++) await s.advance(1000);
  assert.equal(ended, 'expiring');
  const endAt = s.now() - START;
  assert.ok(endAt < 100_000, `ended at ${endAt}`);
  // It ends once what would remain after the next sleep is within the grace (4.5 s): with a
  // shrinking lease R that is R/3 - grace/3 <= grace, so R <= 4 x grace = 18 s.
  const left = 100_000 - endAt;
  assert.ok(left > 4500 && left <= 18_000 + 1000, `left ${left}`);
  assert.ok(left - sleepFor(left, 4500) <= 4500 + 1000);
  assert.ok(renewals.length >= 3, `renewals ${renewals.join(',')}`);
  // Every renewal while the TTL is full comes at ~71.7 % of it after the previous one.
  assert.equal(renewals[0], 21_500);
});

test('a non-renewable lease ends at the grace without renewing', async () => {
  const s = new ManualScheduler(START, () => 0);
  let renewed = 0;
  const p = watchLifetime({ leaseDurationMs: 10_000, renewable: false, scheduler: s, renew: async () => { renewed++; return { leaseDurationMs: 10_000, renewable: false }; } });
  await s.advance(10_000);
  assert.equal(await p, 'expiring');
  assert.equal(renewed, 0);
  assert.ok(s.now() - START <= 10_000);
});

test('a failed renewal backs off from 10 s, and ends (re-auth) once failures reach the grace', async () => {
  const s = new ManualScheduler(START, () => 0.5); // jitter factor 1.0: waits are exact
  const attempts: number[] = [];
  const errors: number[] = [];
  const p = watchLifetime({
    leaseDurationMs: 300_000, renewable: true, scheduler: s,
    renew: async () => {
      attempts.push(s.now() - START);
      throw new Error('connection refused');
    },
    onRenewError: (_e, wait) => errors.push(wait),
  });
  let ended: string | undefined;
  void p.then((r) => { ended = r; });
  for (let i = 0; i < 400 && ended === undefined; i++) await s.advance(1000);
  assert.equal(ended, 'failed');
  // Grace 45 s. First renewal at 2/3·300 s + 45 s/3 = 215 s; retries after 10 s and 15 s; at
  // 240 s the next wait (22.5 s) would leave less than the grace of the 60 s left: log in again.
  assert.deepEqual(attempts, [215_000, 225_000, 240_000]);
  assert.deepEqual(errors, [10_000, 15_000]);
  assert.ok(s.now() - START >= 240_000 && s.now() - START <= 241_000, `ended at ${s.now() - START}`);
});

test('auto-auth backoff doubles from min to max, trimmed by up to 25 %', () => {
  const none = new Backoff(1000, 5000, () => 0);
  assert.deepEqual([1, 2, 3, 4, 5].map(() => none.next()), [1000, 2000, 4000, 5000, 5000]);
  none.reset();
  assert.equal(none.next(), 1000);
  const most = new Backoff(1000, 300_000, () => 0.999);
  const seq = [1, 2, 3].map(() => most.next());
  assert.deepEqual(seq, [750, 1501, 3001]);
  const mid = new Backoff(2000, 3000, () => 0.5);
  assert.deepEqual([mid.next(), mid.next(), mid.next()], [1750, 2625, 2625]);
});
