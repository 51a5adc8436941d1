// The reactions other layers register to unseal and seal, and the order and failure rules they run by.

/** Seal state changes that other layers react to (core mounts its tables after unseal). */
export type SealEvent = 'unseal' | 'seal';
/** A reaction to a SealEvent; it must not call seal() or unseal() itself (they wait for it). */
export type SealListener = () => void | Promise<void>;

export class SealListeners {
  readonly #listeners = { unseal: new Set<SealListener>(), seal: new Set<SealListener>() };

  /** Registers `fn` for `event`; returns its unregistration. */
  on(event: SealEvent, fn: SealListener): () => void {
    this.#listeners[event].add(fn);
    return () => { this.#listeners[event].delete(fn); };
  }

  /** Runs the unseal listeners in order; the first failure stops them and is thrown. */
  async afterUnseal(): Promise<void> {
    for (const fn of [...this.#listeners.unseal]) await fn();
  }

  /** Runs every seal listener, even after one fails; returns the first failure, if any. */
  async beforeSeal(): Promise<unknown> {
    let failure: unknown;
    for (const fn of [...this.#listeners.seal]) {
      try { await fn(); } catch (err) { failure ??= err; }
    }
    return failure;
  }
}
