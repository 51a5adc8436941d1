// The key types transit offers and what each can do, as Vault reports them in a key read.

/** Every type name `keys/:name` accepts. */
export const KEY_TYPES = [
  'aes128-gcm96', 'aes256-gcm96', 'chacha20-poly1305', 'ed25519',
  'ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'hmac',
] as const;

/** One key type's name. */
export type KeyType = (typeof KEY_TYPES)[number];

/** What a key type can be used for; mirrors Vault's supports_* flags. */
export type Capabilities = {
  encryption: boolean;
  signing: boolean;
  derivation: boolean;
  /** AEAD types: their ciphertext takes associated_data. */
  aead: boolean;
};

const AEAD: Capabilities = { encryption: true, signing: false, derivation: true, aead: true };
const RSA: Capabilities = { encryption: true, signing: true, derivation: false, aead: false };
const EC: Capabilities = { encryption: false, signing: true, derivation: false, aead: false };

const CAPABILITIES: Record<KeyType, Capabilities> = {
  'aes128-gcm96': AEAD, 'aes256-gcm96': AEAD, 'chacha20-poly1305': AEAD,
  ed25519: { encryption: false, signing: true, derivation: true, aead: false },
  'ecdsa-p256': EC, 'ecdsa-p384': EC, 'ecdsa-p521': EC,
  'rsa-2048': RSA, 'rsa-3072': RSA, 'rsa-4096': RSA,
  hmac: { encryption: false, signing: false, derivation: false, aead: false },
};

/** Narrows a caller's string to a key type. */
export const isKeyType = (s: string): s is KeyType => (KEY_TYPES as readonly string[]).includes(s);

/** The capabilities of a key type. */
export const capabilitiesOf = (t: KeyType): Capabilities => CAPABILITIES[t];

/** The AEAD key length in bytes of a symmetric type. */
export const aeadKeyBytes = (t: KeyType): number => (t === 'aes128-gcm96' ? 16 : 32);

/** node:crypto's cipher name for an AEAD key type. */
export function cipherName(t: KeyType): 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305' {
  if (t === 'aes128-gcm96') return 'aes-128-gcm';
  if (t === 'aes256-gcm96') return 'aes-256-gcm';
  if (t === 'chacha20-poly1305') return 'chacha20-poly1305';
  throw new TypeError(`not an AEAD key type: ${t}`);
}

/** The curve of an ECDSA key type, in node's and in Go's spelling (Vault reports the latter). */
export function curveOf(t: KeyType): { node: string; name: string; bits: number } | undefined {
  if (t === 'ecdsa-p256') return { node: 'prime256v1', name: 'P-256', bits: 256 };
  if (t === 'ecdsa-p384') return { node: 'secp384r1', name: 'P-384', bits: 384 };
  if (t === 'ecdsa-p521') return { node: 'secp521r1', name: 'P-521', bits: 521 };
  return undefined;
}

/** RSA modulus bits of an RSA key type. */
export function rsaBitsOf(t: KeyType): number | undefined {
  if (t === 'rsa-2048') return 2048;
  if (t === 'rsa-3072') return 3072;
  if (t === 'rsa-4096') return 4096;
  return undefined;
}
