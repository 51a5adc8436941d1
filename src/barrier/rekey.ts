// Rekey, as Vault's sys/rekey/*: holders of the current key shares authorise a new root key
// split into a new number of shares. The keyring is re-encrypted under the new root key and
// the data is untouched. With require_verification the new shares are handed out first and
// installed only once a threshold of them has been typed back in, so a mistyped share is
// found out before the old ones stop working. Progress lives in memory, as in Vault: a
// restart or a seal resets it.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { BadRequest } from '../util/errors.js';
import type { ShamirSeal } from './seal.js';
import { validateInitOptions } from './seal-config.js';
import { combineShares, ROOT_KEY_BYTES, ShareCollector, splitRootKey } from './shares.js';
import { serial } from './serial.js';

/** What a rekey replaces: the root key's unseal shares, or (auto seal) the recovery key's shares. */
export type RekeyTarget = 'barrier' | 'recovery';

/** sys/rekey/init parameters. */
export type RekeyOptions = { secret_shares: number; secret_threshold: number; require_verification: boolean };

/** Vault's sys/rekey/init status. */
export type RekeyStatus = {
  nonce: string; started: boolean; t: number; n: number; progress: number; required: number;
  pgp_fingerprints: null; backup: false; verification_required: boolean; verification_nonce?: string;
};

/** Vault's answer to the update that completes a rekey. */
export type RekeyResult = {
  nonce: string; complete: true; keys: string[]; keys_base64: string[]; pgp_fingerprints: null; backup: false;
  verification_required: boolean; verification_nonce?: string;
};

/** Vault's sys/rekey/verify status. */
export type RekeyVerifyStatus = { nonce: string; started: boolean; t: number; n: number; progress: number };

type Verification = { nonce: string; rootKey: Buffer; collector: ShareCollector };
type Attempt = { options: RekeyOptions; collector: ShareCollector; verification?: Verification };

/** The one rekey operation a server may have in progress. */
export class Rekey {
  readonly #seal: ShamirSeal;
  readonly #target: RekeyTarget;
  readonly #serial = serial();
  #attempt: Attempt | undefined;

  constructor(seal: ShamirSeal, target: RekeyTarget = 'barrier') {
    this.#seal = seal;
    this.#target = target;
    // Vault forgets a rekey in progress when the server seals.
    seal.on('seal', () => this.cancel());
  }

  status(): RekeyStatus {
    const required = this.#seal.unsealedThreshold();
    const a = this.#attempt;
    const status: RekeyStatus = {
      nonce: a?.collector.nonce ?? '', started: a !== undefined, t: a?.options.secret_threshold ?? 0,
      n: a?.options.secret_shares ?? 0, progress: a?.collector.progress ?? 0, required,
      pgp_fingerprints: null, backup: false, verification_required: a?.options.require_verification ?? false,
    };
    if (a?.verification) status.verification_nonce = a.verification.nonce;
    return status;
  }

  init(options: RekeyOptions): RekeyStatus {
    if (options.secret_threshold > options.secret_shares) throw new BadRequest('provided threshold greater than the total shares');
    try {
      validateInitOptions(options);
    } catch (err) {
      throw new BadRequest(`invalid rekey seal configuration: ${(err as Error).message}`);
    }
    this.#seal.unsealedThreshold();
    if (this.#attempt) throw new BadRequest('rekey already in progress');
    this.#attempt = { options: { ...options }, collector: new ShareCollector() };
    return this.status();
  }

  cancel(): void {
    const a = this.#attempt;
    this.#attempt = undefined;
    a?.collector.wipe();
    a?.verification?.collector.wipe();
    a?.verification?.rootKey.fill(0);
  }

  /** One current key share; at the threshold, the new shares (installed unless verification is required). */
  update(key: Buffer, nonce: string): Promise<RekeyStatus | RekeyResult> {
    return this.#serial(async () => {
      const threshold = this.#seal.unsealedThreshold();
      const a = this.#attempt;
      if (!a) throw new BadRequest('no barrier rekey in progress');
      if (a.verification) {
        throw new BadRequest(`rekey operation already finished; verification must be performed; nonce for the verification operation is "${a.verification.nonce}"`);
      }
      if (nonce !== a.collector.nonce) throw new BadRequest(`incorrect nonce supplied; nonce for this rekey operation is "${a.collector.nonce}"`);
      const shares = a.collector.add(key, threshold, 'given key has already been provided during this rekey operation');
      if (!shares) return this.status();
      let valid: boolean;
      try { valid = await this.#seal.checkKeyShares(shares); } finally { for (const s of shares) s.fill(0); }
      if (!valid) throw new BadRequest(`${this.#target === 'recovery' ? 'recovery' : 'root'} key verification failed: invalid key shares`);
      const { secret_shares: n, secret_threshold: t, require_verification } = a.options;
      const rootKey = randomBytes(ROOT_KEY_BYTES);
      const keys = await splitRootKey(rootKey, n, t);
      const result: RekeyResult = {
        nonce: a.collector.nonce, complete: true, keys: keys.map((k) => k.toString('hex')),
        keys_base64: keys.map((k) => k.toString('base64')), pgp_fingerprints: null, backup: false,
        verification_required: require_verification,
      };
      for (const k of keys) k.fill(0);
      if (require_verification) {
        a.verification = { nonce: randomUUID(), rootKey, collector: new ShareCollector() };
        result.verification_nonce = a.verification.nonce;
        return result;
      }
      try {
        await this.#install(rootKey, n, t);
      } finally {
        rootKey.fill(0);
      }
      this.cancel();
      return result;
    });
  }

  verifyStatus(): RekeyVerifyStatus {
    this.#seal.unsealedThreshold();
    const a = this.#attempt;
    if (!a) throw new BadRequest('no rekey configuration found');
    return {
      nonce: a.verification?.nonce ?? '', started: a.verification !== undefined,
      t: a.options.secret_threshold, n: a.options.secret_shares, progress: a.verification?.collector.progress ?? 0,
    };
  }

  /** One of the new shares; at the new threshold, the new root key is installed. */
  verify(key: Buffer, nonce: string): Promise<RekeyVerifyStatus | { nonce: string; complete: true }> {
    return this.#serial(async () => {
      this.#seal.unsealedThreshold();
      const a = this.#attempt;
      if (!a) throw new BadRequest('no rekey in progress');
      const v = a.verification;
      if (!v) throw new BadRequest('no rekey verification in progress');
      if (nonce !== v.nonce) throw new BadRequest(`incorrect nonce supplied; nonce for this verify operation is "${v.nonce}"`);
      const shares = v.collector.add(key, a.options.secret_threshold, 'given key has already been provided during this verify operation');
      if (!shares) return this.verifyStatus();
      const typed = await combineShares(shares, a.options.secret_shares);
      for (const s of shares) s.fill(0);
      const valid = typed !== undefined && typed.length === v.rootKey.length && timingSafeEqual(typed, v.rootKey);
      typed?.fill(0);
      if (!valid) throw new BadRequest('rekey verification failed: the key shares do not match the new key');
      await this.#install(v.rootKey, a.options.secret_shares, a.options.secret_threshold);
      this.cancel();
      return { nonce, complete: true };
    });
  }

  #install(key: Buffer, shares: number, threshold: number): Promise<void> {
    return this.#target === 'recovery' ? this.#seal.replaceRecoveryKey(key, shares, threshold) : this.#seal.replaceRootKey(key, shares, threshold);
  }

  /** Vault's DELETE sys/rekey/verify: the verification starts over under a new nonce. */
  restartVerification(): RekeyVerifyStatus {
    this.#seal.unsealedThreshold();
    const v = this.#attempt?.verification;
    if (!v) throw new BadRequest('no rekey verification in progress');
    v.collector.wipe();
    this.#attempt!.verification = { ...v, nonce: randomUUID(), collector: new ShareCollector() };
    return this.verifyStatus();
  }
}
