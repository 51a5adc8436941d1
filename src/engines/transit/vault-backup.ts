// Reading Vault's own backup format (base64 JSON {policy, archived_keys}, key types as Go enum
// numbers), so a key backed up from Vault restores here and decrypts Vault's ciphertexts.
// Symmetric, hmac and non-derived Ed25519 keys are read; other types are refused.
import { BadRequest } from '../../util/errors.js';
import type { KeyType } from './key-types.js';
import type { KeyEntry, KeyPolicy } from './policy.js';

// Go's KeyType enum order in Vault.
const VAULT_TYPES: Record<number, KeyType> = { 0: 'aes256-gcm96', 2: 'ed25519', 5: 'chacha20-poly1305', 8: 'aes128-gcm96', 11: 'hmac' };

type VaultEntry = { key?: string; hmac_key?: string; time?: string; creation_time?: number; public_key?: string; convergent_version?: number };
type VaultPolicy = {
  name: string; type: number; keys: Record<string, VaultEntry>; derived?: boolean; kdf?: number;
  convergent_encryption?: boolean; exportable?: boolean; allow_plaintext_backup?: boolean; deletion_allowed?: boolean;
  min_decryption_version?: number; min_encryption_version?: number; min_available_version?: number;
  latest_version: number; auto_rotate_period?: number; key_size?: number; convergent_version?: number;
};

/** True when the decoded backup came from Vault (its key type is a number). */
export const isVaultBackup = (policy: unknown): policy is VaultPolicy =>
  typeof policy === 'object' && policy !== null && typeof (policy as { type?: unknown }).type === 'number';

/** Converts a Vault policy to ours, or refuses what this engine cannot use as Vault does. */
export function fromVaultPolicy(v: VaultPolicy): KeyPolicy {
  const type = VAULT_TYPES[v.type];
  if (!type) throw new BadRequest(`restoring Vault backups of key type ${v.type} is not supported`);
  if (v.derived && v.kdf !== 1) throw new BadRequest('restoring Vault keys derived with the legacy KDF is not supported');
  if (type === 'ed25519' && v.derived) throw new BadRequest('restoring derived Ed25519 Vault keys is not supported');
  const keys: Record<string, KeyEntry> = {};
  for (const [ver, e] of Object.entries(v.keys)) {
    const time = e.time ?? new Date((e.creation_time ?? 0) * 1000).toISOString();
    const entry: KeyEntry = { key: e.key, hmac_key: e.hmac_key ?? '', time, creation_time: e.creation_time ?? Math.floor(Date.parse(time) / 1000) };
    if (e.public_key) entry.public_key = e.public_key;
    if (v.convergent_encryption) entry.convergent_version = e.convergent_version || v.convergent_version || 1;
    keys[ver] = entry;
  }
  return {
    name: v.name, type, derived: v.derived ?? false, convergent_encryption: v.convergent_encryption ?? false,
    exportable: v.exportable ?? false, allow_plaintext_backup: v.allow_plaintext_backup ?? false,
    deletion_allowed: v.deletion_allowed ?? false, min_decryption_version: v.min_decryption_version || 1,
    min_encryption_version: v.min_encryption_version ?? 0, min_available_version: v.min_available_version ?? 0,
    latest_version: v.latest_version,
    // Go's time.Duration is nanoseconds.
    auto_rotate_period: Math.floor((v.auto_rotate_period ?? 0) / 1e9), key_size: v.key_size ?? 0,
    imported: false, allow_imported_key_rotation: false, keys,
  };
}
