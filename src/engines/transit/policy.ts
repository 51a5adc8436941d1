// A named transit key ("policy" in Vault's terms) as stored: settings plus one entry per
// version. Stored under policy/<name> in the mount's (barrier-encrypted) view.
import type { Storage } from '../../storage/storage.js';
import type { KeyType } from './key-types.js';

/** One version of a key. Binary values are base64; times as Vault keeps them. */
export type KeyEntry = {
  /** AES/ChaCha key, HMAC key of an `hmac` key, or Ed25519 seed ‖ public key (Go's layout). */
  key?: string;
  /** The per-version HMAC key every non-hmac type carries for `hmac/:name`. */
  hmac_key: string;
  /** PKCS#8 PEM of an ECDSA or RSA private key. */
  private_pem?: string;
  /** Vault's "formatted" public key: PKIX PEM for ECDSA/RSA, base64 for Ed25519. */
  public_key?: string;
  /** RFC 3339 creation time, as Vault reports for asymmetric keys. */
  time: string;
  /** Unix seconds, as Vault reports for symmetric keys. */
  creation_time: number;
  /** Convergent nonce scheme of this version (3 for every key made here). */
  convergent_version?: number;
};

/** Everything transit keeps about one named key. */
export type KeyPolicy = {
  name: string;
  type: KeyType;
  derived: boolean;
  convergent_encryption: boolean;
  exportable: boolean;
  allow_plaintext_backup: boolean;
  deletion_allowed: boolean;
  min_decryption_version: number;
  min_encryption_version: number;
  min_available_version: number;
  latest_version: number;
  /** Seconds; 0 disables automatic rotation. */
  auto_rotate_period: number;
  /** HMAC key length in bytes (hmac type only; 0 = default 32). */
  key_size: number;
  imported: boolean;
  allow_imported_key_rotation: boolean;
  /** Set once an imported key is rotated here: Vault then refuses further imports. */
  rotated_in_place?: boolean;
  keys: Record<string, KeyEntry>;
  backup_info?: { time: string; version: number };
  restore_info?: { time: string; version: number };
};

const PREFIX = 'policy/';

const decode = (raw: Buffer | undefined): KeyPolicy | undefined =>
  raw === undefined ? undefined : (JSON.parse(raw.toString('utf8')) as KeyPolicy);

/** Typed access to the stored keys of one mount. */
export const policies = (s: Storage) => ({
  get: async (name: string): Promise<KeyPolicy | undefined> => decode(await s.get(PREFIX + name)),
  put: (p: KeyPolicy) => s.put(PREFIX + p.name, Buffer.from(JSON.stringify(p))),
  delete: (name: string) => s.delete(PREFIX + name),
  /** Key names; folders (names with '/') are not keys. */
  list: async (): Promise<string[]> => (await s.list(PREFIX)).filter((k) => !k.endsWith('/')),
});

/** The entry of a version that is still in the key ring, or undefined. */
export function entryOf(p: KeyPolicy, version: number): KeyEntry | undefined {
  return p.keys[String(version)];
}
