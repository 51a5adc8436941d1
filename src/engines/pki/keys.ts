// Key material: generation (RSA on the low-priority threads of keygen-pool.ts, so the event
// loop keeps serving; EC and Ed25519, microseconds each, with node:crypto's async
// generateKeyPair), PEM in Vault's encodings, and WebCrypto signing keys.
import { createPrivateKey, createPublicKey, generateKeyPair, webcrypto, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { BadRequest } from '../../util/errors.js';
import { generateRsaKey } from './keygen-pool.js';

const generate = promisify(generateKeyPair);

export type KeyType = 'rsa' | 'ec' | 'ed25519';

const RSA_BITS = [2048, 3072, 4096, 8192];
const EC_CURVES: Record<number, string> = { 224: 'P-224', 256: 'P-256', 384: 'P-384', 521: 'P-521' };
const OPENSSL_CURVES: Record<string, number> = { prime256v1: 256, secp224r1: 224, secp384r1: 384, secp521r1: 521 };

/**
 * Vault's key_bits rules: 0 means the type's default; RSA below 2048 is refused as unsafe;
 * any other size outside the lists is "unsupported". Returns the effective size (0 for ed25519).
 */
export function checkKeyBits(type: string, bits: number): number {
  if (type === 'rsa') {
    if (bits === 0) return 2048;
    if (bits < 2048) throw new BadRequest(`RSA keys < 2048 bits are unsafe and not supported: got ${bits}`);
    if (!RSA_BITS.includes(bits)) throw new BadRequest(`unsupported bit length for RSA key: ${bits}`);
    return bits;
  }
  if (type === 'ec') {
    if (bits === 0) return 256;
    if (!(bits in EC_CURVES)) throw new BadRequest(`unsupported bit length for EC key: ${bits}`);
    return bits;
  }
  if (type === 'ed25519') return 0;
  throw new BadRequest(`unknown key type: ${type}`);
}

/** WebCrypto has no P-224: such keys may sign nothing, so an issuer may not have one. */
export function checkIssuerKey(type: string, bits: number): void {
  if (type === 'ec' && bits === 224) throw new BadRequest('unsupported bit length for EC key: 224');
}

/** A freshly generated key pair. */
export async function generateKey(type: KeyType, bits: number): Promise<KeyObject> {
  return (await generateKeyWithSpki(type, bits)).key;
}

/**
 * A freshly generated private key and its SubjectPublicKeyInfo DER. For EC and Ed25519 the
 * SPKI comes encoded from the generation itself, which spares deriving the public key again;
 * the key's type and size are known here, so describeKey need not read them back.
 */
export async function generateKeyWithSpki(type: KeyType, bits: number): Promise<{ key: KeyObject; spki: Buffer }> {
  let generated: { key: KeyObject; spki: Buffer };
  if (type === 'rsa') {
    const key = await generateRsaKey(bits);
    generated = { key, spki: spkiOf(key) };
  } else {
    const spkiEncoding = { publicKeyEncoding: { type: 'spki', format: 'der' } } as const;
    const pair = type === 'ec' ? await generate('ec', { namedCurve: EC_CURVES[bits]!, ...spkiEncoding }) : await generate('ed25519', spkiEncoding);
    // Node's typings have no overload for an encoded public key beside a KeyObject private key.
    generated = { key: pair.privateKey, spki: pair.publicKey as unknown as Buffer };
  }
  described.set(generated.key, { type, bits: type === 'ed25519' ? 0 : bits });
  return generated;
}

// Types and sizes by key: asymmetricKeyDetails builds a new object on every read, and an
// issuer's key is described on every certificate it signs.
const described = new WeakMap<KeyObject, { type: KeyType; bits: number }>();

/** The type and size of a private or public key. */
export function describeKey(key: KeyObject): { type: KeyType; bits: number } {
  let found = described.get(key);
  if (!found) {
    found = readKeyDetails(key);
    described.set(key, found);
  }
  return { ...found };
}

function readKeyDetails(key: KeyObject): { type: KeyType; bits: number } {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return { type: 'rsa', bits: details.modulusLength ?? 0 };
  if (key.asymmetricKeyType === 'ec') return { type: 'ec', bits: OPENSSL_CURVES[details.namedCurve ?? ''] ?? 0 };
  if (key.asymmetricKeyType === 'ed25519') return { type: 'ed25519', bits: 0 };
  throw new BadRequest(`unsupported key type: ${key.asymmetricKeyType ?? 'unknown'}`);
}

/** Vault's `private_key`: PKCS#1 for RSA, SEC1 for EC, PKCS#8 for Ed25519 (or PKCS#8 always), no trailing newline. */
export function privateKeyPem(key: KeyObject, format: string): string {
  const { type } = describeKey(key);
  const encoding = format === 'pkcs8' || type === 'ed25519' ? 'pkcs8' : type === 'rsa' ? 'pkcs1' : 'sec1';
  return (key.export({ type: encoding, format: 'pem' }) as string).trimEnd();
}

/** Parses a PEM private key in any of Vault's encodings; the text is never echoed. */
export function parsePrivateKey(pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    throw new BadRequest('unable to parse private key');
  }
}

/** The SubjectPublicKeyInfo DER of a key. */
export function spkiOf(key: KeyObject): Buffer {
  return (key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'der' });
}

/** Whether two keys (private or public) share one public key. */
export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return spkiOf(a).equals(spkiOf(b));
}

/** What an issuer signs with: the WebCrypto algorithm for a key and Vault's signature settings. */
export type SigningAlgorithm = { importParams: RsaHashedImportParams | EcKeyImportParams | Algorithm; sign: Algorithm | EcdsaParams | RsaPssParams };

const HASH_OF_BITS: Record<number, string> = { 256: 'SHA-256', 384: 'SHA-384', 512: 'SHA-512' };
const EC_HASH: Record<number, string> = { 256: 'SHA-256', 384: 'SHA-384', 521: 'SHA-512' };

/**
 * Vault's hash choice: RSA uses `signature_bits` (default 256) with PKCS#1 v1.5 or PSS; EC
 * hashes by curve; Ed25519 signs the message itself.
 */
export function signingAlgorithm(key: KeyObject, signatureBits: number, usePss: boolean): SigningAlgorithm {
  const { type, bits } = describeKey(key);
  if (type === 'rsa') {
    const hash = HASH_OF_BITS[signatureBits === 0 ? 256 : signatureBits];
    if (!hash) throw new BadRequest(`unsupported signature_bits: ${signatureBits}`);
    const name = usePss ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5';
    const saltLength = Number(hash.slice(4)) / 8;
    return { importParams: { name, hash }, sign: usePss ? { name, saltLength } as RsaPssParams : { name } };
  }
  if (type === 'ec') {
    checkIssuerKey(type, bits);
    const hash = EC_HASH[bits]!;
    return { importParams: { name: 'ECDSA', namedCurve: EC_CURVES[bits]! } as EcKeyImportParams, sign: { name: 'ECDSA', hash } as EcdsaParams };
  }
  return { importParams: { name: 'Ed25519' }, sign: { name: 'Ed25519' } };
}

// Imported signing keys by their PEM and algorithm: an issuer's key is imported once.
const signingKeys = new Map<string, Promise<CryptoKey>>();
const MAX_CACHED_KEYS = 256;

/** The issuer key as a WebCrypto signing key, imported once per algorithm. */
export function cryptoSigningKey(keyId: string, key: KeyObject, alg: SigningAlgorithm): Promise<CryptoKey> {
  const cacheKey = `${keyId}|${JSON.stringify(alg.importParams)}`;
  let found = signingKeys.get(cacheKey);
  if (!found) {
    if (signingKeys.size >= MAX_CACHED_KEYS) signingKeys.delete(signingKeys.keys().next().value as string);
    const der = key.export({ type: 'pkcs8', format: 'der' });
    found = webcrypto.subtle.importKey('pkcs8', der, alg.importParams, false, ['sign']) as Promise<CryptoKey>;
    signingKeys.set(cacheKey, found);
  }
  return found;
}

/** Forgets a deleted key's imported forms. */
export function forgetSigningKey(keyId: string): void {
  for (const k of signingKeys.keys()) if (k.startsWith(`${keyId}|`)) signingKeys.delete(k);
}
