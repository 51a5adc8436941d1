// Key material: generating a version (asynchronously: RSA primes are found off the event
// loop) and turning stored entries back into node:crypto key objects.
import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { PrivateKeyInfo } from '@peculiar/asn1-pkcs8';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { aeadKeyBytes, curveOf, rsaBitsOf, type KeyType } from './key-types.js';
import type { KeyEntry, KeyPolicy } from './policy.js';

const generateKeyPairAsync = promisify(generateKeyPair);
const randomBytesAsync = promisify(randomBytes);

const ED25519_OID = '1.3.101.112';

/** Vault's HMAC key sizes for `hmac` keys, in bytes. */
export const HMAC_MIN_KEY_SIZE = 32;
export const HMAC_MAX_KEY_SIZE = 512;

/** A new key version of the policy's type, created now. */
export async function generateEntry(policy: Pick<KeyPolicy, 'type' | 'key_size' | 'convergent_encryption'>, now: number): Promise<KeyEntry> {
  const entry = baseEntry(now, (await randomBytesAsync(32)).toString('base64'));
  if (policy.convergent_encryption) entry.convergent_version = 3;
  await fillKey(entry, policy.type, policy.key_size);
  return entry;
}

function baseEntry(now: number, hmacKey: string): KeyEntry {
  return { hmac_key: hmacKey, time: new Date(now).toISOString(), creation_time: Math.floor(now / 1000) };
}

async function fillKey(entry: KeyEntry, type: KeyType, keySize: number): Promise<void> {
  const curve = curveOf(type);
  const bits = rsaBitsOf(type);
  if (type === 'hmac') {
    // Vault: an hmac key's HMAC key is its key.
    entry.key = (await randomBytesAsync(keySize || 32)).toString('base64');
    entry.hmac_key = entry.key;
  } else if (type === 'ed25519') {
    const seed = await randomBytesAsync(32);
    setEd25519(entry, seed);
  } else if (curve) {
    const { privateKey } = await generateKeyPairAsync('ec', { namedCurve: curve.node });
    setAsymmetric(entry, privateKey);
  } else if (bits) {
    const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 65537 });
    setAsymmetric(entry, privateKey);
  } else {
    entry.key = (await randomBytesAsync(aeadKeyBytes(type))).toString('base64');
  }
}

/** Stores an Ed25519 key the way Go holds it: seed ‖ public key, public key base64. */
export function setEd25519(entry: KeyEntry, seed: Buffer): void {
  const pub = ed25519PublicKey(seed);
  entry.key = Buffer.concat([seed, pub]).toString('base64');
  entry.public_key = pub.toString('base64');
}

/** Stores an ECDSA or RSA private key with its PKIX public key. */
export function setAsymmetric(entry: KeyEntry, privateKey: KeyObject): void {
  entry.private_pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  entry.public_key = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
}

/** An Ed25519 private key object from a 32-byte seed (node takes seeds only inside PKCS#8). */
export function ed25519FromSeed(seed: Buffer): KeyObject {
  const info = new PrivateKeyInfo({
    privateKeyAlgorithm: new AlgorithmIdentifier({ algorithm: ED25519_OID }),
    privateKey: new OctetString(AsnConvert.serialize(new OctetString(seed))),
  });
  return createPrivateKey({ key: Buffer.from(AsnConvert.serialize(info)), format: 'der', type: 'pkcs8' });
}

/** The raw 32-byte public key of an Ed25519 seed. */
export function ed25519PublicKey(seed: Buffer): Buffer {
  const jwk = createPublicKey(ed25519FromSeed(seed)).export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url');
}

// Decoded key objects, per stored entry. Entries of cached keys are never mutated, so an
// entry object identifies its material; when the key cache lets an entry go (eviction, seal),
// its decoded forms go with it.
const privateKeys = new WeakMap<KeyEntry, KeyObject>();
const publicKeys = new WeakMap<KeyEntry, KeyObject>();
const rawKeys = new WeakMap<KeyEntry, Buffer>();

function memo<V>(map: WeakMap<KeyEntry, V>, entry: KeyEntry, make: () => V): V {
  let v = map.get(entry);
  if (v === undefined) map.set(entry, (v = make()));
  return v;
}

/** The private signing key of a version. */
export function privateKeyOf(type: KeyType, entry: KeyEntry): KeyObject {
  return memo(privateKeys, entry, () => {
    if (type === 'ed25519') return ed25519FromSeed(Buffer.from(entry.key ?? '', 'base64').subarray(0, 32));
    if (!entry.private_pem) throw new TypeError('version has no private key');
    return createPrivateKey(entry.private_pem);
  });
}

/** The public key of a version. */
export function publicKeyOf(type: KeyType, entry: KeyEntry): KeyObject {
  return memo(publicKeys, entry, () => {
    if (type === 'ed25519') {
      const x = Buffer.from(entry.public_key ?? '', 'base64').toString('base64url');
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    }
    return createPublicKey(entry.public_key ?? '');
  });
}

/** The symmetric key bytes of a version (AES, ChaCha20, hmac). */
export const symmetricKeyOf = (entry: KeyEntry): Buffer => memo(rawKeys, entry, () => Buffer.from(entry.key ?? '', 'base64'));
