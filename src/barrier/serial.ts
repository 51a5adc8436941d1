// Seal state changes (init, unseal, seal, rotate) await storage in the middle; running them
// one at a time keeps two of them from interleaving and leaving memory and disk disagreeing.

/** A function that runs the tasks given to it one at a time, in call order. */
export type Serial = <T>(task: () => Promise<T>) => Promise<T>;

/** A new, empty queue. A task that calls into its own queue waits for itself forever. */
export function serial(): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task);
    tail = run.catch(() => undefined);
    return run;
  };
}
