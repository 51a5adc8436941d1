// sys/locked-users: the aliases user lockout currently holds, and unlocking one.
import { BadRequest } from '../util/errors.js';
import { definePath, field } from '../core/path.js';
import type { Core } from '../core/core.js';

/** sys/locked-users and sys/locked-users/:mount_accessor/unlock/:alias_identifier. */
export function lockedUserPaths(core: Core) {
  const settingsOf = (accessor: string) => {
    const entry = core.unsealed.mounts.list('auth').find((e) => e.accessor === accessor);
    return entry && core.lockoutOf(entry);
  };
  return [
    definePath({
      pattern: 'locked-users', summary: 'List the users and roles that user lockout currently refuses.',
      fields: { mount_accessor: field.string({ description: 'Only this auth mount.' }) },
      operations: {
        read: async ({ fields }) => {
          const byMount = await core.unsealed.lockout.list(settingsOf, fields.mount_accessor || undefined);
          const mounts = [...byMount].map(([accessor, aliases]) => ({ mount_accessor: accessor, counts: aliases.length, alias_identifiers: aliases.sort() }))
            .sort((a, b) => b.counts - a.counts);
          const total = mounts.reduce((n, m) => n + m.counts, 0);
          // One namespace exists: the root one, as Vault shows it.
          const byNamespace = total === 0 ? [] : [{ namespace_id: 'root', namespace_path: '', counts: total, mount_accessors: mounts }];
          return { data: { by_namespace: byNamespace, total } };
        },
      },
    }),
    definePath({
      pattern: 'locked-users/:mount_accessor/unlock/*alias_identifier', summary: 'Unlock one user or role of an auth mount.',
      fields: {
        mount_accessor: field.name({ description: 'The auth mount\'s accessor.' }),
        alias_identifier: field.string({ description: 'The username or role_id.' }),
      },
      operations: {
        update: async ({ fields }) => {
          if (!settingsOf(fields.mount_accessor)) throw new BadRequest(`no auth mount with accessor ${JSON.stringify(fields.mount_accessor)}`);
          await core.unsealed.lockout.unlock(fields.mount_accessor, fields.alias_identifier);
        },
      },
    }),
  ];
}
