// sys/capabilities*: what a token may do on given paths, and sys/internal/ui/mounts: which
// mount serves a path, answered to anyone holding some capability there (the CLI, Vault
// Agent and Terraform ask it whether a path is KV v2).
import { BadRequest, PermissionDenied } from '../util/errors.js';
import { definePath, field } from '../core/path.js';
import type { Core } from '../core/core.js';
import type { TokenEntry } from '../core/tokens/store.js';
import { mountView } from './mount-view.js';
import { aclPolicies } from '../core/access.js';

const pathFields = {
  path: field.strings({ description: 'Path to check (deprecated; use paths).' }),
  paths: field.strings({ description: 'Paths to check.' }),
};

/** The capabilities answer: one entry per path, plus `capabilities` for a single path. */
async function answer(core: Core, entry: TokenEntry | undefined, paths: string[]) {
  if (!entry) throw new BadRequest('invalid token');
  if (paths.length === 0) throw new BadRequest('paths must be supplied');
  // The token's entity counts too: its policies, and the values templated paths read.
  const identity = entry.entity_id ? core.unsealed.identity.forToken(entry.entity_id) : undefined;
  const acl = await core.unsealed.policies.acl([...new Set([...entry.policies, ...(identity?.policies ?? [])])], identity?.template);
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
    definePath({
      // Lockbox's own (Vault has no such endpoint): the UI's access review. Which policies
      // grant what on a path, each policy taken alone. Guarded by the ACL like any path, so
      // only callers given this path (root, or an auditor's policy) may ask.
      pattern: 'internal/ui/path-access', summary: 'Which policies grant which capabilities on a path.',
      fields: { path: field.string({ description: 'The path to review.', required: true }) },
      operations: {
        update: async ({ fields }) => {
          const path = fields.path.replace(/^\/+/, '');
          const { policies } = core.unsealed;
          const grants: Array<{ name: string; capabilities: string[] }> = [];
          for (const name of await policies.list()) {
            const capabilities = (await policies.acl([name])).capabilities(path);
            if (capabilities[0] !== 'deny') grants.push({ name, capabilities });
          }
          return { data: { path, policies: grants } };
        },
      },
    }),
    definePath({
      // Vault's UI and CLI ask which mounts they may show: those the caller holds some
      // capability under, or, without a token, those tuned with listing_visibility=unauth.
      pattern: 'internal/ui/mounts', summary: 'The mounts visible to the caller.', unauthenticated: true, fields: {},
      operations: {
        read: async ({ caller }) => {
          const { mounts, policies } = core.unsealed;
          const acl = caller && (await policies.acl(aclPolicies(caller), caller.identity));
          const visible = (table: 'mounts' | 'auth') => Object.fromEntries(mounts.list(table)
            .filter((e) => (acl ? acl.grantsUnder(table === 'auth' ? `auth/${e.path}` : e.path) : e.tune?.listing_visibility === 'unauth'))
            .map((e) => [e.path, mountView(e)]));
          return { data: { auth: visible('auth'), secret: visible('mounts') } };
        },
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
          const acl = await core.unsealed.policies.acl(aclPolicies(caller), caller.identity);
          if (!acl.grantsUnder(route.entry.table === 'auth' ? `auth/${route.entry.path}` : route.entry.path)) throw new PermissionDenied();
          const view = mountView(route.entry);
          return { data: { ...view, path: route.entry.table === 'auth' ? `auth/${route.entry.path}` : route.entry.path } };
        },
      },
    })),
  ];
}
