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

  /**
   * Takes, at once, every key of `keys` that is free, and holds them until `released`
   * settles; answers the keys taken (the busy ones are left alone). Sections asked for later
   * wait for the release. One settlement for the lot: for taking many keys in one go.
   */
  holdFree(keys: Iterable<string>, released: Promise<unknown>): string[] {
    const tail = released.catch(() => undefined);
    const taken: string[] = [];
    for (const key of keys) {
      if (this.#queues.has(key)) continue;
      this.#queues.set(key, tail);
      taken.push(key);
    }
    void tail.then(() => {
      for (const key of taken) if (this.#queues.get(key) === tail) this.#queues.delete(key);
    });
    return taken;
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
