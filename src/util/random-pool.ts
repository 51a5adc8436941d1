// Random bytes for values that must be unpredictable and unique but are not secret: AEAD
// nonces, record ids. Each crypto.randomBytes call is one trip into OpenSSL's DRBG (with its
// locking and error-queue bookkeeping), which costs more than encrypting a small value; every
// durable write needs a few such values. So they are cut from a pool filled 4 KiB at a time
// from the same CSPRNG, as Node does for randomUUID. Keys and tokens never come from here:
// a secret should not sit in a buffer waiting to be used.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/** Fills `target` (at most 4096 bytes) with fresh random bytes; no byte is handed out twice. */
export function fillFromPool(target: Uint8Array): void {
  const n = target.length;
  if (n > POOL_BYTES) throw new RangeError('fillFromPool: at most 4096 bytes');
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  target.set(pool.subarray(offset, offset + n));
  // Spent bytes are zeroed, so the pool never holds a value already given out.
  pool.fill(0, offset, offset + n);
  offset += n;
}

/** `n` (at most 4096) fresh random bytes in a Buffer of their own. */
export function poolRandomBytes(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  fillFromPool(out);
  return out;
}
