// auth/<mount>/role/:name: which service accounts a role admits (names, namespaces, a namespace
// label selector, an audience), how their alias is named, and what their token gets.
import { BadRequest } from '../../util/errors.js';
import { definePath, field, type HandlerContext } from '../../core/path.js';
import type { FieldValues } from '../../core/fields.js';
import type { Storage } from '../../storage/storage.js';
import { applyTokenFields, NO_TOKEN_PARAMS, tokenData, tokenFields, type TokenParams } from '../../core/tokens/params.js';
import { roleListPath } from '../role-list.js';
import { legacyTokenData, legacyTokenFields, withLegacyTokenFields } from '../legacy-token-fields.js';
import { parseSelector, SelectorError } from './selector.js';
import { formatDuration } from '../../util/duration.js';

export const ALIAS_SOURCES = ['serviceaccount_uid', 'serviceaccount_name'] as const;
export type AliasSource = (typeof ALIAS_SOURCES)[number];

/** A stored role. */
export type KubeRole = {
  bound_service_account_names: string[];
  bound_service_account_namespaces: string[];
  bound_service_account_namespace_selector: string;
  audience: string;
  alias_name_source: AliasSource;
  token: TokenParams;
  /** Legacy spellings the role was written with (policies, ttl…), shown back on read as Vault does. */
  legacy: string[];
};

const roleKey = (name: string) => `role/${name.toLowerCase()}`;

export async function getRole(storage: Storage, name: string): Promise<KubeRole | undefined> {
  const raw = await storage.get(roleKey(name));
  return raw ? (JSON.parse(raw.toString('utf8')) as KubeRole) : undefined;
}

const roleFields = {
  name: field.name({ description: 'The role name.' }),
  bound_service_account_names: field.strings({ description: 'Service account names (globs) admitted; "*" alone admits all.' }),
  bound_service_account_namespaces: field.strings({ description: 'Namespaces (globs) admitted; "*" alone admits all.' }),
  bound_service_account_namespace_selector: field.string({ description: 'A label selector (JSON or YAML) for admitted namespaces; ORed with the list.' }),
  audience: field.string({ description: 'The aud the JWT must carry, also asked of the TokenReview.' }),
  alias_name_source: field.string({ description: 'serviceaccount_uid (default) or serviceaccount_name (<namespace>/<name>).', default: 'serviceaccount_uid' }),
  ...tokenFields,
  ...legacyTokenFields,
};
type V = FieldValues<typeof roleFields>;

/** "*" must be the only entry when it is one. */
function checkStar(list: string[]): void {
  if (list.length > 1 && list.includes('*')) throw new BadRequest('can not mix "*" with values');
}

async function writeRole(ctx: HandlerContext<V>) {
  const v = ctx.fields;
  const existing = await getRole(ctx.storage, v.name);
  const upgraded = withLegacyTokenFields(v, ctx.sent, existing?.legacy ?? []);
  const token = applyTokenFields(existing?.token ?? NO_TOKEN_PARAMS, upgraded.values, upgraded.sent);
  const mountMax = ctx.mount.config.max_lease_ttl || ctx.defaults.maxLeaseTtl;
  // Vault's text, Go's %q of its durations included.
  if (token.token_period > mountMax) {
    throw new BadRequest(`token period of '${JSON.stringify(formatDuration(token.token_period))}' is greater than the backend's maximum lease TTL of '${JSON.stringify(formatDuration(mountMax))}'`);
  }
  const pick = <K extends keyof KubeRole & keyof V>(k: K, fallback: KubeRole[K]): KubeRole[K] =>
    (ctx.sent.has(k) ? v[k] : existing ? existing[k] : fallback) as KubeRole[K];
  const role: KubeRole = {
    bound_service_account_names: pick('bound_service_account_names', []),
    bound_service_account_namespaces: pick('bound_service_account_namespaces', []),
    bound_service_account_namespace_selector: pick('bound_service_account_namespace_selector', ''),
    audience: pick('audience', ''),
    alias_name_source: (ctx.sent.has('alias_name_source') && v.alias_name_source !== '' ? v.alias_name_source : existing?.alias_name_source ?? 'serviceaccount_uid') as AliasSource,
    token,
    legacy: upgraded.legacy,
  };
  if (role.bound_service_account_names.length === 0) throw new BadRequest('"bound_service_account_names" can not be empty');
  checkStar(role.bound_service_account_names);
  if (role.bound_service_account_namespaces.length === 0 && role.bound_service_account_namespace_selector === '') {
    throw new BadRequest('"bound_service_account_namespaces" can not be empty if "bound_service_account_namespace_selector" is not set');
  }
  if (role.bound_service_account_namespace_selector !== '') {
    try {
      parseSelector(role.bound_service_account_namespace_selector);
    } catch (err) {
      if (err instanceof SelectorError) throw new BadRequest('invalid "bound_service_account_namespace_selector" configured');
      throw err;
    }
  }
  checkStar(role.bound_service_account_namespaces);
  if (!(ALIAS_SOURCES as readonly string[]).includes(role.alias_name_source)) {
    throw new BadRequest(`invalid alias_name_source, must be one of: ${ALIAS_SOURCES.join(', ')}`);
  }
  await ctx.storage.put(roleKey(v.name), Buffer.from(JSON.stringify(role)));
  const warnings: string[] = [];
  if (role.token.token_max_ttl > mountMax) {
    warnings.push("max_ttl is greater than the system or backend mount's maximum TTL value; issued tokens' max TTL value will be truncated");
  }
  if (role.audience.trim() === '') {
    warnings.push(`Role ${v.name} does not have an audience configured. While audiences are not required, consider specifying one if your use case would benefit from additional JWT claim verification.`);
  }
  return warnings.length > 0 ? { warnings } : undefined;
}

/** The role as a read shows it: Vault's keys, audience only when set, legacy spellings mirrored. */
function roleData(r: KubeRole): Record<string, unknown> {
  return {
    bound_service_account_names: r.bound_service_account_names,
    // Vault: an unset list is Go's nil slice, read back as null.
    bound_service_account_namespaces: r.bound_service_account_namespaces.length > 0 ? r.bound_service_account_namespaces : null,
    bound_service_account_namespace_selector: r.bound_service_account_namespace_selector,
    ...(r.audience !== '' ? { audience: r.audience } : {}),
    alias_name_source: r.alias_name_source,
    ...tokenData(r.token),
    ...legacyTokenData(r.legacy, r.token),
  };
}

export function rolePaths() {
  return [
    roleListPath(),
    definePath({
      pattern: 'role/:name', summary: 'Create, read, update or delete a role.', fields: roleFields,
      exists: async (ctx) => (await getRole(ctx.storage, ctx.fields.name)) !== undefined,
      operations: {
        read: async (ctx) => {
          const r = await getRole(ctx.storage, ctx.fields.name);
          return r ? { data: roleData(r) } : undefined;
        },
        create: writeRole,
        update: writeRole,
        delete: async (ctx) => { await ctx.storage.delete(roleKey(ctx.fields.name)); },
      },
    }),
  ];
}
