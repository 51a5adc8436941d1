// Group writes for the file device, as storage's group commit does for SQLite: the lines
// written in one event-loop turn go out in one write(2), and each line's promise settles with
// the outcome of that write, so nothing is acknowledged before it is in the file.

/** A sink that batches lines per event-loop turn. */
export type GroupWriter = {
  write(line: string): Promise<void>;
  /** Writes what is pending now (before a close or reopen). */
  flush(): void;
};

/** The lines of one turn share one promise, settled by the one write that carries them. */
type Batch = { done: Promise<void>; resolve: () => void; reject: (err: unknown) => void };

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const done = new Promise<void>((yes, no) => { resolve = yes; reject = no; });
  return { done, resolve, reject };
}

/** Batches lines into calls of `writeNow`, which must throw when the bytes were not written. */
export function groupWriter(writeNow: (buf: Buffer) => void): GroupWriter {
  let lines: string[] = [];
  let batch: Batch | undefined;
  let scheduled: NodeJS.Immediate | undefined;
  const flush = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    if (lines.length === 0 || batch === undefined) return;
    const written = lines;
    const settle = batch;
    lines = [];
    batch = undefined;
    try {
      writeNow(Buffer.from(written.length === 1 ? (written[0] as string) : written.join('')));
    } catch (err) {
      settle.reject(err);
      return;
    }
    settle.resolve();
  };
  // One promise per turn rather than per line: a request's two records cost no promise each.
  const write = (line: string) => {
    scheduled ??= setImmediate(flush);
    lines.push(line);
    batch ??= newBatch();
    return batch.done;
  };
  return { write, flush };
}
