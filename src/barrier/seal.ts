// The seal, as Vault does it. Shamir (the default): init makes a random root key and hands it
// out split into shares; unseal collects shares until the threshold, rebuilds the root key and
// opens the barrier's keyring with it. Only the share count and threshold are stored, in
// plaintext. With an auto seal (a SealWrapper: transit, PKCS#11) the root key is stored
// wrapped by the seal and the server unseals itself; init hands out recovery key shares
// instead (auto-seal.ts), and seal migration (migration.ts) moves between the two.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../util/clock.js';
import { BadRequest, DecryptFailed, Internal, NotInitialized, Sealed } from '../util/errors.js';
import type { Storage } from '../storage/storage.js';
import { Barrier, SEAL_CONFIG_PATH } from './barrier.js';
import { Keyring } from './keyring.js';
import { serial } from './serial.js';
import { combineShares, ROOT_KEY_BYTES, splitRootKey } from './shares.js';
import { checkInitParameters, isRecoveryKey, newRecoveryKey, unwrapRootKey, type RecoveryConfig } from './auto-seal.js';
import { migrationEntries, migrationOf, MIGRATE_NOT_PENDING, MIGRATE_REQUIRED, sealConfigEntry, type Migration } from './migration.js';
import { autoConfig, pickInit, validateInitOptions, type InitOptions, type SealConfig } from './seal-config.js';
import { SealListeners, type SealEvent, type SealListener } from './seal-listeners.js';
import { decodeStoredSeal, initEntries, writeInitEntries, writeRecoveryKey } from './seal-store.js';
import { INVALID_SHARES, rootKeyOf } from './unseal-keys.js';
import { UnsealProgress } from './unseal-progress.js';
import type { SealSetup, SealType } from './wrapper.js';

export type { SealSetup };

/** Vault's sys/seal-status fields that the seal owns. */
export type SealStatus = {
  type: SealType;
  initialized: boolean;
  sealed: boolean;
  t: number;
  n: number;
  progress: number;
  /** A UUID while an unseal attempt is in progress, '' otherwise. */
  nonce: string;
  /** A seal migration waits for keys given with migrate = true. */
  migration: boolean;
  /** t and n count recovery keys (an auto seal), not unseal keys. */
  recovery_seal: boolean;
};

/** What auto-unseal found: done, nothing to do yet, or a reason it never will. */
export type AutoUnsealResult = 'unsealed' | 'not-initialized' | 'not-auto';

/** The seal over one physical backend (Shamir unless set up with an auto seal); one per server. */
export class ShamirSeal {
  /** The encrypting storage this seal opens and closes. */
  readonly barrier: Barrier;
  readonly #physical: Storage;
  readonly #clock: Clock;
  readonly #setup: SealSetup;
  readonly #serial = serial();
  readonly #listeners = new SealListeners();
  #config: SealConfig | undefined;
  #recovery: RecoveryConfig | undefined;
  #migration: Migration | undefined;
  readonly #progress = new UnsealProgress();

  private constructor(physical: Storage, clock: Clock, setup: SealSetup) {
    this.#physical = physical;
    this.#clock = clock;
    this.#setup = setup;
    this.barrier = new Barrier(physical, clock);
  }

  /** Reads the seal configuration from `physical`; the result is always sealed. */
  static async open(physical: Storage, clock: Clock, setup: SealSetup = {}): Promise<ShamirSeal> {
    const seal = new ShamirSeal(physical, clock, setup);
    await seal.refresh();
    return seal;
  }

  /**
   * Re-reads the seal configuration while none is known: with several nodes over one store
   * (HA), another node may have run sys/init since this one opened it.
   */
  async refresh(): Promise<void> {
    if (this.#config !== undefined) return;
    const raw = await this.#physical.get(SEAL_CONFIG_PATH);
    if (raw === undefined || this.#config !== undefined) return;
    const { config, recovery } = await decodeStoredSeal(this.#physical, raw);
    this.#load(config, recovery);
  }

  /** The configured seal's type (what a new init would use). */
  get type(): SealType { return this.#setup.wrapper?.type ?? 'shamir'; }

  /** Whether key holders hold recovery keys rather than unseal keys. */
  get recoverySeal(): boolean {
    return this.#config ? this.#config.type !== 'shamir' : this.#setup.wrapper !== undefined;
  }

  /** A pending migration, as "from → to", for the start-up log; undefined when none. */
  get migration(): Migration | undefined { return this.#migration; }

  /** Vault's seal-status, minus the fields the server adds (version, cluster name…). */
  status(): SealStatus {
    const c = this.#config;
    const sealed = this.barrier.sealed;
    const keys = this.#keyConfig();
    return {
      type: c?.type ?? this.type,
      initialized: c !== undefined,
      sealed,
      t: keys?.secret_threshold ?? 0,
      n: keys?.secret_shares ?? 0,
      progress: sealed ? this.#progress.count : 0,
      nonce: sealed ? this.#progress.nonce : '',
      migration: sealed && this.#migration !== undefined,
      recovery_seal: this.recoverySeal,
    };
  }

  /** Registers `fn` to run after every unseal or before every seal; returns its unregistration. */
  on(event: SealEvent, fn: SealListener): () => void {
    return this.#listeners.on(event, fn);
  }

  /** Vault's rule: only the parameters of this seal's kind (unseal or recovery keys) may be given. */
  checkInitParameters(given: Record<string, boolean>): void {
    checkInitParameters(this.#setup.wrapper !== undefined, this.type, given);
  }

  /**
   * Vault's sys/init: makes the root key and keyring and returns the unseal keys, or with an
   * auto seal the recovery keys (the root key goes to storage wrapped); stays sealed.
   */
  async initialize(options: InitOptions): Promise<{ keys: Buffer[]; recoveryKeys: Buffer[] }> {
    validateInitOptions(options);
    const wrapper = this.#setup.wrapper;
    return this.#serial(async () => {
      if (this.#config !== undefined) throw new BadRequest('Vault is already initialized');
      const shares = pickInit(options);
      const config: SealConfig = wrapper ? autoConfig(wrapper.type) : { type: 'shamir', ...shares };
      const rootKey = randomBytes(ROOT_KEY_BYTES);
      const recoveryKey = wrapper ? newRecoveryKey() : undefined;
      const keyring = Keyring.create(this.#clock.now());
      try {
        const keys = await splitRootKey(recoveryKey ?? rootKey, shares.secret_shares, shares.secret_threshold);
        const auto = wrapper && recoveryKey ? { wrapper, recoveryKey, shares } : undefined;
        const entries = await initEntries(config, rootKey, keyring, auto);
        await writeInitEntries(this.#physical, entries).catch((err: unknown) => {
          for (const k of keys) k.fill(0); // keys to a store that was never written
          throw err;
        });
        this.#load(config, wrapper ? shares : undefined);
        return wrapper ? { keys: [], recoveryKeys: keys } : { keys, recoveryKeys: [] };
      } finally {
        rootKey.fill(0);
        recoveryKey?.fill(0);
        keyring.wipe();
      }
    });
  }

  /**
   * Unseals with the root key the auto seal unwraps, as Vault does at start. Not during a
   * migration (the operator's keys are needed) and never with Shamir.
   */
  autoUnseal(): Promise<AutoUnsealResult> {
    return this.#serial(async () => {
      await this.refresh();
      const wrapper = this.#setup.wrapper;
      if (!wrapper) return 'not-auto';
      if (this.#config === undefined) return 'not-initialized';
      if (this.#migration) return 'not-auto';
      this.#checkMatches();
      if (!this.barrier.sealed) return 'unsealed';
      const rootKey = await unwrapRootKey(this.#physical, wrapper);
      try {
        await this.barrier.unseal(rootKey);
      } catch (err) {
        if (err instanceof DecryptFailed) throw new Internal(`the root key unwrapped by the ${wrapper.type} seal does not open the keyring`);
        throw err;
      } finally {
        rootKey.fill(0);
      }
      await this.#runUnsealListeners();
      return 'unsealed';
    });
  }

  /**
   * Vault's sys/unseal: adds one key share; at the threshold, rebuilds the root key and
   * unseals. With an auto seal the shares are recovery key shares, and the root key comes from
   * the seal; `migrate` is required exactly while a seal migration is pending.
   */
  async unseal(key: Buffer, migrate = false): Promise<SealStatus> {
    const share = Buffer.from(key); // ours to wipe, whatever the caller does with theirs
    return this.#serial(async () => {
      await this.refresh();
      const config = this.#config;
      const keys = this.#keyConfig();
      try {
        // Vault's order: the migrate flag is checked before anything else.
        if (!this.#migration && migrate) throw new BadRequest(MIGRATE_NOT_PENDING);
        if (this.#migration && !migrate && this.barrier.sealed) throw new BadRequest(MIGRATE_REQUIRED);
        this.#checkMatches();
      } catch (err) {
        share.fill(0);
        throw err;
      }
      if (config === undefined || keys === undefined) { share.fill(0); throw new NotInitialized(); }
      if (!this.barrier.sealed) { share.fill(0); return this.status(); }
      this.#progress.add(keys, share);
      if (this.#progress.count < keys.secret_threshold) return this.status();
      // Success or failure, a complete attempt ends here: take the shares and reset progress.
      const shares = this.#progress.take();
      const combined = await combineShares(shares, keys.secret_shares);
      for (const s of shares) s.fill(0);
      if (combined === undefined) throw new BadRequest(INVALID_SHARES);
      try {
        await this.#openBarrier(config, combined);
        if (this.#migration) await this.#migrate(this.#migration, combined);
      } catch (err) {
        this.barrier.seal();
        throw err;
      } finally {
        combined.fill(0);
      }
      await this.#runUnsealListeners();
      return this.status();
    });
  }

  /** Vault's sys/unseal with reset: forgets the shares given so far. */
  resetUnseal(): SealStatus {
    this.#progress.clear(true);
    return this.status();
  }

  /** Vault's sys/seal: lets listeners tear down, then forgets every key. Sealing never fails to seal. */
  seal(): Promise<void> {
    return this.#serial(async () => {
      this.#progress.clear(true);
      if (this.barrier.sealed) return;
      await this.#sealNow();
    });
  }

  /** Releases the auto seals' connections and sessions (server shutdown). */
  async close(): Promise<void> {
    await this.#setup.wrapper?.close();
    await this.#setup.previous?.close();
  }

  /** The stored share count and threshold; undefined before init. */
  get config(): SealConfig | undefined { return this.#config; }

  /**
   * The threshold of the keys that authorise operations on an unsealed, initialised server
   * (generate-root): unseal keys, or with an auto seal recovery keys.
   */
  unsealedThreshold(): number {
    const keys = this.#keyConfig();
    if (keys === undefined) throw new BadRequest('server is not yet initialized');
    if (this.barrier.sealed) throw new Sealed();
    return keys.secret_threshold;
  }

  /** Whether `rootKey` is the key the open barrier was unsealed with (rekey, generate-root). */
  isRootKey(rootKey: Buffer): boolean { return this.barrier.isRootKey(rootKey); }

  /** Whether a complete set of key shares (unseal or recovery) combines to this server's key. */
  async checkKeyShares(shares: Buffer[]): Promise<boolean> {
    const keys = this.#keyConfig();
    const combined = await combineShares(shares, keys?.secret_shares ?? 0);
    if (combined === undefined) return false;
    try {
      const wrapper = this.#setup.wrapper;
      if (this.#config?.type === 'shamir' || !wrapper) return this.isRootKey(combined);
      return await isRecoveryKey(this.#physical, wrapper, combined);
    } finally {
      combined.fill(0);
    }
  }

  /**
   * Rekey's last step: the keyring is re-encrypted under `rootKey` and the new share count
   * stored, in one transaction; data entries are untouched (they are under the keyring's keys).
   */
  replaceRootKey(rootKey: Buffer, shares: number, threshold: number): Promise<void> {
    validateInitOptions({ secret_shares: shares, secret_threshold: threshold });
    return this.#serial(async () => {
      if (this.#config?.type !== 'shamir') throw new BadRequest('rekeying the root key is not supported with an auto seal');
      const config: SealConfig = { type: 'shamir', secret_shares: shares, secret_threshold: threshold };
      await this.barrier.replaceRootKey(rootKey, [sealConfigEntry(config)]);
      this.#config = config;
    });
  }

  /** Recovery rekey's last step: the new recovery key, wrapped, and its share count, in one transaction. */
  replaceRecoveryKey(recoveryKey: Buffer, shares: number, threshold: number): Promise<void> {
    validateInitOptions({ secret_shares: shares, secret_threshold: threshold });
    const copy = Buffer.from(recoveryKey);
    return this.#serial(async () => {
      try {
        const wrapper = this.#setup.wrapper;
        if (this.#config?.type === 'shamir' || !wrapper || this.#migration) throw new BadRequest('recovery keys exist only with an auto seal');
        if (this.barrier.sealed) throw new Sealed();
        const recovery = { secret_shares: shares, secret_threshold: threshold };
        await writeRecoveryKey(this.#physical, wrapper, recovery, copy);
        this.#recovery = recovery;
      } finally {
        copy.fill(0);
      }
    });
  }

  #load(config: SealConfig, recovery: RecoveryConfig | undefined): void {
    this.#config = config;
    this.#recovery = recovery;
    this.#migration = migrationOf(config.type, this.#setup);
  }

  /** The shares operators type: the unseal keys' config, or the recovery keys'. */
  #keyConfig(): { secret_shares: number; secret_threshold: number } | undefined {
    return this.#config?.type === 'shamir' ? this.#config : this.#recovery;
  }

  /** Refuses to go on when the stored seal is not the configured one and no migration says how. */
  #checkMatches(): void {
    const stored = this.#config?.type;
    if (stored === undefined || this.#migration || stored === this.type) return;
    throw new BadRequest(`the stored seal is ${stored} but the configured seal is ${this.type}: configure the ${stored} seal, `
      + `or to migrate, keep its block with disabled = "true" beside the new one and unseal with migrate = true`);
  }

  // Shamir: the combined shares are the root key. Auto seal: they are the recovery key, checked
  // against the stored one; the root key comes from the seal that wrapped it.
  async #openBarrier(config: SealConfig, combined: Buffer): Promise<void> {
    const rootKey = await rootKeyOf(this.#physical, config, this.#migration?.fromWrapper ?? this.#setup.wrapper, combined);
    try {
      await this.barrier.unseal(rootKey);
    } catch (err) {
      if (err instanceof DecryptFailed) throw new BadRequest(INVALID_SHARES);
      throw err;
    } finally {
      if (rootKey !== combined) rootKey.fill(0);
    }
  }

  // The barrier is open; the new seal's entries and the keyring under the new root key are
  // written in one transaction, so a crash leaves the old seal or the new one, never half.
  async #migrate(m: Migration, typed: Buffer): Promise<void> {
    // Auto to auto keeps the root key: the old seal unwraps it for the new one to wrap.
    const currentRoot = m.fromWrapper && m.toWrapper ? await unwrapRootKey(this.#physical, m.fromWrapper) : undefined;
    try {
      const plan = await migrationEntries(m, this.#keyConfig()!, typed, currentRoot);
      try {
        await this.barrier.replaceRootKey(plan.rootKey, plan.entries);
        this.#load(plan.config, plan.recovery);
      } finally {
        plan.rootKey.fill(0);
      }
    } finally {
      currentRoot?.fill(0);
    }
  }

  // Vault: if post-unseal setup fails, the node seals again rather than serve half mounted.
  async #runUnsealListeners(): Promise<void> {
    try {
      await this.#listeners.afterUnseal();
    } catch (err) {
      await this.#sealNow().catch(() => undefined);
      throw err;
    }
  }

  // Seal listeners run while the barrier is still open, so core can flush; the barrier is
  // sealed even if one of them throws, and the first failure is reported afterwards.
  async #sealNow(): Promise<void> {
    const failure = await this.#listeners.beforeSeal();
    this.barrier.seal();
    if (failure !== undefined) throw failure;
  }
}
