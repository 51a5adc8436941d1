// backup/:name and restore(/:name): a key with all its versions as one base64 blob.
import { BadRequest } from '../../../util/errors.js';
import { definePath, field, type PathDef } from '../../../core/path.js';
import { isKeyType } from '../key-types.js';
import { loadKey, saveKey, withKeyLock } from '../keyring.js';
import type { KeyPolicy } from '../policy.js';
import { fromVaultPolicy, isVaultBackup } from '../vault-backup.js';

/** backup/:name */
export const backupPath = definePath({
  pattern: 'backup/:name',
  summary: 'A plaintext backup of a key, for restore.',
  fields: { name: field.name({ description: 'Name of the key.' }) },
  operations: {
    read: async ({ storage, mount, fields, clock }) =>
      withKeyLock(mount.uuid, fields.name, async () => {
        const current = await loadKey(storage, mount.uuid, fields.name);
        if (!current) throw new BadRequest(`error backing up policy: key not found`);
        if (!current.exportable) throw new BadRequest('error backing up policy: exporting is disallowed on the policy');
        if (!current.allow_plaintext_backup) throw new BadRequest('error backing up policy: plaintext backup is disallowed on the policy');
        const p = structuredClone(current);
        p.backup_info = { time: new Date(clock.now()).toISOString(), version: p.latest_version };
        await saveKey(storage, mount.uuid, p);
        // The outer shape is Vault's ({policy, archived_keys}); the policy is ours.
        const blob = Buffer.from(JSON.stringify({ policy: p, archived_keys: { keys: [] } })).toString('base64');
        return { data: { backup: blob } };
      }),
  },
});

/** Decodes a backup blob into a policy, ours or Vault's. */
function decodeBackup(blob: string): KeyPolicy {
  let parsed: { policy?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(blob, 'base64').toString('utf8')) as { policy?: unknown };
  } catch {
    throw new BadRequest('failed to decode the backup');
  }
  const policy = parsed.policy;
  if (isVaultBackup(policy)) return fromVaultPolicy(policy);
  const p = policy as KeyPolicy | undefined;
  if (!p || typeof p.name !== 'string' || !isKeyType(String(p.type)) || typeof p.keys !== 'object') {
    throw new BadRequest('failed to decode the backup');
  }
  return p;
}

const restoreFields = {
  name: field.string({ description: 'Name to restore as; the backup\'s own name when absent.' }),
  backup: field.string({ description: 'Output of backup/:name.', sensitive: true }),
  force: field.bool({ description: 'Overwrite a key of the same name.' }),
};

/** restore and restore/:name */
export const restorePaths: PathDef[] = ['restore', 'restore/:name'].map((pattern) =>
  definePath({
    pattern,
    summary: 'Restore a key from a backup.',
    fields: restoreFields,
    operations: {
      update: async ({ storage, mount, fields, clock }) => {
        if (fields.backup === '') throw new BadRequest("'backup' must be supplied");
        const p = decodeBackup(fields.backup);
        const name = fields.name || p.name;
        if (name.includes('/')) throw new BadRequest('key name cannot contain "/"');
        await withKeyLock(mount.uuid, name, async () => {
          if (!fields.force && (await loadKey(storage, mount.uuid, name))) throw new BadRequest(`key "${name}" already exists`);
          p.name = name;
          p.restore_info = { time: new Date(clock.now()).toISOString(), version: p.latest_version };
          await saveKey(storage, mount.uuid, p);
        });
      },
    },
  }),
);
