// The Shamir seal, as Vault does it: init makes a random root key and hands it out split into
// shares; unseal collects shares until the threshold, rebuilds the root key and opens the
// barrier's keyring with it. Only the share count and threshold are stored, in plaintext.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../util/clock.js';
import { BadRequest, DecryptFailed, Internal, NotInitialized, Sealed } from '../util/errors.js';
import type { Storage } from '../storage/storage.js';
import { Barrier, encryptKeyring, KEYRING_PATH, SEAL_CONFIG_PATH } from './barrier.js';
import { Keyring } from './keyring.js';
import { serial } from './serial.js';
import { combineShares, ROOT_KEY_BYTES, splitRootKey } from './shares.js';

/** Vault's sys/seal-status fields that the seal owns. */
export type SealStatus = {
  type: 'shamir';
  initialized: boolean;
  sealed: boolean;
  t: number;
  n: number;
  progress: number;
  /** A UUID while an unseal attempt is in progress, '' otherwise. */
  nonce: string;
};

/** Vault's sys/init parameters. */
export type InitOptions = { secret_shares: number; secret_threshold: number };

/** What is stored, plaintext, at SEAL_CONFIG_PATH. */
export type SealConfig = { type: 'shamir'; secret_shares: number; secret_threshold: number };

/** Seal state changes that other layers react to (core mounts its tables after unseal). */
export type SealEvent = 'unseal' | 'seal';
/** A reaction to a SealEvent; it must not call seal() or unseal() itself (they wait for it). */
export type SealListener = () => void | Promise<void>;

// One message for every way a complete set of shares can be wrong: which way is no one's business.
const INVALID_SHARES = 'Error unsealing: invalid key shares';

/** Checks sys/init parameters the way Vault does; throws BadRequest naming the rule broken. */
export function validateInitOptions({ secret_shares: n, secret_threshold: t }: InitOptions): void {
  if (!Number.isInteger(n) || !Number.isInteger(t)) {
    throw new BadRequest('secret_shares and secret_threshold must be integers');
  }
  if (n < 1) throw new BadRequest('secret_shares must be at least 1');
  if (t < 1) throw new BadRequest('secret_threshold must be at least 1');
  if (n > 255) throw new BadRequest('secret_shares must be at most 255');
  if (t > n) throw new BadRequest('secret_threshold cannot be larger than secret_shares');
  // Vault: a threshold of 1 with several shares would make every share the whole root key.
  if (n > 1 && t === 1) throw new BadRequest('secret_threshold must be greater than 1 when secret_shares is greater than 1');
}

function parseConfig(raw: Buffer): SealConfig {
  let v: unknown;
  try { v = JSON.parse(raw.toString('utf8')); } catch { throw new Internal('seal configuration is corrupt'); }
  const c = v as Partial<SealConfig> | null;
  if (c?.type !== 'shamir' || typeof c.secret_shares !== 'number' || typeof c.secret_threshold !== 'number') {
    throw new Internal('seal configuration is corrupt');
  }
  try { validateInitOptions(c as SealConfig); } catch { throw new Internal('seal configuration is corrupt'); }
  return { type: 'shamir', secret_shares: c.secret_shares, secret_threshold: c.secret_threshold };
}

/** The Shamir seal over one physical backend; long-lived, one per server. */
export class ShamirSeal {
  /** The encrypting storage this seal opens and closes. */
  readonly barrier: Barrier;
  readonly #physical: Storage;
  readonly #clock: Clock;
  readonly #serial = serial();
  readonly #listeners = { unseal: new Set<SealListener>(), seal: new Set<SealListener>() };
  #config: SealConfig | undefined;
  #shares: Buffer[] = [];
  #nonce = '';

  private constructor(physical: Storage, clock: Clock, config: SealConfig | undefined) {
    this.#physical = physical;
    this.#clock = clock;
    this.#config = config;
    this.barrier = new Barrier(physical, clock);
  }

  /** Reads the seal configuration from `physical`; the result is always sealed. */
  static async open(physical: Storage, clock: Clock): Promise<ShamirSeal> {
    const raw = await physical.get(SEAL_CONFIG_PATH);
    return new ShamirSeal(physical, clock, raw === undefined ? undefined : parseConfig(raw));
  }

  /**
   * Re-reads the seal configuration while none is known: with several nodes over one store
   * (HA), another node may have run sys/init since this one opened it.
   */
  async refresh(): Promise<void> {
    if (this.#config !== undefined) return;
    const raw = await this.#physical.get(SEAL_CONFIG_PATH);
    if (raw !== undefined && this.#config === undefined) this.#config = parseConfig(raw);
  }

  /** Vault's seal-status, minus the fields the server adds (version, cluster name…). */
  status(): SealStatus {
    const c = this.#config;
    const sealed = this.barrier.sealed;
    return {
      type: 'shamir',
      initialized: c !== undefined,
      sealed,
      t: c?.secret_threshold ?? 0,
      n: c?.secret_shares ?? 0,
      progress: sealed ? this.#shares.length : 0,
      nonce: sealed ? this.#nonce : '',
    };
  }

  /** Registers `fn` to run after every unseal or before every seal; returns its unregistration. */
  on(event: SealEvent, fn: SealListener): () => void {
    this.#listeners[event].add(fn);
    return () => { this.#listeners[event].delete(fn); };
  }

  /** Vault's sys/init: makes the root key and keyring and returns the unseal keys; stays sealed. */
  async initialize(options: InitOptions): Promise<{ keys: Buffer[] }> {
    validateInitOptions(options);
    return this.#serial(async () => {
      if (this.#config !== undefined) throw new BadRequest('Vault is already initialized');
      const config: SealConfig = { type: 'shamir', ...pickInit(options) };
      const rootKey = randomBytes(ROOT_KEY_BYTES);
      const keyring = Keyring.create(this.#clock.now());
      try {
        const keys = await splitRootKey(rootKey, config.secret_shares, config.secret_threshold);
        await this.#physical.transaction(async (tx) => {
          // Another process sharing the backend may have initialised it since we opened.
          if (await tx.get(SEAL_CONFIG_PATH) !== undefined) throw new BadRequest('Vault is already initialized');
          await tx.put(SEAL_CONFIG_PATH, Buffer.from(JSON.stringify(config), 'utf8'));
          await tx.put(KEYRING_PATH, encryptKeyring(rootKey, keyring));
        }).catch((err: unknown) => {
          for (const k of keys) k.fill(0); // keys to a store that was never written
          throw err;
        });
        this.#config = config;
        return { keys };
      } finally {
        rootKey.fill(0);
        keyring.wipe();
      }
    });
  }

  /** Vault's sys/unseal: adds one key share; at the threshold, rebuilds the root key and unseals. */
  async unseal(key: Buffer): Promise<SealStatus> {
    const share = Buffer.from(key); // ours to wipe, whatever the caller does with theirs
    return this.#serial(async () => {
      await this.refresh();
      const config = this.#config;
      if (config === undefined) { share.fill(0); throw new NotInitialized(); }
      if (!this.barrier.sealed) { share.fill(0); return this.status(); }
      this.#addShare(config, share);
      if (this.#shares.length < config.secret_threshold) return this.status();
      // Success or failure, a complete attempt ends here: take the shares and reset progress.
      const shares = this.#shares;
      this.#clearProgress(false);
      try {
        await this.#openBarrier(config, shares);
      } finally {
        for (const s of shares) s.fill(0);
      }
      await this.#runUnsealListeners();
      return this.status();
    });
  }

  /** Vault's sys/unseal with reset: forgets the shares given so far. */
  resetUnseal(): SealStatus {
    this.#clearProgress(true);
    return this.status();
  }

  /** Vault's sys/seal: lets listeners tear down, then forgets every key. Sealing never fails to seal. */
  seal(): Promise<void> {
    return this.#serial(async () => {
      this.#clearProgress(true);
      if (this.barrier.sealed) return;
      await this.#sealNow();
    });
  }

  /** The stored share count and threshold; undefined before init. */
  get config(): SealConfig | undefined { return this.#config; }

  /** The current threshold, for operations that need an unsealed, initialised server (rekey, generate-root). */
  unsealedThreshold(): number {
    const config = this.#config;
    if (config === undefined) throw new BadRequest('server is not yet initialized');
    if (this.barrier.sealed) throw new Sealed();
    return config.secret_threshold;
  }

  /** Whether `rootKey` is the key the open barrier was unsealed with (rekey, generate-root). */
  isRootKey(rootKey: Buffer): boolean { return this.barrier.isRootKey(rootKey); }

  /**
   * Rekey's last step: the keyring is re-encrypted under `rootKey` and the new share count
   * stored, in one transaction; data entries are untouched (they are under the keyring's keys).
   */
  replaceRootKey(rootKey: Buffer, shares: number, threshold: number): Promise<void> {
    validateInitOptions({ secret_shares: shares, secret_threshold: threshold });
    return this.#serial(async () => {
      const config: SealConfig = { type: 'shamir', secret_shares: shares, secret_threshold: threshold };
      await this.barrier.replaceRootKey(rootKey, SEAL_CONFIG_PATH, Buffer.from(JSON.stringify(config), 'utf8'));
      this.#config = config;
    });
  }

  #addShare(config: SealConfig, share: Buffer): void {
    // A 1-of-1 key is the root key itself; a real share carries one more byte (its x-coordinate).
    const expected = config.secret_shares === 1 ? ROOT_KEY_BYTES : ROOT_KEY_BYTES + 1;
    if (share.length !== expected) {
      share.fill(0);
      throw new BadRequest('Error unsealing: invalid key length');
    }
    if (this.#shares.some((s) => timingSafeEqual(s, share))) {
      share.fill(0);
      throw new BadRequest('this key share has already been provided');
    }
    if (this.#shares.length === 0) this.#nonce = randomUUID();
    this.#shares.push(share);
  }

  async #openBarrier(config: SealConfig, shares: Buffer[]): Promise<void> {
    // Undefined e.g. for two shares from different inits with one x-coordinate.
    const rootKey = await combineShares(shares, config.secret_shares);
    if (rootKey === undefined) throw new BadRequest(INVALID_SHARES);
    try {
      await this.barrier.unseal(rootKey);
    } catch (err) {
      if (err instanceof DecryptFailed) throw new BadRequest(INVALID_SHARES);
      throw err;
    } finally {
      rootKey.fill(0);
    }
  }

  // Vault: if post-unseal setup fails, the node seals again rather than serve half mounted.
  async #runUnsealListeners(): Promise<void> {
    try {
      for (const fn of [...this.#listeners.unseal]) await fn();
    } catch (err) {
      await this.#sealNow().catch(() => undefined);
      throw err;
    }
  }

  // Seal listeners run while the barrier is still open, so core can flush; the barrier is
  // sealed even if one of them throws, and the first failure is reported afterwards.
  async #sealNow(): Promise<void> {
    let failure: unknown;
    for (const fn of [...this.#listeners.seal]) {
      try { await fn(); } catch (err) { failure ??= err; }
    }
    this.barrier.seal();
    if (failure !== undefined) throw failure;
  }

  #clearProgress(wipe: boolean): void {
    if (wipe) for (const s of this.#shares) s.fill(0);
    this.#shares = [];
    this.#nonce = '';
  }
}

function pickInit(o: InitOptions): InitOptions {
  return { secret_shares: o.secret_shares, secret_threshold: o.secret_threshold };
}
