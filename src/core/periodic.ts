// Core's scheduler for backends' background work: one timer for the whole server, running
// every mounted backend's `periodic` hook at unseal and then at a fixed interval. Runs never
// overlap, a failing mount is logged and does not stop the others, and it stops on seal.
// Backends keep their own durable schedule (next rotation times) in their storage, so work
// that fell due while the server was down happens in the first run after unseal.
import type { Logger } from './log.js';

/** How often the hooks run; Vault checks its static-role queue every 5 seconds. */
export const PERIODIC_INTERVAL_MS = 5_000;

/** Runs `work` now and then every interval until stopped. */
export class PeriodicWork {
  readonly #work: () => Promise<void>;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(work: () => Promise<void>, log: Logger) {
    this.#work = work;
    this.#log = log;
  }

  /** Starts in the background with an immediate first run. */
  start(): void {
    this.#stopped = false;
    setImmediate(() => void this.runNow());
  }

  /** Runs once now (or joins the run in progress); errors are logged, never thrown. */
  runNow(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = this.#work()
      .catch((err: unknown) => this.#log.error('periodic work failed', { error: err }))
      .finally(() => {
        this.#running = undefined;
        this.#arm();
      });
    return this.#running;
  }

  #arm(): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.runNow(), PERIODIC_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
