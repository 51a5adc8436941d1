// AES-256-GCM with the wire format every barrier entry uses:
//   [version 1 byte][term 4 bytes BE][nonce 12 bytes][ciphertext][tag 16 bytes]
// The header and the entry's storage path are authenticated as AAD, so a ciphertext copied to
// another path, or relabelled with another term, fails to open instead of decrypting.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptFailed } from '../util/errors.js';

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

function header(term: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.writeUInt8(AEAD_VERSION, 0);
  h.writeUInt32BE(term, 1);
  return h;
}

function additionalData(head: Buffer, aad: string): Buffer {
  // One buffer, written in place: every barrier read and write makes one.
  const out = Buffer.allocUnsafe(head.length + Buffer.byteLength(aad, 'utf8'));
  head.copy(out, 0);
  out.write(aad, head.length, 'utf8');
  return out;
}

/** Encrypts `plaintext` under `key`, labelled with `term` and bound to `aad` (the storage path). */
export function encrypt(key: Buffer, term: number, plaintext: Buffer, aad: string): Buffer {
  // Programming errors, not caller errors: a wrong key size or term must never reach disk.
  if (key.length !== KEY_BYTES) throw new TypeError('AES-256-GCM needs a 32-byte key');
  if (!Number.isInteger(term) || term < 0 || term > MAX_TERM) throw new RangeError('term out of range');
  const head = header(term);
  // Random 96-bit nonces: safe for ~2^32 messages per key, which is what rotation is for.
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(head, aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([head, nonce, body, cipher.getAuthTag()]);
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
  const head = ciphertext.subarray(0, HEADER_BYTES);
  const nonce = ciphertext.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES);
  const body = ciphertext.subarray(HEADER_BYTES + NONCE_BYTES, ciphertext.length - TAG_BYTES);
  const tag = ciphertext.subarray(ciphertext.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(head, aad));
    decipher.setAuthTag(tag);
    const plain = decipher.update(body);
    // GCM hands everything out from update(); final() only checks the tag (and throws).
    const rest = decipher.final();
    return rest.length === 0 ? plain : Buffer.concat([plain, rest]);
  } catch {
    // One fixed error whatever went wrong: the reason would be an oracle.
    throw new DecryptFailed();
  }
}
