// One queue per key: sections for the same key run one after another, other keys in parallel.
// Read-modify-writes of shared records (token entries, leases) go through one of these so no
// section acts on a state another is halfway through changing.

/** Per-key mutual exclusion within this process. Never nest the same key: it would wait on itself. */
export class KeyedLock {
  readonly #queues = new Map<string, Promise<unknown>>();

  /** Whether a section of `key` is running or waiting. */
  busy(key: string): boolean {
    return this.#queues.has(key);
  }

  /** Runs `fn` after every earlier section of the same key has finished. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const run = previous.then(fn);
    const tail = run.catch(() => undefined);
    this.#queues.set(key, tail);
    void tail.then(() => { if (this.#queues.get(key) === tail) this.#queues.delete(key); });
    return run;
  }
}
