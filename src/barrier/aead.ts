// AES-256-GCM with the wire format every barrier entry uses:
//   [version 1 byte][term 4 bytes BE][nonce 12 bytes][ciphertext][tag 16 bytes]
// The header and the entry's storage path are authenticated as AAD, so a ciphertext copied to
// another path, or relabelled with another term, fails to open instead of decrypting.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { DecryptFailed } from '../util/errors.js';
import { fillFromPool } from '../util/random-pool.js';

/** The only format version written today; readers refuse any other. */
export const AEAD_VERSION = 1;
/** Bytes of version + term that open every ciphertext. */
export const HEADER_BYTES = 5;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const MIN_BYTES = HEADER_BYTES + NONCE_BYTES + TAG_BYTES;
/** The largest term the 4-byte header field can name. */
export const MAX_TERM = 0xffff_ffff;

// The AAD is the header followed by the path's UTF-8 bytes, built in one buffer. OpenSSL
// takes the AAD in at setAAD (GCM hashes it there), so one scratch buffer serves every call;
// a path too long for it gets a buffer of its own.
const AAD_SCRATCH = Buffer.alloc(1024);

function additionalData(term: number, aad: string): Buffer {
  const room = AAD_SCRATCH.length - HEADER_BYTES;
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so this is known to fit without measuring.
  const out = aad.length * 3 <= room ? AAD_SCRATCH : Buffer.allocUnsafe(HEADER_BYTES + Buffer.byteLength(aad, 'utf8'));
  out.writeUInt8(AEAD_VERSION, 0);
  out.writeUInt32BE(term, 1);
  const n = out.write(aad, HEADER_BYTES, 'utf8');
  return out === AAD_SCRATCH ? out.subarray(0, HEADER_BYTES + n) : out;
}

/** Encrypts `plaintext` under `key`, labelled with `term` and bound to `aad` (the storage path). */
export function encrypt(key: Buffer, term: number, plaintext: Buffer, aad: string): Buffer {
  // Programming errors, not caller errors: a wrong key size or term must never reach disk.
  if (key.length !== KEY_BYTES) throw new TypeError('AES-256-GCM needs a 32-byte key');
  if (!Number.isInteger(term) || term < 0 || term > MAX_TERM) throw new RangeError('term out of range');
  // The entry is laid out in one buffer: header, nonce, ciphertext (GCM's is as long as the
  // plaintext), tag. Fewer copies per write than concatenating the parts.
  const out = Buffer.allocUnsafe(HEADER_BYTES + NONCE_BYTES + plaintext.length + TAG_BYTES);
  out.writeUInt8(AEAD_VERSION, 0);
  out.writeUInt32BE(term, 1);
  const nonce = out.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES);
  // Random 96-bit nonces: safe for ~2^32 messages per key, which is what rotation is for.
  fillFromPool(nonce);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(term, aad));
  let at = HEADER_BYTES + NONCE_BYTES;
  at += cipher.update(plaintext).copy(out, at);
  at += cipher.final().copy(out, at);
  cipher.getAuthTag().copy(out, at);
  return out;
}

/** The term a ciphertext names; DecryptFailed if it is too short or of an unknown version. */
export function ciphertextTerm(ciphertext: Buffer): number {
  if (ciphertext.length < MIN_BYTES || ciphertext.readUInt8(0) !== AEAD_VERSION) {
    throw new DecryptFailed();
  }
  return ciphertext.readUInt32BE(1);
}

/** Opens a ciphertext made by `encrypt` with the same key and AAD; anything else is DecryptFailed. */
export function decrypt(key: Buffer, ciphertext: Buffer, aad: string): Buffer {
  ciphertextTerm(ciphertext); // length and version check
  if (key.length !== KEY_BYTES) throw new DecryptFailed();
  const nonce = ciphertext.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES);
  const body = ciphertext.subarray(HEADER_BYTES + NONCE_BYTES, ciphertext.length - TAG_BYTES);
  const tag = ciphertext.subarray(ciphertext.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(ciphertext.readUInt32BE(1), aad));
    decipher.setAuthTag(tag);
    const plain = decipher.update(body);
    // final() checks the tag; for GCM it adds no bytes, so the update's buffer is the answer.
    const rest = decipher.final();
    return rest.length === 0 ? plain : Buffer.concat([plain, rest]);
  } catch {
    // One fixed error whatever went wrong: the reason would be an oracle.
    throw new DecryptFailed();
  }
}
