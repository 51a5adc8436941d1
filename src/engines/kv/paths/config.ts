// <mount>/config: the v2 mount's own max_versions, cas_required and delete_version_after.
import { BadRequest } from '../../../util/errors.js';
import { definePath, field } from '../../../core/path.js';
import { formatSignedDuration } from '../model.js';
import { configStore } from '../store.js';

const configFields = {
  max_versions: field.int({ description: 'Versions kept per key; 0 means 10. A key\'s own setting wins.' }),
  cas_required: field.bool({ description: 'Every write must carry a check-and-set version.' }),
  delete_version_after: field.signedDuration({
    description: 'How long a version lives before it reads as deleted; 0 clears, a negative value disables it for every key.',
  }),
};

/** Reads and partially updates the mount config. */
export const configPath = definePath({
  pattern: 'config',
  summary: 'Configure settings applied to every key of this KV v2 mount.',
  fields: configFields,
  operations: {
    read: async ({ storage }) => {
      const c = await configStore(storage).get();
      return {
        data: {
          cas_required: c.cas_required,
          delete_version_after: formatSignedDuration(c.delete_version_after),
          max_versions: c.max_versions,
        },
      };
    },
    // Vault: omitted fields keep their value; a write with none of them changes nothing.
    update: async ({ storage, fields, sent }) => {
      if (sent.size === 0) return;
      if (fields.max_versions < 0) throw new BadRequest('max_versions cannot be negative');
      const store = configStore(storage);
      // A copy: what get() answers may be the decoded config every write shares.
      const c = { ...(await store.get()) };
      if (sent.has('max_versions')) c.max_versions = fields.max_versions;
      if (sent.has('cas_required')) c.cas_required = fields.cas_required;
      // Vault stores any negative value as "disabled" (-1s).
      if (sent.has('delete_version_after')) c.delete_version_after = Math.max(fields.delete_version_after, -1);
      await store.put(c);
    },
  },
});
