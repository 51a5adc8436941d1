// Request plumbing shared by the KV paths: the per-key write lock, LIST paging, PATCH's
// content type, and Vault's multi-error text.
import { BadRequest, LockboxError } from '../../util/errors.js';
import type { HandlerContext } from '../../core/path.js';
import type { ListOptions, Staged, StageTicket, Storage } from '../../storage/storage.js';

/** 415: Vault refuses a PATCH whose body is not declared a JSON merge patch. */
export class UnsupportedMediaType extends LockboxError {
  override readonly status = 415;
}

/** One request's read-modify-write of a key, waiting for its turn. */
type Section = {
  storage: Storage;
  fn: (storage: Storage) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
};

/**
 * A staged batch of one key's sections, until its commit settles. `committed()` says whether
 * it committed, once it has settled: asked only when a later batch of the key was refused.
 */
type StagedBatch = { seq: number; settled: boolean; failed: boolean; committed: () => Promise<boolean> };

/**
 * Per key of a mount: the sections waiting, whether a batch of them is being run (staged), the
 * newest staged batch and how many are still committing, and the sections of failed batches
 * that run again once nothing of the key is in flight.
 */
type KeyQueue = {
  waiting: Section[];
  running: boolean;
  last: { ticket: StageTicket; batch: StagedBatch } | undefined;
  inFlight: number;
  seq: number;
  broken: boolean;
  retry: Array<{ seq: number; sections: Section[] }>;
};

const queues = new Map<string, KeyQueue>();

/**
 * At most this many waiting sections share one commit. Each adds a version record (and maybe
 * prunes one) while the metadata record is written once, so a batch stays far inside etcd's
 * 128 operations per transaction.
 */
const MAX_COMBINED = 32;

/**
 * Runs `fn` alone for one key of one mount, like Vault's per-key locks: storage is only
 * read-committed, so without this two writers could both pass one check-and-set. `fn` must do
 * its reads and writes through the storage it is given.
 *
 * Where the storage stages transactions (SQLite), the key is held only until a section's
 * writes are staged (its version assigned), not until they are durable: the next section
 * reads them from the staged transaction and is staged behind it, and each is answered once
 * its own commit is durable. A staged batch whose commit fails fails those staged after it
 * too; all of them run again section by section once nothing of the key is in flight, except
 * a lone section whose own commit failed, which is answered with that failure.
 *
 * Otherwise writers of one key wait for each other's commit; the sections that queued while a
 * commit was under way run together, in arrival order, inside one transaction: each sees the
 * writes of those before it (its own savepoint, so one that fails leaves the others' writes
 * alone), and all are answered once that transaction is durable. If it cannot commit, nothing
 * of it was written, and each section runs again on its own, so one oversized write cannot
 * fail the others.
 */
export function withKeyLock<T>(ctx: HandlerContext<unknown>, path: string, fn: (storage: Storage) => Promise<T>): Promise<T> {
  const key = `${ctx.mount.uuid}\u0000${path}`;
  let queue = queues.get(key);
  if (!queue) queues.set(key, (queue = { waiting: [], running: false, last: undefined, inFlight: 0, seq: 0, broken: false, retry: [] }));
  const done = new Promise<T>((resolve, reject) => {
    (queue as KeyQueue).waiting.push({ storage: ctx.storage, fn, resolve: resolve as (value: unknown) => void, reject });
  });
  if (!queue.running) void drain(key, queue);
  return done;
}

async function drain(key: string, queue: KeyQueue): Promise<void> {
  queue.running = true;
  for (;;) {
    if (queue.broken) {
      // The last failed batch to settle starts the drain again.
      if (queue.inFlight > 0) break;
      queue.broken = false;
      queue.last = undefined;
      const again = queue.retry.splice(0).sort((a, b) => a.seq - b.seq);
      for (const { sections } of again) for (const section of sections) await runAlone(section);
      continue;
    }
    const batch = queue.waiting.splice(0, MAX_COMBINED);
    if (batch.length === 0) break;
    const { storage } = batch[0] as Section;
    if (storage.stage !== undefined) await stageBatch(key, queue, storage, batch);
    else if (batch.length === 1 || !(await runCombined(batch))) {
      for (const section of batch) await runAlone(section);
    }
  }
  queue.running = false;
  retireIfIdle(key, queue);
}

function retireIfIdle(key: string, queue: KeyQueue): void {
  if (!queue.running && queue.inFlight === 0 && queue.waiting.length === 0 && queue.retry.length === 0) queues.delete(key);
}

async function runAlone(section: Section): Promise<void> {
  try {
    section.resolve(await section.fn(section.storage));
  } catch (err) {
    section.reject(err);
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

/** Runs every section of `batch` on `tx`, each on its own savepoint, in order. */
async function runSections(tx: Storage, batch: Section[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const section of batch) {
    try {
      outcomes.push({ ok: true, value: await tx.transaction(() => section.fn(tx)) });
    } catch (err) {
      outcomes.push({ ok: false, err });
    }
  }
  return outcomes;
}

/**
 * `tx` where a section's own transactions (a new version with its metadata, say) simply run
 * inside it: whatever fails in a section fails the section, and its savepoint (or, alone, the
 * staged transaction) undoes everything it wrote, so a nested savepoint would only cost.
 */
function joined(tx: Storage): Storage {
  return new JoinedView(tx);
}

// One small object per section, whatever `tx` is made of (a spread of it was several).
class JoinedView implements Storage {
  readonly #tx: Storage;
  constructor(tx: Storage) { this.#tx = tx; }
  get(key: string): Promise<Buffer | undefined> { return this.#tx.get(key); }
  put(key: string, value: Buffer): Promise<void> { return this.#tx.put(key, value); }
  delete(key: string): Promise<void> { return this.#tx.delete(key); }
  list(prefix: string, options?: ListOptions): Promise<string[]> { return this.#tx.list(prefix, options); }
  transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T> { return fn(this); }
}

function answer(batch: Section[], outcomes: Outcome[]): void {
  batch.forEach((section, i) => {
    const outcome = outcomes[i] as Outcome;
    if (outcome.ok) section.resolve(outcome.value);
    else section.reject(outcome.err);
  });
}

/**
 * Stages the batch behind the key's newest staged batch and returns without waiting for its
 * commit; the sections are answered when it settles.
 */
async function stageBatch(key: string, queue: KeyQueue, storage: Storage, batch: Section[]): Promise<void> {
  const before = queue.last;
  let staged: Staged<Outcome[]>;
  try {
    // A lone section needs no savepoint: if it fails, the staged transaction does, and that
    // failure is its answer.
    const lone = batch.length === 1 ? (batch[0] as Section) : undefined;
    staged = await storage.stage!(
      // Several share one staged transaction: each keeps its savepoint, so one that fails
      // after writing leaves nothing of its own behind.
      lone ? async (tx) => [{ ok: true, value: await lone.fn(joined(tx)) }] : (tx) => runSections(tx, batch),
      before?.ticket,
    );
  } catch (err) {
    // Nothing was staged (the section failed, the barrier is sealed, the storage closed). What
    // it read may have been a staged write that is still committing: its refusal (a
    // check-and-set mismatch, say) stands only once that write is durable. If the write
    // failed, the sections run again with the others of the failed chain.
    if (before !== undefined && !(await before.batch.committed())) {
      queue.retry.push({ seq: queue.seq++, sections: batch });
      return;
    }
    if (batch.length === 1) (batch[0] as Section).reject(err);
    else for (const section of batch) await runAlone(section);
    return;
  }
  // Made only when asked (a refused section behind this batch), not for every batch: before
  // it settles, a handler registered now runs after the ones below, so whoever awaits it sees
  // the queue as they left it; after, the outcome is known.
  const record: StagedBatch = {
    seq: queue.seq++, settled: false, failed: false,
    committed: () => (record.settled ? Promise.resolve(!record.failed) : staged.durable.then(() => true, () => false)),
  };
  queue.last = { ticket: staged.ticket, batch: record };
  queue.inFlight++;
  const settle = () => {
    record.settled = true;
    queue.inFlight--;
    if (queue.last?.batch === record) queue.last = undefined;
    if (!queue.running && (queue.broken ? queue.inFlight === 0 : queue.waiting.length > 0)) void drain(key, queue);
    else retireIfIdle(key, queue);
  };
  staged.durable.then(
    () => {
      answer(batch, staged.value);
      settle();
    },
    (err: unknown) => {
      record.failed = true;
      queue.broken = true;
      // Staged after a batch that failed (or is failing: one still unsettled now went down in
      // the same commit), its sections never had a commit of their own: they run again.
      const dependent = before !== undefined && (before.batch.failed || !before.batch.settled);
      if (batch.length === 1 && !dependent) (batch[0] as Section).reject(err);
      else queue.retry.push({ seq: record.seq, sections: batch });
      settle();
    },
  );
}

/** Runs the batch in one transaction; false (with nothing written or answered) if it did not commit. */
async function runCombined(batch: Section[]): Promise<boolean> {
  let outcomes: Outcome[] = [];
  try {
    outcomes = await (batch[0] as Section).storage.transaction((tx) => runSections(tx, batch));
  } catch {
    return false;
  }
  answer(batch, outcomes);
  return true;
}

/** Vault's HTTP layer: PATCH must say `Content-Type: application/merge-patch+json`. */
export function requireMergePatch(ctx: HandlerContext<unknown>): void {
  const header = ctx.request.headers['content-type'];
  const raw = Array.isArray(header) ? (header[0] ?? '') : (header ?? '');
  const type = raw.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/merge-patch+json') {
    throw new UnsupportedMediaType(`PATCH requires Content-Type of application/merge-patch+json, provided ${type}`);
  }
}

/**
 * Lockbox's paging beyond Vault: LIST takes `after` (exclusive) and `limit` as query
 * parameters and answers in key order. Read from the query so a v1 body may use these names.
 */
export function listOptions(ctx: HandlerContext<unknown>): ListOptions {
  const { after, limit } = ctx.request.query;
  const options: ListOptions = {};
  if (after !== undefined && after !== '') options.after = after;
  if (limit !== undefined && limit !== '') {
    const n = Number(limit);
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new BadRequest('error converting input for field "limit": expected a non-negative integer');
    }
    options.limit = n;
  }
  return options;
}

/** Vault's go-multierror text, which its KV validation errors arrive in. */
export function multiError(messages: string[]): string {
  const n = messages.length;
  return `${n} error${n === 1 ? '' : 's'} occurred:\n${messages.map((m) => `\t* ${m}`).join('\n')}\n\n`;
}
