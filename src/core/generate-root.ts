// Generate-root, as Vault's sys/generate-root/*: holders of a threshold of key shares mint a
// new root token without anyone having one. The token is returned only encoded: XOR-ed with a
// one-time password that the server hands out once, when the attempt starts (or that the
// caller supplies), then base64 without padding. Progress lives in memory, as in Vault: a
// restart or a seal resets it.
import type { ShamirSeal } from '../barrier/seal.js';
import { ShareCollector } from '../barrier/shares.js';
import { serial } from '../barrier/serial.js';
import { randomBase62 } from '../util/base62.js';
import { BadRequest } from '../util/errors.js';

/** Vault's length of a root token (24 characters behind the 4-character `hvs.` prefix), and so of the OTP. */
export const OTP_LENGTH = 28;
/** The token XOR-ed with the OTP, base64 without padding: Vault's encoded_token. */
export function encodeRootToken(token: string, otp: string): string {
  const t = Buffer.from(token, 'utf8');
  const o = Buffer.from(otp, 'utf8');
  if (t.length !== o.length) throw new Error('the OTP and the token differ in length');
  return Buffer.from(t.map((b, i) => b ^ (o[i] as number))).toString('base64').replace(/=+$/, '');
}

/** Vault's generate-root status and update body. */
export type GenerateRootStatus = {
  nonce: string; started: boolean; progress: number; required: number; complete: boolean;
  encoded_token: string; encoded_root_token: string; pgp_fingerprint: string; otp: string; otp_length: number;
};

type Attempt = { otp: string; collector: ShareCollector };

/** The one root generation a server may have in progress. */
export class RootGeneration {
  readonly #seal: ShamirSeal;
  readonly #mint: () => Promise<string>;
  readonly #serial = serial();
  #attempt: Attempt | undefined;

  /** `mint` creates a root token and returns its value. */
  constructor(seal: ShamirSeal, mint: () => Promise<string>) {
    this.#seal = seal;
    this.#mint = mint;
    seal.on('seal', () => this.cancel());
  }

  /** The attempt's state; `otp` is shown only in the answer to the start. */
  status(otp = ''): GenerateRootStatus {
    const required = this.#seal.unsealedThreshold();
    const a = this.#attempt;
    return {
      nonce: a?.collector.nonce ?? '', started: a !== undefined, progress: a?.collector.progress ?? 0, required,
      complete: false, encoded_token: '', encoded_root_token: '', pgp_fingerprint: '', otp, otp_length: OTP_LENGTH,
    };
  }

  /** Starts an attempt; without `otp` one is generated and returned in this answer only. */
  start(otp: string, pgpKey: string): GenerateRootStatus {
    if (pgpKey !== '') throw new BadRequest('PGP encryption of the root token is not supported');
    if (otp !== '' && otp.length !== OTP_LENGTH) throw new BadRequest('OTP string is wrong length');
    this.#seal.unsealedThreshold();
    if (this.#attempt) throw new BadRequest('root generation already in progress');
    const generated = otp === '' ? randomBase62(OTP_LENGTH) : '';
    this.#attempt = { otp: otp || generated, collector: new ShareCollector() };
    return this.status(generated);
  }

  cancel(): void {
    this.#attempt?.collector.wipe();
    this.#attempt = undefined;
  }

  /** One key share; at the threshold, a new root token, encoded with the attempt's OTP. */
  update(key: Buffer, nonce: string): Promise<GenerateRootStatus> {
    return this.#serial(async () => {
      const required = this.#seal.unsealedThreshold();
      const a = this.#attempt;
      if (!a) throw new BadRequest('no root generation in progress');
      if (nonce !== a.collector.nonce) throw new BadRequest(`incorrect nonce supplied; nonce for this root generation operation is "${a.collector.nonce}"`);
      const shares = a.collector.add(key, required, 'given key has already been provided during this generation operation');
      const answer = (progress: number, encoded: string): GenerateRootStatus => ({
        nonce, started: true, progress, required, complete: encoded !== '', encoded_token: encoded,
        encoded_root_token: encoded, pgp_fingerprint: '', otp: '', otp_length: 0,
      });
      if (!shares) return answer(a.collector.progress, '');
      // Unseal key shares, or with an auto seal recovery key shares, as in Vault.
      let valid: boolean;
      try { valid = await this.#seal.checkKeyShares(shares); } finally { for (const s of shares) s.fill(0); }
      // Vault keeps the attempt (and its OTP) after a wrong set of shares; progress starts over.
      if (!valid) throw new BadRequest('root generation aborted: root key verification failed: invalid key shares');
      const token = await this.#mint();
      this.#attempt = undefined;
      return answer(shares.length, encodeRootToken(token, a.otp));
    });
  }
}
