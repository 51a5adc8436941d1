// What keeps a read-serving standby's memory coherent with the shared store. The node loads
// the same state an active node does (mounts, token store, policies, identity) but runs
// nothing scheduled, and follows the store's change feed:
//   - every changed key leaves the physical cache (it holds ciphertext, keyed as stored);
//   - a token entry leaves the token store's cache, a policy the policy store's;
//   - a key inside a mount goes to its backend's `invalidate` (transit's key cache);
//   - the keyring reloads the barrier;
//   - anything else under core/ (mount tables, salts, audit devices) or in the identity
//     store, or a feed that lost track, rebuilds the whole state from storage.
// While a rebuild runs the node has no state and forwards every request.
import type { ChangeFeed } from '../storage/feed.js';
import type { CachedStorage } from '../storage/cache.js';
import type { Logger } from './log.js';
import type { MountTable } from './mounts.js';

/** The parts of a loaded state the feed invalidates. */
export type ReadState = {
  mounts: MountTable;
  tokens: { forget(id: string): void };
  policies: { invalidate(name: string): void };
};

/** How the cache reaches core's state. */
export type StateHooks = {
  /** Loads the state without starting scheduled work. */
  load(): Promise<void>;
  /** Tears it down. */
  unload(): Promise<void>;
  state(): ReadState | undefined;
  reloadBarrier(): Promise<void>;
};

/** How long a burst of structural changes is gathered before one rebuild. */
const REBUILD_DELAY_MS = 20;

/** A standby's read state and its coherence with the store. */
export class StandbyCache {
  readonly feed: ChangeFeed;
  readonly #cache: CachedStorage;
  readonly #hooks: StateHooks;
  readonly #log: Logger;
  #unsubscribe: (() => void) | undefined;
  #serving = false;
  #rebuild: NodeJS.Timeout | undefined;
  #work: Promise<void> = Promise.resolve();

  constructor(feed: ChangeFeed, cache: CachedStorage, hooks: StateHooks, log: Logger) {
    this.feed = feed;
    this.#cache = cache;
    this.#hooks = hooks;
    this.#log = log;
  }

  /** Whether reads may be served here now: a standby with its state loaded. */
  get ready(): boolean { return this.#serving && this.#hooks.state() !== undefined; }

  /** The node became (or stayed) a standby: follow the feed and load the state. */
  enter(): Promise<void> {
    return this.#serial(async () => {
      if (this.#serving) return;
      this.#serving = true;
      // Subscribed before loading: a change during the load is not missed.
      this.#unsubscribe = this.feed.subscribe((keys) => this.#changed(keys));
      this.#cache.clear();
      await this.#load();
    });
  }

  /** The node becomes active or seals: stop following, drop the state. */
  leave(): Promise<void> {
    return this.#serial(async () => {
      if (!this.#serving) return;
      this.#serving = false;
      clearTimeout(this.#rebuild);
      this.#unsubscribe?.();
      this.#unsubscribe = undefined;
      if (this.#hooks.state()) await this.#hooks.unload();
    });
  }

  async #load(): Promise<void> {
    try {
      await this.#hooks.load();
    } catch (error) {
      // Most likely a write the load needed (a store from an older version): forward meanwhile;
      // the next structural change retries.
      this.#log.warn('ha: standby cannot serve reads yet; forwarding them', { error });
      if (this.#hooks.state()) await this.#hooks.unload().catch(() => undefined);
    }
  }

  #changed(keys: readonly string[] | 'all'): void {
    if (keys === 'all') {
      this.#cache.clear();
      return this.#scheduleRebuild();
    }
    this.#cache.forget(keys);
    const state = this.#hooks.state();
    for (const key of keys) {
      if (key === 'core/keyring') {
        void this.#serial(() => this.#hooks.reloadBarrier()).catch((error: unknown) => this.#log.error('ha: keyring reload failed', { error }));
      } else if (key.startsWith('core/') && !key.startsWith('core/locked-users/')) {
        this.#scheduleRebuild();
      } else if (key.startsWith('sys/token/id/')) {
        state?.tokens.forget(key.slice('sys/token/id/'.length));
      } else if (key.startsWith('sys/policy/')) {
        state?.policies.invalidate(key.slice('sys/policy/'.length));
      } else if (state && (key.startsWith('logical/') || key.startsWith('auth/'))) {
        this.#mountChanged(state.mounts, key);
      }
    }
  }

  #mountChanged(mounts: MountTable, key: string): void {
    const [table, uuid = ''] = key.split('/', 2);
    const entry = mounts.byUuid(uuid);
    if (!entry) return;
    // The identity store is held in memory whole.
    if (entry.type === 'identity') return this.#scheduleRebuild();
    const rest = key.slice(`${table}/${uuid}/`.length);
    mounts.backendOf(entry)?.invalidate?.(rest, uuid);
  }

  #scheduleRebuild(): void {
    if (this.#rebuild || !this.#serving) return;
    this.#rebuild = setTimeout(() => {
      this.#rebuild = undefined;
      void this.#serial(async () => {
        if (!this.#serving) return;
        if (this.#hooks.state()) await this.#hooks.unload();
        await this.#load();
      });
    }, REBUILD_DELAY_MS);
  }

  #serial(step: () => Promise<void>): Promise<void> {
    const next = this.#work.then(step, step);
    this.#work = next.catch(() => undefined);
    return next;
  }
}
