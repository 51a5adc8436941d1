// auth/<mount>/role/:name: which tokens a role admits and what their Lockbox token gets.
import { BadRequest } from '../../util/errors.js';
import { definePath, field, type HandlerContext } from '../../core/path.js';
import type { FieldValues } from '../../core/fields.js';
import type { Storage } from '../../storage/storage.js';
import { applyTokenFields, NO_TOKEN_PARAMS, tokenData, tokenFields, type TokenParams } from '../../core/tokens/params.js';
import { legacyTokenData, legacyTokenFields, withLegacyTokenFields } from '../legacy-token-fields.js';
import { formatDuration } from '../../util/duration.js';

/** A stored role. Leeways in seconds; -1 means none. */
export type JwtRole = {
  role_type: 'jwt' | 'oidc';
  user_claim: string;
  /** user_claim is a JSON pointer (`/a/b`); otherwise it is a claim name, whatever it starts with. Absent on older roles: see userClaimIsPointer. */
  user_claim_json_pointer?: boolean;
  groups_claim: string;
  bound_audiences: string[];
  bound_subject: string;
  bound_claims: Record<string, unknown>;
  bound_claims_type: 'string' | 'glob';
  claim_mappings: Record<string, string>;
  clock_skew_leeway: number;
  expiration_leeway: number;
  not_before_leeway: number;
  /** oidc roles: where the provider may send the browser back to (loopback entries match any port). */
  allowed_redirect_uris: string[];
  /** Scopes asked for besides `openid`. */
  oidc_scopes: string[];
  /** Log the ID token (without its signature) and the claims at debug level. */
  verbose_oidc_logging: boolean;
  /** oidc roles: seconds since the user last authenticated at the provider, at most (0: no limit). Absent on older roles. */
  max_age?: number;
  token: TokenParams;
  /** Deprecated token field names the role was written with, shown back on read. */
  legacy?: string[];
};

const roleKey = (name: string) => `role/${name.toLowerCase()}`;

/** Roles written before the flag existed read a user_claim starting with '/' as a pointer, as they always did. */
export const userClaimIsPointer = (role: JwtRole) => role.user_claim_json_pointer ?? role.user_claim.startsWith('/');

export async function getRole(storage: Storage, name: string): Promise<JwtRole | undefined> {
  const raw = await storage.get(roleKey(name));
  return raw ? (JSON.parse(raw.toString('utf8')) as JwtRole) : undefined;
}

const name = field.name({ description: 'The role name.' });

const roleFields = {
  name,
  role_type: field.string({ description: 'oidc (browser flow, the default) or jwt (login with a JWT).', default: 'oidc' }),
  user_claim: field.string({ description: 'The claim naming the user (the alias name).' }),
  user_claim_json_pointer: field.bool({ description: 'Read user_claim as a JSON pointer.' }),
  groups_claim: field.string({ description: 'The claim holding the group names.' }),
  bound_audiences: field.strings({ description: 'Audiences of which the token must carry one.' }),
  bound_subject: field.string({ description: 'The sub the token must carry.' }),
  bound_claims: field.object({ description: 'Claims (or JSON pointers) and the values they must have.' }),
  bound_claims_type: field.string({ description: 'string (exact) or glob.', default: 'string' }),
  claim_mappings: field.keyValues({ description: 'Claims copied into alias and token metadata, by key (an object, or key=value pairs).' }),
  clock_skew_leeway: field.signedDuration({ description: 'Leeway for exp, nbf and iat (default 60s; -1: none).', default: 60 }),
  expiration_leeway: field.signedDuration({ description: 'Leeway for exp (default 150s; -1: none).', default: 150 }),
  not_before_leeway: field.signedDuration({ description: 'Leeway for nbf (default 150s; -1: none).', default: 150 }),
  allowed_redirect_uris: field.strings({ description: 'Redirect URIs an oidc login may use.' }),
  oidc_scopes: field.strings({ description: 'Scopes asked for besides openid.' }),
  verbose_oidc_logging: field.bool({ description: 'Log the ID token (unsigned) and its claims at debug level.' }),
  callback_mode: field.string({ description: "Only 'client' (Vault's default) is supported.", default: 'client' }),
  max_age: field.duration({ description: 'oidc roles: the longest time since the user last authenticated at the provider (0: no limit).' }),
  ...tokenFields,
  ...legacyTokenFields,
};
type V = FieldValues<typeof roleFields>;

function checkBoundClaims(claims: Record<string, unknown>, type: string): void {
  if (type !== 'string' && type !== 'glob') throw new BadRequest(`invalid 'bound_claims_type': ${type}`);
  for (const [k, v] of Object.entries(claims)) {
    const values = Array.isArray(v) ? v : [v];
    for (const one of values) {
      if (type === 'glob' && typeof one !== 'string') throw new BadRequest(`claim is not a string or list: ${JSON.stringify(k)}`);
      if (typeof one !== 'string' && typeof one !== 'number' && typeof one !== 'boolean') throw new BadRequest(`claim is not a string or list: ${JSON.stringify(k)}`);
    }
  }
}

function checkMappings(m: Record<string, string>): void {
  const targets = new Set<string>();
  for (const target of Object.values(m)) {
    if (target === 'role') throw new BadRequest('metadata key "role" is reserved and may not be set via claim mappings');
    if (targets.has(target)) throw new BadRequest(`multiple keys are mapped to metadata key "${target}"`);
    targets.add(target);
  }
}

async function writeRole(ctx: HandlerContext<V>) {
  const v = ctx.fields;
  const existing = await getRole(ctx.storage, v.name);
  const pick = <K extends keyof JwtRole & keyof V>(k: K, fallback: JwtRole[K]): JwtRole[K] =>
    (ctx.sent.has(k) ? v[k] : existing?.[k] ?? fallback) as JwtRole[K]; // a field newer than the stored role: its default
  const upgraded = withLegacyTokenFields(v, ctx.sent, existing?.legacy ?? []);
  const roleType = ctx.sent.has('role_type') ? v.role_type : existing ? existing.role_type : 'oidc';
  if (roleType !== 'jwt' && roleType !== 'oidc') throw new BadRequest(`invalid 'role_type': ${roleType}`);
  if (ctx.sent.has('callback_mode') && v.callback_mode !== 'client') throw new BadRequest(`unsupported callback_mode: ${JSON.stringify(v.callback_mode)} (only 'client' is supported)`);
  const role: JwtRole = {
    role_type: roleType,
    user_claim: pick('user_claim', ''),
    user_claim_json_pointer: ctx.sent.has('user_claim_json_pointer') ? v.user_claim_json_pointer : existing ? userClaimIsPointer(existing) : false,
    groups_claim: pick('groups_claim', ''),
    bound_audiences: pick('bound_audiences', []),
    bound_subject: pick('bound_subject', ''),
    bound_claims: pick('bound_claims', {}),
    bound_claims_type: pick('bound_claims_type', 'string'),
    claim_mappings: pick('claim_mappings', {}),
    clock_skew_leeway: pick('clock_skew_leeway', 60),
    expiration_leeway: pick('expiration_leeway', 150),
    not_before_leeway: pick('not_before_leeway', 150),
    allowed_redirect_uris: pick('allowed_redirect_uris', []),
    oidc_scopes: pick('oidc_scopes', []),
    verbose_oidc_logging: pick('verbose_oidc_logging', false),
    max_age: pick('max_age', 0),
    token: applyTokenFields(existing?.token ?? NO_TOKEN_PARAMS, upgraded.values, upgraded.sent),
    legacy: upgraded.legacy,
  };
  const mountMax = ctx.mount.config.max_lease_ttl || ctx.defaults.maxLeaseTtl;
  // Vault's text, Go's %q of its durations included.
  if (role.token.token_period > mountMax) {
    throw new BadRequest(`'period' of '${JSON.stringify(formatDuration(role.token.token_period))}' is greater than the backend's maximum lease TTL of '${JSON.stringify(formatDuration(mountMax))}'`);
  }
  if (role.user_claim === '') throw new BadRequest('a user claim must be defined on the role');
  checkBoundClaims(role.bound_claims, role.bound_claims_type);
  checkMappings(role.claim_mappings);
  if (role.role_type === 'oidc' && role.allowed_redirect_uris.length === 0) {
    throw new BadRequest("'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.");
  }
  if (role.role_type === 'jwt' && role.bound_audiences.length === 0 && role.bound_subject === '' && Object.keys(role.bound_claims).length === 0 && role.token.token_bound_cidrs.length === 0) {
    throw new BadRequest('must have at least one bound constraint when creating/updating a role');
  }
  await ctx.storage.put(roleKey(v.name), Buffer.from(JSON.stringify(role)));
}

export function rolePaths() {
  return [
    definePath({
      pattern: 'role/', summary: 'List the roles.', fields: {},
      operations: { list: async (ctx) => { const keys = (await ctx.storage.list('role/')).sort(); return keys.length > 0 ? { data: { keys } } : undefined; } },
    }),
    definePath({
      pattern: 'role/:name', summary: 'Create, read, update or delete a role.', fields: roleFields,
      exists: async (ctx) => (await getRole(ctx.storage, ctx.fields.name)) !== undefined,
      operations: {
        read: async (ctx) => {
          const r = await getRole(ctx.storage, ctx.fields.name);
          if (!r) return undefined;
          const { token, legacy, ...rest } = r;
          return {
            data: {
              ...rest, user_claim_json_pointer: userClaimIsPointer(r), max_age: r.max_age ?? 0, callback_mode: 'client',
              ...tokenData(token), ...legacyTokenData(legacy, token),
            },
          };
        },
        create: writeRole,
        update: writeRole,
        delete: async (ctx) => { await ctx.storage.delete(roleKey(ctx.fields.name)); },
      },
    }),
  ];
}
