// Time for the agent's loops: an injected clock with sleeps and a random source, so renewal
// schedules and backoffs are tested by moving a manual clock, never by sleeping.

export interface Scheduler {
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1). */
  random(): number;
}

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) => new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  }),
};

/** A scheduler whose time moves only when a test says so. */
export class ManualScheduler implements Scheduler {
  #now: number;
  #sleepers: { at: number; resolve: () => void }[] = [];
  #random: () => number;
  /** Every sleep asked for, in order (ms): what the tests check schedules against. */
  readonly sleeps: number[] = [];

  constructor(start = Date.UTC(2026, 0, 1), random: () => number = () => 0.5) {
    this.#now = start;
    this.#random = random;
  }

  now(): number {
    return this.#now;
  }

  random(): number {
    return this.#random();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const entry = { at: this.#now + Math.max(0, ms), resolve };
      this.#sleepers.push(entry);
      signal?.addEventListener('abort', () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== entry);
        resolve();
      }, { once: true });
    });
  }

  /** Lets pending promise callbacks run (several turns, as async chains take some). */
  async settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
  }

  /** Moves time forward, waking sleepers in time order and letting each react. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    await this.settle();
    for (;;) {
      this.#sleepers.sort((a, b) => a.at - b.at);
      const next = this.#sleepers[0];
      if (!next || next.at > end) break;
      this.#sleepers.shift();
      this.#now = Math.max(this.#now, next.at);
      next.resolve();
      await this.settle();
    }
    this.#now = end;
    await this.settle();
  }

  /**
   * Waits (in real time, for I/O the code under test does) until something sleeps, then moves
   * time to when it wakes. Returns the sleep's length.
   */
  async wakeNext(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.#sleepers.length === 0) {
      if (Date.now() > deadline) throw new Error('nothing went to sleep');
      await new Promise((r) => setTimeout(r, 2));
    }
    this.#sleepers.sort((a, b) => a.at - b.at);
    const ms = (this.#sleepers[0] as { at: number }).at - this.#now;
    await this.advance(ms);
    return ms;
  }

  /** How many sleeps are waiting. */
  get waiting(): number {
    return this.#sleepers.length;
  }
}

/**
 * Auto-auth's backoff: starts at `min`, doubles up to `max`, and each wait is trimmed by a
 * random 0–25 % so that many agents do not retry in step.
 */
export class Backoff {
  #current: number;
  readonly min: number;
  readonly max: number;
  readonly #random: () => number;

  constructor(min: number, max: number, random: () => number) {
    this.min = min;
    this.max = Math.max(min, max);
    this.#current = min;
    this.#random = random;
  }

  /** The next wait (ms), then doubles the base for the one after. */
  next(): number {
    const base = this.#current;
    this.#current = Math.min(this.#current * 2, this.max);
    return Math.round(base - base * 0.25 * this.#random());
  }

  reset(): void {
    this.#current = this.min;
  }
}
