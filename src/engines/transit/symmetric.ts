// Encryption and decryption with a key version, byte-compatible with Vault: AEAD output is
// nonce(12) ‖ ciphertext ‖ tag(16); derived keys come from HKDF-SHA256(key, no salt, context);
// convergent (version 3) nonces are HMAC-SHA256(second half of the derived key, plaintext).
import {
  constants, createCipheriv, createDecipheriv, createHmac, hkdfSync, privateDecrypt, publicEncrypt, randomFillSync,
  type CipherGCM, type CipherGCMTypes, type DecipherGCM,
} from 'node:crypto';
import { BadRequest } from '../../util/errors.js';
import { aeadKeyBytes, capabilitiesOf, cipherName } from './key-types.js';
import { decodeBase64, frame, unframe } from './encoding.js';
import { privateKeyOf, publicKeyOf, symmetricKeyOf } from './material.js';
import { entryOf, type KeyEntry, type KeyPolicy } from './policy.js';

/** Vault's refusal of a version below min_decryption_version. */
export const ERR_TOO_OLD = 'ciphertext or signature version is disallowed by policy (too old)';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Options of one encrypt or decrypt call. */
export type CipherOptions = { context?: Buffer; nonce?: Buffer; associatedData?: Buffer };

/** The version an encrypt-side operation uses, checked as Vault checks it. */
export function encryptionVersion(p: KeyPolicy, requested: number, verb = 'encryption'): number {
  if (requested === 0) return p.latest_version;
  if (requested < 0) throw new BadRequest(`requested version for ${verb} is negative`);
  if (requested > p.latest_version) throw new BadRequest(`requested version for ${verb} is higher than the latest key version`);
  if (requested < p.min_encryption_version) {
    throw new BadRequest(`requested version for ${verb} is less than the minimum encryption key version`);
  }
  return requested;
}

/** A version's entry, or Vault's error when it was trimmed away. */
export function liveEntry(p: KeyPolicy, version: number): KeyEntry {
  const entry = entryOf(p, version);
  if (!entry) throw new BadRequest('no such key version');
  return entry;
}

/** The key bytes a version uses for this context: the raw key, or one derived from it. */
export function keyFor(p: KeyPolicy, version: number, context: Buffer | undefined, bytes: number): Buffer {
  const entry = liveEntry(p, version);
  if (!p.derived) return symmetricKeyOf(entry);
  if (!capabilitiesOf(p.type).derivation) throw new BadRequest(`derivation not supported for key type ${p.type}`);
  if (!context || context.length === 0) {
    throw new BadRequest(
      "missing 'context' for key derivation; the key was created using a derived key, which means additional, per-request information must be included in order to perform operations with the key",
    );
  }
  return Buffer.from(hkdfSync('sha256', symmetricKeyOf(entry), Buffer.alloc(0), context, bytes));
}

// Random nonces are cut from a pool refilled from the CSPRNG 4,096 at a time: one call to the
// generator per nonce costs more than the encryption itself in large batches.
const NONCE_POOL = Buffer.alloc(NONCE_BYTES * 4096);
let poolOffset = NONCE_POOL.length;

function randomNonce(): Buffer {
  if (poolOffset === NONCE_POOL.length) {
    randomFillSync(NONCE_POOL);
    poolOffset = 0;
  }
  // A copy: the pool is overwritten on the next refill.
  const nonce = Buffer.from(NONCE_POOL.subarray(poolOffset, poolOffset + NONCE_BYTES));
  poolOffset += NONCE_BYTES;
  return nonce;
}

const convergentVersionOf = (p: KeyPolicy, version: number): number =>
  p.convergent_encryption ? (entryOf(p, version)?.convergent_version ?? 3) : 0;

/**
 * The nonce of one encryption. Convergent schemes, as Vault numbers them: 1 takes the
 * caller's nonce, 2 is HMAC-SHA256(context, plaintext), 3 HMAC-SHA256 under the derived
 * key's second half; otherwise it is random.
 */
function nonceFor(scheme: number, hmacKey: Buffer, plaintext: Buffer, opts: CipherOptions): Buffer {
  if (scheme === 1) {
    if (opts.nonce?.length !== NONCE_BYTES) throw new BadRequest(`base64-decoded nonce must be ${NONCE_BYTES} bytes long when using convergent encryption with this key`);
    return opts.nonce;
  }
  if (scheme === 2) return createHmac('sha256', opts.context ?? Buffer.alloc(0)).update(plaintext).digest().subarray(0, NONCE_BYTES);
  if (scheme >= 3) return createHmac('sha256', hmacKey).update(plaintext).digest().subarray(0, NONCE_BYTES);
  return randomNonce();
}

/** Encrypts base64-decoded plaintext; returns Vault's framed ciphertext. */
export function encrypt(p: KeyPolicy, requested: number, plaintext: Buffer, opts: CipherOptions): { ciphertext: string; version: number } {
  if (!capabilitiesOf(p.type).encryption) throw new BadRequest(`message encryption not supported for key type ${p.type}`);
  const version = encryptionVersion(p, requested);
  if (opts.nonce && opts.nonce.length > 0 && convergentVersionOf(p, version) !== 1) {
    throw new BadRequest('provided nonce not allowed for this key');
  }
  if (!capabilitiesOf(p.type).aead) {
    if (opts.associatedData?.length) throw new BadRequest(`associated data not supported for key type ${p.type}`);
    const sealed = publicEncrypt({ key: publicKeyOf(p.type, liveEntry(p, version)), oaepHash: 'sha256', padding: constants.RSA_PKCS1_OAEP_PADDING }, plaintext);
    return { ciphertext: frame(version, sealed.toString('base64')), version };
  }
  const encBytes = aeadKeyBytes(p.type);
  const scheme = convergentVersionOf(p, version);
  const key = keyFor(p, version, opts.context, scheme >= 3 ? encBytes + 32 : encBytes);
  const nonce = nonceFor(scheme, key.subarray(encBytes), plaintext, opts);
  const cipher = createCipheriv(cipherName(p.type) as CipherGCMTypes, key.subarray(0, encBytes), nonce, { authTagLength: TAG_BYTES }) as CipherGCM;
  if (opts.associatedData?.length) cipher.setAAD(opts.associatedData, { plaintextLength: plaintext.length });
  const body = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { ciphertext: frame(version, body.toString('base64')), version };
}

/** Decrypts a framed ciphertext; every authentication failure has one message. */
export function decrypt(p: KeyPolicy, ciphertext: string, opts: CipherOptions): { plaintext: Buffer; version: number } {
  if (!capabilitiesOf(p.type).encryption) throw new BadRequest(`message decryption not supported for key type ${p.type}`);
  const framed = unframe(ciphertext, 'ciphertext');
  const version = framed.version === 0 ? 1 : framed.version;
  if (version > p.latest_version) throw new BadRequest('invalid ciphertext: version is too new');
  if (p.min_decryption_version > 0 && version < p.min_decryption_version) throw new BadRequest(ERR_TOO_OLD);
  if (convergentVersionOf(p, version) === 1 && !opts.nonce?.length) throw new BadRequest('invalid convergent nonce supplied');
  let body: Buffer;
  try {
    body = decodeBase64(framed.payload);
  } catch {
    throw new BadRequest('invalid ciphertext: could not decode base64');
  }
  if (!capabilitiesOf(p.type).aead) {
    try {
      const plaintext = privateDecrypt({ key: privateKeyOf(p.type, liveEntry(p, version)), oaepHash: 'sha256', padding: constants.RSA_PKCS1_OAEP_PADDING }, body);
      return { plaintext, version };
    } catch (err) {
      if (err instanceof BadRequest) throw err;
      throw new BadRequest('failed to RSA decrypt the ciphertext');
    }
  }
  const encBytes = aeadKeyBytes(p.type);
  const key = keyFor(p, version, opts.context, encBytes);
  if (body.length < NONCE_BYTES + TAG_BYTES) throw new BadRequest('invalid ciphertext: unable to decrypt');
  const nonce = body.subarray(0, NONCE_BYTES);
  const sealed = body.subarray(NONCE_BYTES, body.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv(cipherName(p.type) as CipherGCMTypes, key.subarray(0, encBytes), nonce, { authTagLength: TAG_BYTES }) as DecipherGCM;
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    if (opts.associatedData?.length) decipher.setAAD(opts.associatedData, { plaintextLength: sealed.length });
    return { plaintext: Buffer.concat([decipher.update(sealed), decipher.final()]), version };
  } catch {
    throw new BadRequest('cipher: message authentication failed');
  }
}
