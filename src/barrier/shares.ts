// Key shares: splitting a root key with Shamir's scheme, putting it back together, and
// collecting shares one request at a time towards a threshold, as unseal, rekey and
// generate-root all do. A collector owns the share buffers it holds and wipes them.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { combine, split } from 'shamir-secret-sharing';
import { BadRequest } from '../util/errors.js';

export const ROOT_KEY_BYTES = 32;
// Vault's bounds for a submitted share: the shortest AES key, the longest plus Shamir's x byte.
const MIN_SHARE_BYTES = 16;
const MAX_SHARE_BYTES = ROOT_KEY_BYTES + 1;

// Views, not copies, so that wiping one wipes the only copy of the bytes. The library insists
// on plain Uint8Arrays (it checks `constructor ===`), so a Buffer must be re-viewed to pass.
const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const asBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

// Vault: with a single share there is nothing to split, and the unseal key is the root key.
export async function splitRootKey(rootKey: Buffer, shares: number, threshold: number): Promise<Buffer[]> {
  if (shares === 1) return [Buffer.from(rootKey)];
  return (await split(asBytes(rootKey), shares, threshold)).map(asBuffer);
}

/** The root key from a threshold of shares; undefined when they do not combine (mixed sets, bad lengths). */
export async function combineShares(shares: Buffer[], totalShares: number): Promise<Buffer | undefined> {
  try {
    return totalShares === 1 ? Buffer.from(shares[0] as Buffer) : asBuffer(await combine(shares.map(asBytes)));
  } catch {
    return undefined;
  }
}

/** Shares submitted one by one towards a threshold, under one nonce. */
export class ShareCollector {
  readonly nonce = randomUUID();
  #shares: Buffer[] = [];

  get progress(): number { return this.#shares.length; }

  /**
   * Adds a copy of `key`. Returns every share once `threshold` are in (progress starts over;
   * the caller wipes them), undefined before that. `duplicate` is the refusal for a repeat.
   */
  add(key: Buffer, threshold: number, duplicate: string): Buffer[] | undefined {
    if (key.length < MIN_SHARE_BYTES) throw new BadRequest(`key is shorter than minimum ${MIN_SHARE_BYTES} bytes`);
    if (key.length > MAX_SHARE_BYTES) throw new BadRequest(`key is longer than maximum ${MAX_SHARE_BYTES} bytes`);
    if (this.#shares.some((s) => s.length === key.length && timingSafeEqual(s, key))) throw new BadRequest(duplicate);
    this.#shares.push(Buffer.from(key));
    if (this.#shares.length < threshold) return undefined;
    const all = this.#shares;
    this.#shares = [];
    return all;
  }

  /** Forgets (and wipes) the shares given so far. */
  wipe(): void {
    for (const s of this.#shares) s.fill(0);
    this.#shares = [];
  }
}
