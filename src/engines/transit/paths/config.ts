// keys/:name/config (per-key settings), config/keys (mount-wide) and cache-config (the key cache size).
import { BadRequest } from '../../../util/errors.js';
import { definePath, field } from '../../../core/path.js';
import { formatKey } from '../format.js';
import { cacheSize, keysConfig, loadKey, saveKey, setCacheSize, setKeysConfig, withKeyLock } from '../keyring.js';
import type { KeyPolicy } from '../policy.js';
import { checkRotatePeriod } from './keys.js';

const configFields = {
  name: field.name({ description: 'Name of the key.' }),
  min_decryption_version: field.int({ description: 'Oldest version that may decrypt or verify.' }),
  min_encryption_version: field.int({ description: 'Oldest version that may encrypt, sign or HMAC; 0 = any.' }),
  deletion_allowed: field.bool({ description: 'Whether the key may be deleted.' }),
  exportable: field.bool({ description: 'Allow export; once set, cannot be unset.' }),
  allow_plaintext_backup: field.bool({ description: 'Allow plaintext backups; once set, cannot be unset.' }),
  auto_rotate_period: field.duration({ description: 'Rotate automatically this often; 0 disables, minimum one hour.' }),
};

type ConfigInput = { [K in keyof typeof configFields]: ReturnType<(typeof configFields)[K]['parse']> };

/** Applies a config write to a copy of the key, with Vault's checks; returns warnings too. */
function applyConfig(current: KeyPolicy, f: ConfigInput, sent: Set<string>): { p: KeyPolicy; warnings: string[] } {
  const p = structuredClone(current);
  const warnings: string[] = [];
  if (sent.has('min_decryption_version')) {
    let v = f.min_decryption_version;
    if (v < 0) throw new BadRequest('min decryption version cannot be negative');
    if (v === 0) {
      v = 1;
      warnings.push('since Vault 0.3, transit key numbering starts at 1; forcing minimum to 1');
    }
    if (v !== p.min_decryption_version && v > p.latest_version) {
      throw new BadRequest(`cannot set min decryption version of ${v}, latest key version is ${p.latest_version}`);
    }
    p.min_decryption_version = v;
  }
  if (sent.has('min_encryption_version')) {
    const v = f.min_encryption_version;
    if (v < 0) throw new BadRequest('min encryption version cannot be negative');
    if (v !== p.min_encryption_version && v > p.latest_version) {
      throw new BadRequest(`cannot set min encryption version of ${v}, latest key version is ${p.latest_version}`);
    }
    p.min_encryption_version = v;
  }
  if (p.min_encryption_version > 0 && p.min_encryption_version < p.min_decryption_version) {
    throw new BadRequest(`cannot set min encryption/decryption values; min encryption version of ${p.min_encryption_version} must be greater than or equal to min decryption version of ${p.min_decryption_version}`);
  }
  if (sent.has('deletion_allowed')) p.deletion_allowed = f.deletion_allowed;
  // Vault: exportable and allow_plaintext_backup only ever go from false to true.
  if (sent.has('exportable') && f.exportable) p.exportable = true;
  if (sent.has('allow_plaintext_backup') && f.allow_plaintext_backup) p.allow_plaintext_backup = true;
  if (sent.has('auto_rotate_period')) {
    checkRotatePeriod(f.auto_rotate_period);
    p.auto_rotate_period = f.auto_rotate_period;
  }
  if (p.min_available_version > p.min_encryption_version) throw new BadRequest('min encryption version should not be less than min available version');
  if (p.min_available_version > p.min_decryption_version) throw new BadRequest('min decryption version should not be less then min available version');
  return { p, warnings };
}

/** keys/:name/config */
export const keyConfigPath = definePath({
  pattern: 'keys/:name/config',
  summary: 'Configure a named key.',
  fields: configFields,
  operations: {
    update: async ({ storage, mount, fields, sent }) =>
      withKeyLock(mount.uuid, fields.name, async () => {
        const current = await loadKey(storage, mount.uuid, fields.name);
        if (!current) throw new BadRequest(`no existing key named ${fields.name} could be found`);
        const { p, warnings } = applyConfig(current, fields, sent);
        if (JSON.stringify(p) !== JSON.stringify(current)) await saveKey(storage, mount.uuid, p);
        return { data: formatKey(p), ...(warnings.length > 0 ? { warnings } : {}) };
      }),
  },
});

/** config/keys: Vault's mount-wide key settings (only disable_upsert). */
export const keysConfigPath = definePath({
  pattern: 'config/keys',
  summary: 'Settings common to every key of the mount.',
  fields: { disable_upsert: field.bool({ description: 'Refuse to create a missing key on encrypt.' }) },
  operations: {
    read: async ({ storage }) => ({ data: await keysConfig(storage) }),
    // Vault takes the field's value whether sent or not (unsent is false).
    update: async ({ storage, fields }) => {
      const current = await keysConfig(storage);
      const next = { ...current, disable_upsert: fields.disable_upsert };
      if (next.disable_upsert !== current.disable_upsert) await setKeysConfig(storage, next);
      return { data: next };
    },
  },
});

const MIN_CACHE_SIZE = 10;

/** cache-config */
export const cacheConfigPath = definePath({
  pattern: 'cache-config',
  summary: 'Size of the in-memory cache of decoded keys.',
  fields: { size: field.int({ description: 'Number of keys held; 0 = unbounded, otherwise at least 10.' }) },
  operations: {
    read: async ({ storage }) => ({ data: { size: await cacheSize(storage) } }),
    update: async ({ storage, mount, fields }) => {
      if (fields.size !== 0 && fields.size < MIN_CACHE_SIZE) throw new BadRequest(`size must be 0 or a value greater or equal to ${MIN_CACHE_SIZE}`);
      await setCacheSize(storage, mount.uuid, fields.size);
      // Unlike Vault, the size applies at once: there is no plugin to reload.
      return { data: { size: fields.size } };
    },
  },
});
