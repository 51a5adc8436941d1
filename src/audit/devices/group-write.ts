// Group writes for the file device, as storage's group commit does for SQLite: the lines
// written in one event-loop turn go out in one write(2), and each line's promise settles with
// the outcome of that write, so nothing is acknowledged before it is in the file.

/** A sink that batches lines per event-loop turn. */
export type GroupWriter = {
  write(line: string): Promise<void>;
  /** Writes what is pending now (before a close or reopen). */
  flush(): void;
};

type Waiter = { resolve: () => void; reject: (err: unknown) => void };

/** Batches lines into calls of `writeNow`, which must throw when the bytes were not written. */
export function groupWriter(writeNow: (buf: Buffer) => void): GroupWriter {
  let lines: string[] = [];
  let waiters: Waiter[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  const flush = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    if (lines.length === 0) return;
    const batch = lines;
    const settle = waiters;
    lines = [];
    waiters = [];
    try {
      writeNow(Buffer.from(batch.length === 1 ? (batch[0] as string) : batch.join('')));
    } catch (err) {
      for (const w of settle) w.reject(err);
      return;
    }
    for (const w of settle) w.resolve();
  };
  const write = (line: string) => new Promise<void>((resolve, reject) => {
    scheduled ??= setImmediate(flush);
    lines.push(line);
    waiters.push({ resolve, reject });
  });
  return { write, flush };
}
