// Time is injected so that TTL, lease and expiry logic is tested by moving a clock, not by sleeping.

/** A source of the current time, in milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: for tests. */
export class ManualClock implements Clock {
  #current: number;
  constructor(start = Date.UTC(2026, 0, 1)) { this.#current = start; }
  now(): number { return this.#current; }
  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void { this.#current += ms; }
}
