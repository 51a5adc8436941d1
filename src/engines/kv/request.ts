// Request plumbing shared by the KV paths: the per-key write lock, LIST paging, PATCH's
// content type, and Vault's multi-error text.
import { BadRequest, LockboxError } from '../../util/errors.js';
import type { HandlerContext } from '../../core/path.js';
import type { ListOptions, Storage } from '../../storage/storage.js';

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

/** Per key of a mount: the sections waiting, and whether a batch of them is being run. */
type KeyQueue = { waiting: Section[]; running: boolean };

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
 * Writers of one hot key would otherwise wait for each other's commit, one fsync each. So the
 * sections that queued while a commit was under way run together, in arrival order, inside
 * one transaction: each sees the writes of those before it (its own savepoint, so one that
 * fails leaves the others' writes alone), and all are answered once that transaction is
 * durable. If it cannot commit, nothing of it was written, and each section runs again on its
 * own, so one oversized write cannot fail the others.
 */
export function withKeyLock<T>(ctx: HandlerContext<unknown>, path: string, fn: (storage: Storage) => Promise<T>): Promise<T> {
  const key = `${ctx.mount.uuid}\u0000${path}`;
  let queue = queues.get(key);
  if (!queue) queues.set(key, (queue = { waiting: [], running: false }));
  const done = new Promise<T>((resolve, reject) => {
    (queue as KeyQueue).waiting.push({ storage: ctx.storage, fn, resolve: resolve as (value: unknown) => void, reject });
  });
  if (!queue.running) void drain(key, queue);
  return done;
}

async function drain(key: string, queue: KeyQueue): Promise<void> {
  queue.running = true;
  while (queue.waiting.length > 0) {
    const batch = queue.waiting.splice(0, MAX_COMBINED);
    if (batch.length === 1 || !(await runCombined(batch))) {
      for (const section of batch) await runAlone(section);
    }
  }
  queue.running = false;
  queues.delete(key);
}

async function runAlone(section: Section): Promise<void> {
  try {
    section.resolve(await section.fn(section.storage));
  } catch (err) {
    section.reject(err);
  }
}

/** Runs the batch in one transaction; false (with nothing written or answered) if it did not commit. */
async function runCombined(batch: Section[]): Promise<boolean> {
  type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };
  let outcomes: Outcome[] = [];
  try {
    await (batch[0] as Section).storage.transaction(async (tx) => {
      outcomes = [];
      for (const section of batch) {
        try {
          outcomes.push({ ok: true, value: await tx.transaction(() => section.fn(tx)) });
        } catch (err) {
          outcomes.push({ ok: false, err });
        }
      }
    });
  } catch {
    return false;
  }
  batch.forEach((section, i) => {
    const outcome = outcomes[i] as Outcome;
    if (outcome.ok) section.resolve(outcome.value);
    else section.reject(outcome.err);
  });
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
