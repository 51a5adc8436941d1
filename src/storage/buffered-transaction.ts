// Transactions for any backend that can apply a list of writes atomically: the transaction's
// writes wait in memory, its reads see them merged over the backend, and only a transaction
// that resolves hands them over. Isolation is read-committed: a transaction does not lock what
// it reads, and concurrent transactions that write the same key end last-committer-wins.

import { Internal } from '../util/errors.js';
import { compareKeys, validateKey, validateListOptions, validatePrefix } from './keys.js';
import type { ListOptions, Storage, WriteOp } from './storage.js';

/** Applies a successful transaction's writes all together, or none of them. */
export type CommitWrites = (ops: WriteOp[]) => Promise<void>;

// Key → buffered value; undefined records a delete.
export type WriteBuffer = Map<string, Buffer | undefined>;

/** Runs `fn` on a buffered view of `base`; if it resolves, its writes go to `commit` at once. */
export async function bufferedTransaction<T>(
  base: Storage,
  commit: CommitWrites,
  fn: (tx: Storage) => Promise<T>,
): Promise<T> {
  const { value, ops } = await runBuffered(base, fn);
  if (ops.length > 0) await commit(ops);
  return value;
}

/**
 * Runs `fn` on a buffered view of `base`; answers its result and the writes it buffered, in
 * order, also as the buffer itself (key → value, undefined for a delete), which is the caller's now.
 */
export async function runBuffered<T>(base: Storage, fn: (tx: Storage) => Promise<T>): Promise<{ value: T; ops: WriteOp[]; buffer: WriteBuffer }> {
  const buffer: WriteBuffer = new Map();
  const state = { open: true };
  try {
    const value = await fn(new BufferedView(base, buffer, state));
    const ops: WriteOp[] = [];
    for (const [key, written] of buffer) ops.push({ key, value: written });
    return { value, ops, buffer };
  } finally {
    // A view that escaped `fn` must not write into a buffer nobody will commit.
    state.open = false;
  }
}

/**
 * The writes of one staged transaction (Storage.stage), kept for the transactions staged after
 * it until its commit settles; `after` is what it read through itself. Once `settled`, its
 * writes are committed (or it failed, and so will everything staged after it), so a reader
 * stops there and reads the backend.
 */
export type StagedWrites = { writes: WriteBuffer; after: StagedWrites | undefined; settled: boolean };

/** Records `writes` as staged after `after`; `done` is their commit, and settling it lets go of them. */
export function stagedWrites(writes: WriteBuffer, after: StagedWrites | undefined, done: Promise<void>): StagedWrites {
  const staged: StagedWrites = { writes, after, settled: false };
  const release = () => {
    staged.settled = true;
    staged.after = undefined;
    staged.writes = new Map();
  };
  done.then(release, release);
  return staged;
}

// The staged writes still unsettled, oldest first.
function unsettled(staged: StagedWrites | undefined): StagedWrites[] {
  const chain: StagedWrites[] = [];
  for (let s = staged; s !== undefined && !s.settled; s = s.after) chain.unshift(s);
  return chain;
}

/**
 * `base` as it will be once `staged` and what it was staged after commit: read-only. The
 * newest staged write of a key wins; a key none of them wrote reads from `base`.
 */
export function stagedOverlay(base: Storage, staged: StagedWrites | undefined): Storage {
  if (staged === undefined || staged.settled) return base;
  const refuse = (): never => { throw new Internal('a staged overlay is read-only'); };
  return {
    async get(key) {
      for (let s: StagedWrites | undefined = staged; s !== undefined && !s.settled; s = s.after) {
        if (!s.writes.has(key)) continue;
        const value = s.writes.get(key);
        return value === undefined ? undefined : Buffer.from(value);
      }
      return base.get(key);
    },
    put: async () => refuse(),
    delete: async () => refuse(),
    async list(prefix, options) {
      const merged: WriteBuffer = new Map();
      for (const s of unsettled(staged)) for (const [key, value] of s.writes) merged.set(key, value);
      return mergedList(base, merged, prefix, options);
    },
    transaction: async () => refuse(),
  };
}

// A class: every transaction makes one (every durable write), and its methods are shared.
class BufferedView implements Storage {
  readonly #base: Storage;
  readonly #buffer: WriteBuffer;
  readonly #state: { open: boolean };

  constructor(base: Storage, buffer: WriteBuffer, state: { open: boolean }) {
    this.#base = base;
    this.#buffer = buffer;
    this.#state = state;
  }

  #live(): void {
    if (!this.#state.open) throw new Internal('storage transaction used after it ended');
  }

  async get(key: string): Promise<Buffer | undefined> {
    this.#live();
    validateKey(key);
    if (!this.#buffer.has(key)) return this.#base.get(key);
    const value = this.#buffer.get(key);
    return value === undefined ? undefined : Buffer.from(value);
  }

  async put(key: string, value: Buffer): Promise<void> {
    this.#live();
    validateKey(key);
    this.#buffer.set(key, Buffer.from(value));
  }

  async delete(key: string): Promise<void> {
    this.#live();
    validateKey(key);
    this.#buffer.set(key, undefined);
  }

  async list(prefix: string, options?: ListOptions): Promise<string[]> {
    this.#live();
    validatePrefix(prefix);
    validateListOptions(options);
    return mergedList(this.#base, this.#buffer, prefix, options);
  }

  // Nested: same buffer, but a nested failure undoes only its own writes (a savepoint).
  async transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T> {
    this.#live();
    const buffer = this.#buffer;
    const saved = new Map(buffer);
    try {
      return await fn(this);
    } catch (err) {
      buffer.clear();
      for (const [key, value] of saved) buffer.set(key, value);
      throw err;
    }
  }
}

async function mergedList(
  base: Storage,
  buffer: WriteBuffer,
  prefix: string,
  options: ListOptions | undefined,
): Promise<string[]> {
  const after = options?.after;
  const limit = options?.limit ?? 0;
  const fromBase = await liveBaseChildren(base, buffer, prefix, after, limit);
  const merged = new Set([...fromBase, ...bufferedChildren(buffer, prefix)]);
  const sorted = [...merged]
    .filter((child) => after === undefined || compareKeys(child, after) > 0)
    .sort(compareKeys);
  return limit > 0 ? sorted.slice(0, limit) : sorted;
}

// Children that buffered puts create under `prefix`.
function bufferedChildren(buffer: WriteBuffer, prefix: string): string[] {
  const children: string[] = [];
  for (const [key, value] of buffer) {
    if (value === undefined || !key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const slash = rest.indexOf('/');
    children.push(slash < 0 ? rest : rest.slice(0, slash + 1));
  }
  return children;
}

// The base's children that the buffer does not delete, pages at a time until `limit` survive:
// with deletes in the buffer one base page may not be enough.
async function liveBaseChildren(
  base: Storage,
  buffer: WriteBuffer,
  prefix: string,
  after: string | undefined,
  limit: number,
): Promise<string[]> {
  const live: string[] = [];
  let cursor = after;
  for (;;) {
    const page = await base.list(prefix, { after: cursor, limit });
    for (const child of page) {
      if (await survives(base, buffer, prefix + child)) live.push(child);
    }
    if (limit === 0 || page.length < limit || live.length >= limit) return live;
    cursor = page[page.length - 1];
  }
}

// Whether a base leaf, or a base folder with at least one key, is still there once the
// buffer's writes apply. A folder whose every key the buffer deletes disappears.
async function survives(base: Storage, buffer: WriteBuffer, path: string): Promise<boolean> {
  if (!path.endsWith('/')) return !buffer.has(path);
  let touched = false;
  for (const key of buffer.keys()) if (key.startsWith(path)) touched = true;
  if (!touched) return true;
  const pageSize = 100;
  let cursor: string | undefined;
  for (;;) {
    const page = await base.list(path, { after: cursor, limit: pageSize });
    for (const child of page) {
      if (await survives(base, buffer, path + child)) return true;
    }
    if (page.length < pageSize) return false;
    cursor = page[page.length - 1];
  }
}
