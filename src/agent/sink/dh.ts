// dh_type = "curve25519": the token is encrypted for whoever holds the private key matching
// the public key in dh_path. The envelope is Vault's dhutil one: our public key, a nonce and
// AES-256-GCM ciphertext (tag appended), with `aad` as additional data; with derive_key the
// AES key is HKDF-SHA256 over the shared secret, the smaller public key as salt and the
// larger as info, as Vault derives it (both sides then get the same key).
import { createCipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export type Envelope = { curve25519_public_key: string; nonce: string; encrypted_payload: string };

const rawPublic = (key: KeyObject): Buffer => Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url');

/** Reads dh_path: JSON {"curve25519_public_key": base64 of 32 bytes}. */
export async function readRemoteKey(path: string): Promise<Buffer> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as { curve25519_public_key?: unknown };
  const key = typeof parsed.curve25519_public_key === 'string' ? Buffer.from(parsed.curve25519_public_key, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) throw new Error('could not read public key from dh_path: curve25519_public_key must be 32 bytes, base64');
  return key;
}

/** One sink's key pair, made once and kept, as Vault keeps it for the sink's life. */
export class DhEncryptor {
  readonly #private: KeyObject;
  readonly publicKey: Buffer;
  readonly #deriveKey: boolean;
  readonly #aad: Buffer;

  constructor(deriveKey: boolean, aad: string) {
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    this.#private = privateKey;
    this.publicKey = rawPublic(publicKey);
    this.#deriveKey = deriveKey;
    this.#aad = Buffer.from(aad);
  }

  encrypt(plaintext: string, remote: Buffer): Envelope {
    const theirs = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: remote.toString('base64url') }, format: 'jwk' });
    let key = diffieHellman({ privateKey: this.#private, publicKey: theirs });
    if (this.#deriveKey) {
      const cmp = Buffer.compare(this.publicKey, remote);
      if (cmp === 0) throw new Error('same public key supplied for both participants');
      const [salt, info] = cmp < 0 ? [this.publicKey, remote] : [remote, this.publicKey];
      key = Buffer.from(hkdfSync('sha256', key, salt, info, 32));
    }
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(this.#aad);
    const payload = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { curve25519_public_key: this.publicKey.toString('base64'), nonce: nonce.toString('base64'), encrypted_payload: payload.toString('base64') };
  }
}
