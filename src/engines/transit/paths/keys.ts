// keys/:name (create, read, delete), keys/ (list), keys/:name/rotate and keys/:name/trim.
import { BadRequest } from '../../../util/errors.js';
import { definePath, field } from '../../../core/path.js';
import { isKeyType, type KeyType } from '../key-types.js';
import { generateEntry, HMAC_MAX_KEY_SIZE, HMAC_MIN_KEY_SIZE } from '../material.js';
import { decodeContext, formatKey } from '../format.js';
import { dropKey, loadKey, rotated, rotateIfDue, rotationDue, saveKey, withKeyLock } from '../keyring.js';
import { policies, type KeyPolicy } from '../policy.js';

const HOUR = 3600;

/** Vault's rule for auto_rotate_period: 0 (off) or at least an hour. */
export function checkRotatePeriod(seconds: number): void {
  if (seconds !== 0 && seconds < HOUR) throw new BadRequest('auto rotate period must be 0 to disable or at least an hour');
}

/** What a new key is made from. */
export type NewKeySpec = {
  name: string; type: KeyType; derived: boolean; convergent: boolean; exportable: boolean;
  allowPlaintextBackup: boolean; autoRotatePeriod: number; keySize: number;
};

/** A new key policy with its first version. */
export async function newPolicy(spec: NewKeySpec, now: number): Promise<KeyPolicy> {
  const p: KeyPolicy = {
    name: spec.name, type: spec.type, derived: spec.derived, convergent_encryption: spec.convergent,
    exportable: spec.exportable, allow_plaintext_backup: spec.allowPlaintextBackup, deletion_allowed: false,
    min_decryption_version: 1, min_encryption_version: 0, min_available_version: 0, latest_version: 1,
    auto_rotate_period: spec.autoRotatePeriod, key_size: spec.keySize, imported: false,
    allow_imported_key_rotation: false, keys: {},
  };
  p.keys['1'] = await generateEntry(p, now);
  return p;
}

/** Checks a key type name from a request, with Vault's message. */
export function parseKeyType(text: string): KeyType {
  if (!isKeyType(text)) throw new BadRequest(`unknown key type ${text}`);
  return text;
}

const keyFields = {
  name: field.name({ description: 'Name of the key.' }),
  type: field.string({ description: 'Key type; aes256-gcm96 by default.', default: 'aes256-gcm96' }),
  derived: field.bool({ description: 'Derive a key per request from a context.' }),
  convergent_encryption: field.bool({ description: 'Same plaintext and context give the same ciphertext (needs derived).' }),
  exportable: field.bool({ description: 'Allow the key material to be exported; cannot be undone.' }),
  allow_plaintext_backup: field.bool({ description: 'Allow plaintext backups; cannot be undone.' }),
  auto_rotate_period: field.duration({ description: 'Rotate automatically this often; 0 disables, minimum one hour.' }),
  key_size: field.int({ description: `HMAC key size in bytes (${HMAC_MIN_KEY_SIZE}-${HMAC_MAX_KEY_SIZE}); hmac keys only.` }),
  context: field.string({ description: 'Base64 context: a derived Ed25519 key returns the public key for it.' }),
};

/** keys/:name */
export const keyPath = definePath({
  pattern: 'keys/:name',
  summary: 'Create, read and delete named encryption keys.',
  fields: keyFields,
  operations: {
    read: async ({ storage, mount, fields, clock }) => {
      const found = await loadKey(storage, mount.uuid, fields.name);
      if (!found) return undefined;
      const p = rotationDue(found, clock.now()) ? await rotateIfDue(storage, mount.uuid, fields.name, clock.now()) : found;
      return { data: formatKey(p, decodeContext(fields.context)) };
    },
    update: async ({ storage, mount, fields, clock }) => {
      checkRotatePeriod(fields.auto_rotate_period);
      if (!fields.derived && fields.convergent_encryption) throw new BadRequest('convergent encryption requires derivation to be enabled');
      const type = parseKeyType(fields.type);
      if (fields.key_size !== 0) {
        if (type !== 'hmac') throw new BadRequest(`key_size is not valid for algorithm ${type}`);
        if (fields.key_size < HMAC_MIN_KEY_SIZE || fields.key_size > HMAC_MAX_KEY_SIZE) throw new BadRequest(`invalid key_size ${fields.key_size}`);
      }
      if (fields.derived && !['aes128-gcm96', 'aes256-gcm96', 'chacha20-poly1305', 'ed25519'].includes(type)) {
        throw new BadRequest(`key derivation and convergent encryption not supported for keys of type ${type}`);
      }
      return withKeyLock(mount.uuid, fields.name, async () => {
        const existing = await loadKey(storage, mount.uuid, fields.name);
        // Vault: writing an existing key changes nothing and says so.
        if (existing) return { data: formatKey(existing), warnings: [`key ${fields.name} already existed`] };
        const p = await newPolicy({
          name: fields.name, type, derived: fields.derived, convergent: fields.convergent_encryption,
          exportable: fields.exportable, allowPlaintextBackup: fields.allow_plaintext_backup,
          autoRotatePeriod: fields.auto_rotate_period, keySize: fields.key_size,
        }, clock.now());
        await saveKey(storage, mount.uuid, p);
        return { data: formatKey(p) };
      });
    },
    delete: async ({ storage, mount, fields }) =>
      withKeyLock(mount.uuid, fields.name, async () => {
        const p = await loadKey(storage, mount.uuid, fields.name);
        if (!p) throw new BadRequest(`error deleting policy ${fields.name}: could not delete key; not found`);
        if (!p.deletion_allowed) throw new BadRequest(`error deleting policy ${fields.name}: deletion is not allowed for this policy`);
        await dropKey(storage, mount.uuid, fields.name);
      }),
  },
});

/** keys/ */
export const keyListPath = definePath({
  pattern: 'keys/',
  summary: 'List the names of the keys.',
  fields: {},
  operations: { list: async ({ storage }) => ({ data: { keys: await policies(storage).list() } }) },
});

/** keys/:name/rotate */
export const rotatePath = definePath({
  pattern: 'keys/:name/rotate',
  summary: 'Add a new version of the key; new encryptions use it.',
  fields: { name: field.name({ description: 'Name of the key.' }) },
  operations: {
    update: async ({ storage, mount, fields, clock }) =>
      withKeyLock(mount.uuid, fields.name, async () => {
        const current = await loadKey(storage, mount.uuid, fields.name);
        if (!current) throw new BadRequest('key not found');
        if (current.imported && !current.allow_imported_key_rotation) throw new BadRequest('imported key rotation is not allowed');
        const p = await rotated(current, clock.now());
        await saveKey(storage, mount.uuid, p);
        return { data: formatKey(p) };
      }),
  },
});

/** keys/:name/trim */
export const trimPath = definePath({
  pattern: 'keys/:name/trim',
  summary: 'Delete the versions below min_available_version for good.',
  fields: {
    name: field.name({ description: 'Name of the key.' }),
    min_available_version: field.int({ description: 'Versions below this one are deleted.' }),
  },
  operations: {
    update: async ({ storage, mount, fields, sent }) =>
      withKeyLock(mount.uuid, fields.name, async () => {
        const current = await loadKey(storage, mount.uuid, fields.name);
        if (!current) throw new BadRequest('invalid key name');
        if (!sent.has('min_available_version')) throw new BadRequest('missing min_available_version');
        const v = fields.min_available_version;
        checkTrim(current, v);
        const p = structuredClone(current);
        p.min_available_version = v;
        for (const k of Object.keys(p.keys)) if (Number(k) < v) delete p.keys[k];
        await saveKey(storage, mount.uuid, p);
        return { data: formatKey(p) };
      }),
  },
});

// Vault's checks, in Vault's order (its messages keep their spelling).
function checkTrim(p: KeyPolicy, v: number): void {
  if (v < p.min_available_version) throw new BadRequest('minimum available version cannot be decremented');
  if (p.min_encryption_version === 0) throw new BadRequest('minimum available version cannot be set when minimum encryption version is not set');
  if (p.min_decryption_version === 0) throw new BadRequest('minimum available version cannot be set when minimum decryption version is not set');
  if (v > p.min_encryption_version) throw new BadRequest('minimum available version cannot be greater than minmum encryption version');
  if (v > p.min_decryption_version) throw new BadRequest('minimum available version cannot be greater than minimum decryption version');
  if (v < 0) throw new BadRequest('minimum available version cannot be negative');
  if (v === 0) throw new BadRequest('minimum available version should be positive');
}
