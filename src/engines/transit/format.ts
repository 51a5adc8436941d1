// The body of a key read (also returned by create, config, rotate and trim), in Vault's shape.
import { BadRequest } from '../../util/errors.js';
import { capabilitiesOf, curveOf } from './key-types.js';
import { ed25519PublicKey } from './material.js';
import { keyFor } from './symmetric.js';
import type { KeyPolicy } from './policy.js';

/** What `GET keys/:name` answers; `context` yields a derived Ed25519 key's public keys. */
export function formatKey(p: KeyPolicy, context?: Buffer): Record<string, unknown> {
  const caps = capabilitiesOf(p.type);
  const data: Record<string, unknown> = {
    name: p.name, type: p.type, derived: p.derived, deletion_allowed: p.deletion_allowed,
    min_available_version: p.min_available_version, min_decryption_version: p.min_decryption_version,
    min_encryption_version: p.min_encryption_version, latest_version: p.latest_version,
    exportable: p.exportable, allow_plaintext_backup: p.allow_plaintext_backup,
    supports_encryption: caps.encryption, supports_decryption: caps.encryption,
    supports_signing: caps.signing, supports_derivation: caps.derivation,
    auto_rotate_period: p.auto_rotate_period, imported_key: p.imported,
  };
  if (p.key_size !== 0) data.key_size = p.key_size;
  if (p.imported) data.imported_key_allow_rotation = p.allow_imported_key_rotation;
  if (p.backup_info) data.backup_info = p.backup_info;
  if (p.restore_info) data.restore_info = p.restore_info;
  if (p.derived) {
    data.kdf = 'hkdf_sha256';
    data.convergent_encryption = p.convergent_encryption;
    // Vault: keys made since 0.10 keep the nonce scheme per version and report -1 here.
    if (p.convergent_encryption) data.convergent_encryption_version = -1;
  }
  if (caps.aead) {
    data.keys = Object.fromEntries(Object.entries(p.keys).map(([v, e]) => [v, e.creation_time]));
  } else if (caps.signing) {
    data.keys = Object.fromEntries(Object.entries(p.keys).map(([v, e]) => [v, {
      name: keyName(p),
      public_key: publicKeyText(p, Number(v), context),
      certificate_chain: '',
      creation_time: e.time,
    }]));
  }
  return data;
}

function keyName(p: KeyPolicy): string {
  return curveOf(p.type)?.name ?? p.type;
}

function publicKeyText(p: KeyPolicy, version: number, context?: Buffer): string {
  const entry = p.keys[String(version)];
  if (p.type !== 'ed25519' || !p.derived) return entry?.public_key ?? '';
  // A derived Ed25519 key has one public key per context; without one there is none to show.
  if (!context || context.length === 0) return '';
  return ed25519PublicKey(keyFor(p, version, context, 32)).toString('base64');
}

/** Decodes an optional base64 `context`, with Vault's wording when it is not base64. */
export function decodeContext(text: string, message = 'failed to base64-decode context'): Buffer | undefined {
  if (text === '') return undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new BadRequest(message);
  return Buffer.from(text, 'base64');
}

