// The token store. Tokens are opaque random strings that are never stored: an entry is kept
// under the HMAC of its token with a per-server salt, so a copy of storage yields no usable
// token. Accessors are separate random ids, indexed the same way.
import { createHmac } from 'node:crypto';
import { telemetry } from '../../util/telemetry.js';
import type { Storage } from '../../storage/storage.js';
import { BadRequest } from '../../util/errors.js';
import { scopedView } from '../../storage/view.js';
import type { Clock } from '../../util/clock.js';
import { schedule, storedKey, unschedule, type ExpiryItem } from '../expiration/queue.js';
import { namesWithFolders } from '../expiration/folders.js';
import { KeyedLock } from '../../util/keyed-lock.js';
import { BatchTokens, isBatchToken } from './batch.js';
import { NO_PARENT, USES_SPENT, newTokenValue, type TokenEntry, type TokenRemoval } from './entry.js';

export { NO_PARENT, USES_SPENT, newTokenValue, type LoginRecord, type TokenEntry, type TokenRemoval } from './entry.js';

/** What a batch token carries: parent, policies, path, meta, display name, issue time, TTL, CIDRs, and its entity id when it has one. */
type BatchCarried = [string, string[], string, Record<string, string> | null, string, number, number, string[], string?];

/** Persistent token entries keyed by salted hash, with accessor and parent indexes. */
export class TokenStore {
  readonly #root: Storage;
  readonly #view: Storage;
  readonly #salt: Buffer;
  readonly #clock: Clock;
  /** Entries by id; invalidated on every change so the hot path avoids storage reads. */
  readonly #cache = new Map<string, TokenEntry>();
  /** Told of each new expiry time, so the expiration manager's timer fires in time. */
  onExpiry: (at: number) => void = () => {};

  /** `root` is the barrier: entries live under sys/token/, their expiries in sys/expire/. */
  constructor(root: Storage, salt: Buffer, clock: Clock) {
    this.#root = root;
    this.#view = scopedView(root, 'sys/token/');
    this.#salt = salt;
    this.#clock = clock;
  }

  /** Runs `fn` over the token and expiry views of one transaction. */
  #write(fn: (tokens: Storage, expiry: Storage) => Promise<void>): Promise<void> {
    return this.#root.transaction((tx) => fn(scopedView(tx, 'sys/token/'), scopedView(tx, 'sys/expire/')));
  }

  /**
   * HMACs already computed, by value: every request hashes its token, and the HMAC costs more
   * than the rest of a token check. A pure memo (revocation removes the entry, not the id);
   * bounded, cleared when full.
   */
  readonly #hashes = new Map<string, string>();

  /** The storage id of a token value (or of an accessor). */
  hash(value: string): string {
    let id = this.#hashes.get(value);
    if (id === undefined) {
      id = this.#hmac(value);
      if (this.#hashes.size >= 4096) this.#hashes.clear();
      this.#hashes.set(value, id);
    }
    return id;
  }

  /** Stores a new entry for `token` and returns it. */
  async create(token: string, fields: Omit<TokenEntry, 'id' | 'accessor'> & { accessor?: string }): Promise<TokenEntry> {
    const entry: TokenEntry = { ...fields, id: this.hash(token), accessor: fields.accessor ?? randomAccessor() };
    telemetry.tokenCreation.inc({ token_type: entry.type });
    if (!entry.parent) return this.#createNow(entry);
    // Under the parent's lock: a child is either written before its parent's revocation lists
    // the children, or it finds the parent gone.
    return this.exclusive(entry.parent, async () => {
      if (!(await this.asParent(entry.parent))) throw new BadRequest(NO_PARENT);
      return this.#createNow(entry);
    });
  }

  async #createNow(entry: TokenEntry): Promise<TokenEntry> {
    await this.#write(async (tx, expiry) => {
      await tx.put(`id/${entry.id}`, encode(entry));
      await tx.put(`accessor/${this.hash(entry.accessor)}`, Buffer.from(entry.id));
      if (entry.parent) await tx.put(`parent/${entry.parent}/${entry.id}`, Buffer.alloc(0));
      if (entry.expire_at) await schedule(expiry, this.#expiryItem(entry, entry.expire_at));
    });
    this.#cache.set(entry.id, entry);
    if (entry.expire_at) this.onExpiry(entry.expire_at);
    return entry;
  }

  /** The live entry for a token value, or undefined (unknown, or expired by the clock). */
  async lookup(token: string): Promise<TokenEntry | undefined> {
    if (token === '') return undefined;
    if (isBatchToken(token)) return this.#openBatch(token);
    // Found by its keyed HMAC: no stored secret is compared byte by byte, so nothing here can
    // leak through timing how much of a guessed token was right.
    const entry = await this.byId(this.hash(token));
    return entry && entry.num_uses >= 0 ? entry : undefined;
  }

  /**
   * `lookup` answered from memory where it can be, for the request path's first step: the
   * live entry, null when the token is known not to be live, undefined when only `lookup`
   * (a storage read, or a batch token's decryption) can tell.
   */
  lookupNow(token: string): TokenEntry | null | undefined {
    if (token === '') return null;
    if (isBatchToken(token)) return undefined;
    const entry = this.#cache.get(this.hash(token));
    if (entry === undefined) return undefined;
    return !this.#expired(entry) && entry.num_uses >= 0 ? entry : null;
  }

  /**
   * The entry of a token that may parent new tokens: it exists (expired ones included, so the
   * expiry race is decided by the lock in `create`) and is not serving its last use. Vault
   * calls a token on its last use "revocation pending" and finds no parent in it.
   */
  async asParent(id: string): Promise<TokenEntry | undefined> {
    const entry = await this.byId(id, true);
    return entry && entry.num_uses !== USES_SPENT ? entry : undefined;
  }

  /** Seals batch tokens; core sets it at unseal from the key in the barrier. */
  batch: BatchTokens | undefined;

  /** Issues a batch token: nothing is written (core/tokens/batch.ts). */
  async createBatch(fields: Omit<TokenEntry, 'id' | 'accessor'>): Promise<{ token: string; entry: TokenEntry }> {
    if (!this.batch) throw new BadRequest('batch tokens are not available');
    if (fields.parent && !(await this.asParent(fields.parent))) throw new BadRequest(NO_PARENT);
    // Only what can differ between batch tokens is carried, as a short array: the value stays short.
    const carried: BatchCarried = [fields.parent, fields.policies, fields.path, fields.meta, fields.display_name, fields.issued_at, fields.ttl, fields.bound_cidrs ?? []];
    if (fields.entity_id) carried.push(fields.entity_id);
    const token = this.batch.seal(carried);
    return { token, entry: this.#batchEntry(token, carried) };
  }

  // A batch token's id is what leases and audit know the caller by; it is never a storage key.
  // It has no accessor, no use count, no period or explicit maximum, and is never renewable.
  #batchEntry(token: string, c: BatchCarried): TokenEntry {
    const [parent, policies, path, meta, display_name, issued_at, ttl, bound_cidrs, entity_id = ''] = c;
    return {
      id: `batch.${this.hash(token)}`, accessor: '', parent, policies, path, meta, display_name, num_uses: 0,
      creation_time: Math.floor(issued_at / 1000), ttl, explicit_max_ttl: 0, period: 0, renewable: false, type: 'batch',
      entity_id, role: '', expire_at: ttl === 0 ? 0 : issued_at + ttl * 1000, issued_at,
      ...(bound_cidrs.length > 0 ? { bound_cidrs } : {}),
    };
  }

  /** A batch token is live while unexpired and while its parent (if any) is live. */
  async #openBatch(token: string): Promise<TokenEntry | undefined> {
    const carried = this.batch?.open(token);
    const entry = Array.isArray(carried) && (carried.length === 8 || carried.length === 9) ? this.#batchEntry(token, carried as BatchCarried) : undefined;
    if (!entry || this.#expired(entry)) return undefined;
    if (entry.parent && !(await this.byId(entry.parent))) return undefined;
    return entry;
  }

  readonly #lock = new KeyedLock();

  /**
   * Takes the locks of those of `ids` that nothing holds or waits for, until `released`
   * settles, as if each were in its own exclusive section; answers the ids taken.
   */
  holdFree(ids: Iterable<string>, released: Promise<unknown>): string[] {
    return this.#lock.holdFree(ids, released);
  }

  /**
   * Runs `fn` after every earlier exclusive section of the same token has finished. Use
   * counting, updates, child creation and revocation of one token go through here, so none of
   * them acts on a state another is halfway through changing. Never nest the same id.
   */
  exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.#lock.run(id, fn);
  }

  /**
   * Whether a use of token `id` is known to need no counting without a turn of its lock:
   * most tokens have unlimited uses, and num_uses never changes from 0 once issued. With
   * nothing else under way on the token (a revocation, say), such a use needs only the entry
   * still being there; `spendUse` would answer 'unlimited'.
   */
  unlimitedNow(id: string): boolean {
    const cached = this.#cache.get(id);
    return cached !== undefined && cached.num_uses === 0 && !this.#lock.busy(id);
  }

  /**
   * Counts one use of a token. `unlimited` and `counted` mean the use may go ahead; `last`
   * means it may and the token is spent (the caller revokes it afterwards); `refused` means
   * the token is gone or its uses were already taken by concurrent requests.
   */
  spendUse(id: string): Promise<{ outcome: 'unlimited' | 'counted' | 'refused' } | { outcome: 'last'; entry: TokenEntry }> {
    if (this.unlimitedNow(id)) return Promise.resolve(UNLIMITED);
    return this.exclusive(id, async () => {
      const entry = await this.byId(id);
      if (!entry || entry.num_uses < 0) return { outcome: 'refused' as const };
      if (entry.num_uses === 0) return { outcome: 'unlimited' as const };
      await this.#saveNow({ ...entry, num_uses: entry.num_uses === 1 ? USES_SPENT : entry.num_uses - 1 });
      return entry.num_uses === 1 ? { outcome: 'last' as const, entry } : { outcome: 'counted' as const };
    });
  }

  #forgotten = 0;

  /** Forgets a cached entry another node changed (a standby following the change feed). */
  forget(id: string): void {
    this.#forgotten++;
    this.#cache.delete(id);
  }

  /** The live entry with this id; `includeExpired` also finds one past its TTL (to revoke it). */
  async byId(id: string, includeExpired = false): Promise<TokenEntry | undefined> {
    let entry = this.#cache.get(id);
    if (!entry) {
      const before = this.#forgotten;
      const raw = await this.#view.get(`id/${id}`);
      if (!raw) return undefined;
      entry = JSON.parse(raw.toString('utf8')) as TokenEntry;
      // A read that overlapped an invalidation may hold the old entry: used once, not kept.
      if (this.#forgotten === before) this.#cache.set(id, entry);
    }
    if (!includeExpired && this.#expired(entry)) return undefined;
    return entry;
  }

  /** Whether an entry's time is up by the clock (0 never expires), revoked yet or not. */
  #expired(entry: Pick<TokenEntry, 'expire_at'>): boolean {
    return entry.expire_at !== 0 && entry.expire_at <= this.#clock.now();
  }

  /** The live entry behind an accessor. */
  async byAccessor(accessor: string): Promise<TokenEntry | undefined> {
    const raw = await this.#view.get(`accessor/${this.hash(accessor)}`);
    return raw ? this.byId(raw.toString('utf8')) : undefined;
  }

  /**
   * Changes some fields of a token under its lock, on a fresh read: `change` sees the entry as
   * it is now and returns only the fields it owns (a renewal its expiry, never `num_uses`), so
   * a use counted meanwhile is never written back over. Answers the entry as saved, or
   * undefined when the token is gone; `change` may throw to refuse.
   */
  update(id: string, change: (current: TokenEntry) => Partial<Omit<TokenEntry, 'id' | 'accessor'>>): Promise<TokenEntry | undefined> {
    return this.exclusive(id, async () => {
      const current = await this.byId(id, true);
      if (!current) return undefined;
      const next = { ...current, ...change(current) };
      await this.#saveNow(next);
      return next;
    });
  }

  async #saveNow(entry: TokenEntry): Promise<void> {
    const before = await this.byId(entry.id, true);
    // A save racing a revocation must not bring the revoked token back.
    if (!before) return;
    await this.#write(async (tx, expiry) => {
      await tx.put(`id/${entry.id}`, encode(entry));
      if (before?.expire_at === entry.expire_at) return;
      if (before?.expire_at) await unschedule(expiry, this.#expiryItem(before, before.expire_at));
      if (entry.expire_at) await schedule(expiry, this.#expiryItem(entry, entry.expire_at));
    });
    this.#cache.set(entry.id, entry);
    if (entry.expire_at) this.onExpiry(entry.expire_at);
  }

  /** Ids of the direct children of a token. */
  async children(id: string): Promise<string[]> {
    return (await this.#view.list(`parent/${id}/`)).filter((k) => !k.endsWith('/'));
  }

  /** Deletes one entry and its indexes (children are the caller's business). */
  async remove(entry: TokenEntry): Promise<void> {
    await this.#write(async (tx, expiry) => {
      await tx.delete(`id/${entry.id}`);
      await tx.delete(`accessor/${this.hash(entry.accessor)}`);
      if (entry.parent) await tx.delete(`parent/${entry.parent}/${entry.id}`);
      if (entry.expire_at) await unschedule(expiry, this.#expiryItem(entry, entry.expire_at));
    });
    this.#cache.delete(entry.id);
  }

  /** A token's item in the expiry index, naming the index keys its removal deletes. */
  #expiryItem(entry: TokenEntry, at: number): ExpiryItem {
    return { at, kind: 'token', id: entry.id, accessor: this.hash(entry.accessor), parent: entry.parent };
  }

  /** Which of these tokens have children, found by ordered listing rather than one probe each. */
  withChildren(ids: readonly string[]): Promise<Set<string>> {
    return namesWithFolders(this.#view, 'parent/', ids);
  }

  /** The cached entry, if any, without reading storage. */
  cachedEntry(id: string): TokenEntry | undefined {
    return this.#cache.get(id);
  }

  /** What removing an entry deletes besides the entry and queue item: its accessor and parent index keys. */
  removalOf(entry: TokenEntry, accessorKey?: string): TokenRemoval {
    return { id: entry.id, accessor: accessorKey ?? this.#hmac(entry.accessor), parent: entry.parent };
  }

  /**
   * Deletes many tokens with their indexes, and the queue items `items` (theirs, and stale
   * ones), in one transaction: all of it or, if the commit fails, none. Children, leases and
   * cubbyholes are the caller's business, as in `remove`. `submitted` is told when the
   * deletes are buffered and only the commit is left.
   */
  async removeMany(removals: readonly TokenRemoval[], items: readonly ExpiryItem[], submitted?: () => void): Promise<void> {
    // Keys are made a run at a time, in the turn that buffers them: making all of a large
    // transaction's keys up front was one turn of tens of milliseconds.
    const keys = removalKeys(removals, items);
    await this.#root.transaction(async (tx) => {
      for (let first = true; ; first = false) {
        const run = take(keys, SORTED_RUN);
        if (run.length === 0) break;
        // Sorting and buffering a run takes about a millisecond: requests are served in between.
        if (!first) await new Promise((resolve) => setImmediate(resolve));
        // In key order, the commit walks each index from one page to the next rather than all
        // over. Sorted runs rather than one sort of the whole: a run's pages stay in the commit
        // thread's cache for the next run, so that costs little, and no turn sorts them all.
        run.sort();
        await Promise.all(run.map((key) => tx.delete(key)));
      }
      submitted?.();
    });
    for (const r of removals) this.#cache.delete(r.id);
  }

  /** The HMAC without the memo: for accessors of tokens being removed, never looked up again. */
  #hmac(value: string): string {
    return createHmac('sha256', this.#salt).update(value).digest('hex');
  }

  /** Every stored entry, expired ones included (accessors listing, tidy). */
  async allEntries(): Promise<TokenEntry[]> {
    const out: TokenEntry[] = [];
    for (const id of await this.#view.list('id/')) {
      const raw = await this.#view.get(`id/${id}`);
      if (raw) out.push(JSON.parse(raw.toString('utf8')) as TokenEntry);
    }
    return out;
  }

  /** Points a token at a new parent ('' makes it an orphan), under its lock, on a fresh read. */
  reparent(id: string, parent: string): Promise<void> {
    return this.exclusive(id, async () => {
      const entry = await this.byId(id, true);
      if (!entry) return;
      await this.#write(async (tx) => {
        if (entry.parent) await tx.delete(`parent/${entry.parent}/${entry.id}`);
        if (parent) await tx.put(`parent/${parent}/${entry.id}`, Buffer.alloc(0));
        await tx.put(`id/${entry.id}`, encode({ ...entry, parent }));
      });
      this.#cache.set(entry.id, { ...entry, parent });
    });
  }

  /** Drops a parent-index row whose child no longer exists. */
  async dropChildIndex(parent: string, child: string): Promise<void> {
    await this.#view.delete(`parent/${parent}/${child}`);
  }

  /** Forgets cached entries (after seal). */
  clearCache(): void {
    this.#cache.clear();
    this.#hashes.clear();
  }
}

const UNLIMITED = { outcome: 'unlimited' as const };

/** Deletes sorted and buffered per event-loop turn by `removeMany` (about a millisecond of work). */
const SORTED_RUN = 1024;

/** Every key `removeMany` deletes: each token's entry and index keys, then the queue items. */
function* removalKeys(removals: readonly TokenRemoval[], items: readonly ExpiryItem[]): Generator<string> {
  for (const r of removals) {
    yield `sys/token/id/${r.id}`;
    yield `sys/token/accessor/${r.accessor}`;
    if (r.parent) yield `sys/token/parent/${r.parent}/${r.id}`;
  }
  for (const item of items) yield `sys/expire/${storedKey(item)}`;
}

/** The next `count` values of `from` (fewer at its end). */
function take<T>(from: Iterator<T>, count: number): T[] {
  const out: T[] = [];
  while (out.length < count) {
    const next = from.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

const encode = (entry: TokenEntry) => Buffer.from(JSON.stringify(entry));

/** Accessors are as random as tokens but carry no prefix, like Vault's. */
const randomAccessor = () => newTokenValue('');
