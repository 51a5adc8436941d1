// The unseal key shares given so far towards the threshold, under one nonce; it owns and wipes them.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { BadRequest } from '../util/errors.js';
import { ROOT_KEY_BYTES } from './shares.js';

export class UnsealProgress {
  #shares: Buffer[] = [];
  #nonce = '';

  /** How many shares are in. */
  get count(): number { return this.#shares.length; }

  /** A UUID while an attempt is in progress, '' otherwise. */
  get nonce(): string { return this.#nonce; }

  /** Takes `share` (wiping it if refused): it must have a share's length and not be a repeat. */
  add(keys: { secret_shares: number }, share: Buffer): void {
    // A 1-of-1 key is the root key itself; a real share carries one more byte (its x-coordinate).
    const expected = keys.secret_shares === 1 ? ROOT_KEY_BYTES : ROOT_KEY_BYTES + 1;
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

  /** Hands over the shares (the caller wipes them) and starts over. */
  take(): Buffer[] {
    const shares = this.#shares;
    this.clear(false);
    return shares;
  }

  /** Starts over, wiping the shares held unless they were handed over. */
  clear(wipe: boolean): void {
    if (wipe) for (const s of this.#shares) s.fill(0);
    this.#shares = [];
    this.#nonce = '';
  }
}
