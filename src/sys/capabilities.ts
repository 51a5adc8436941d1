// sys/capabilities*: what a token may do on given paths, and sys/internal/ui/mounts: which
// mount serves a path, answered to anyone holding some capability there (the CLI, Vault
// Agent and Terraform ask it whether a path is KV v2).
import { BadRequest, PermissionDenied } from '../util/errors.js';
import { definePath, field } from '../core/path.js';
import type { Core } from '../core/core.js';
import type { TokenEntry } from '../core/tokens/store.js';
import { mountView } from './mount-view.js';

const pathFields = {
  path: field.strings({ description: 'Path to check (deprecated; use paths).' }),
  paths: field.strings({ description: 'Paths to check.' }),
};

/** The capabilities answer: one entry per path, plus `capabilities` for a single path. */
async function answer(core: Core, entry: TokenEntry | undefined, paths: string[]) {
  if (!entry) throw new BadRequest('invalid token');
  if (paths.length === 0) throw new BadRequest('paths must be supplied');
  const acl = await core.unsealed.policies.acl(entry.policies);
  const data: Record<string, unknown> = {};
  for (const p of paths) data[p] = acl.capabilities(p.replace(/^\/+/, ''));
  if (paths.length === 1) data.capabilities = data[paths[0] as string];
  return { data, dataAtTopLevel: true };
}

/** The capability-check paths of the system backend. */
export function capabilityPaths(core: Core) {
  const tokens = () => core.unsealed.tokens;
  return [
    definePath({
      pattern: 'capabilities', summary: 'Capabilities of a given token on paths.',
      fields: { token: field.string({ description: 'The token to check.', sensitive: true }), ...pathFields },
      operations: {
        update: async ({ fields }) => answer(core, await tokens().lookup(fields.token), [...fields.path, ...fields.paths]),
      },
    }),
    definePath({
      pattern: 'capabilities-self', summary: 'Capabilities of the calling token on paths.', fields: pathFields,
      operations: {
        update: async ({ fields, caller }) =>
          answer(core, caller && (await tokens().byId(caller.tokenId)), [...fields.path, ...fields.paths]),
      },
    }),
    definePath({
      pattern: 'capabilities-accessor', summary: 'Capabilities of the token behind an accessor on paths.',
      fields: { accessor: field.string({ description: 'Accessor of the token.', required: true }), ...pathFields },
      operations: {
        update: async ({ fields }) => answer(core, await tokens().byAccessor(fields.accessor), [...fields.path, ...fields.paths]),
      },
    }),
    ...['internal/ui/mounts/*path', 'mounts-all/*path'].map((pattern) => definePath({
      pattern, summary: 'The mount serving a path, for callers with any capability on it.', unauthenticated: true,
      fields: { path: field.string({ description: 'A path inside the mount.' }) },
      operations: {
        read: async ({ fields, caller }) => {
          if (!caller) throw new PermissionDenied();
          const route = core.unsealed.mounts.route(fields.path.replace(/^\/+/, ''));
          // Vault answers a path under no mount as it answers one the caller may not see, so
          // this endpoint cannot be used to learn which mounts exist.
          if (!route) throw new PermissionDenied();
          const acl = await core.unsealed.policies.acl(caller.policies);
          if (!acl.grantsUnder(route.entry.table === 'auth' ? `auth/${route.entry.path}` : route.entry.path)) throw new PermissionDenied();
          const view = mountView(route.entry);
          return { data: { ...view, path: route.entry.table === 'auth' ? `auth/${route.entry.path}` : route.entry.path } };
        },
      },
    })),
  ];
}
