// Token roles (auth/token/roles/:name): presets that auth/token/create/:role applies.
import { definePath, field, onlySent } from '../../core/path.js';
import type { Storage } from '../../storage/storage.js';
import { getRole, ROLE_PREFIX, validateRole, type TokenRole } from '../../core/tokens/role.js';
import { sanitisePolicies } from '../../core/tokens/issue.js';

const roleFields = {
  name: field.name({ description: 'Role name.' }),
  allowed_policies: field.policies({ description: 'Policies tokens of this role may have; empty = the creator\'s.' }),
  disallowed_policies: field.policies({ description: 'Policies tokens of this role may never have.' }),
  allowed_policies_glob: field.policies({ description: 'Glob patterns of allowed policies.' }),
  disallowed_policies_glob: field.policies({ description: 'Glob patterns of disallowed policies.' }),
  orphan: field.bool({ description: 'Tokens have no parent.' }),
  renewable: field.bool({ description: 'Tokens may be renewed.', default: true }),
  path_suffix: field.string({ description: 'Appended to the creation path of tokens.' }),
  token_period: field.duration({ description: 'Tokens are periodic with this period.' }),
  period: field.duration({ description: 'Deprecated alias of token_period.' }),
  token_explicit_max_ttl: field.duration({ description: 'Hard cap on token lifetime.' }),
  explicit_max_ttl: field.duration({ description: 'Deprecated alias of token_explicit_max_ttl.' }),
  token_no_default_policy: field.bool({ description: 'Do not add the default policy.' }),
  token_num_uses: field.int({ description: 'Uses per token; 0 = unlimited.' }),
  token_type: field.string({ description: 'service, batch, default-service or default-batch.', default: 'default-service' }),
  allowed_entity_aliases: field.strings({ description: 'Entity aliases tokens may be created with.' }),
  token_bound_cidrs: field.strings({ description: 'Networks tokens may be used from.' }),
};

/** roles/ and roles/:name of the token backend, over the token store's storage. */
export function rolePaths(storage: () => Storage) {
  return [
    definePath({
      pattern: 'roles/', summary: 'List token roles.', fields: {},
      operations: { list: async () => ({ data: { keys: await storage().list(ROLE_PREFIX) } }) },
    }),
    definePath({
      pattern: 'roles/:name', summary: 'Create, read, update or delete a token role.', fields: roleFields,
      exists: async ({ fields }) => (await getRole(storage(), fields.name)) !== undefined,
      operations: {
        read: async ({ fields }) => {
          const role = await getRole(storage(), fields.name);
          return role && { data: { ...role, period: role.token_period, explicit_max_ttl: role.token_explicit_max_ttl } };
        },
        create: async (ctx) => writeRole(storage(), ctx.fields, ctx.sent, undefined),
        update: async (ctx) => writeRole(storage(), ctx.fields, ctx.sent, await getRole(storage(), ctx.fields.name)),
        delete: async ({ fields }) => { await storage().delete(ROLE_PREFIX + fields.name.toLowerCase()); },
      },
    }),
  ];
}

type RoleInput = { [K in keyof typeof roleFields]: ReturnType<(typeof roleFields)[K]['parse']> };

// Vault: on update an omitted field keeps its stored value; the deprecated names still work.
async function writeRole(storage: Storage, fields: RoleInput, sent: Set<string>, before: TokenRole | undefined): Promise<void> {
  const { period, explicit_max_ttl, ...input } = fields;
  if (sent.has('period') && !sent.has('token_period')) { input.token_period = period; sent.add('token_period'); }
  if (sent.has('explicit_max_ttl') && !sent.has('token_explicit_max_ttl')) {
    input.token_explicit_max_ttl = explicit_max_ttl;
    sent.add('token_explicit_max_ttl');
  }
  const base: TokenRole = before ?? { ...input, name: input.name.toLowerCase() };
  const merged: TokenRole = { ...base, ...onlySent(input, sent), name: base.name };
  // Stored as Vault stores them: policy names lower-cased, unique and sorted; CIDRs trimmed.
  const role: TokenRole = {
    ...merged,
    allowed_policies: sanitisePolicies(merged.allowed_policies, false),
    allowed_policies_glob: sanitisePolicies(merged.allowed_policies_glob, false),
    disallowed_policies: sanitisePolicies(merged.disallowed_policies, false),
    disallowed_policies_glob: sanitisePolicies(merged.disallowed_policies_glob, false),
    token_bound_cidrs: merged.token_bound_cidrs.map((c) => c.trim()).filter((c) => c !== ''),
    // Lower-cased and unique, in the order given (entity_alias is compared lower-cased).
    allowed_entity_aliases: [...new Set(merged.allowed_entity_aliases.map((a) => a.trim().toLowerCase()).filter((a) => a !== ''))],
  };
  validateRole(role);
  await storage.put(ROLE_PREFIX + role.name, Buffer.from(JSON.stringify(role)));
}
