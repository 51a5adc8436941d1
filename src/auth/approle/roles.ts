// role/, role/:role_name and the one-setting subpaths (role/:role_name/policies, …/secret-id-ttl…)
// that Terraform and the CLI use, plus role-id.
import { randomUUID } from 'node:crypto';
import { BadRequest } from '../../util/errors.js';
import { definePath, field, type HandlerContext } from '../../core/path.js';
import { applyTokenFields, tokenData, tokenFields } from '../../core/tokens/params.js';
import { CidrError, parseCidrs } from '../../core/tokens/cidr-rules.js';
import { getRole, newRole, roleKey, saveRole, type Role } from './role-store.js';
import { destroyAllOf } from './secret-store.js';
import { hmacOf, mountKey } from './keys.js';
import { parsedPolicies } from '../policy-names.js';
import { formatDuration } from '../../util/duration.js';

const roleName = field.name({ description: 'Name of the role (case-insensitive).' });

const roleFields = {
  role_name: roleName,
  bind_secret_id: field.bool({ description: 'Require a secret-id at login.', default: true }),
  secret_id_bound_cidrs: field.strings({ description: 'CIDR blocks a login must come from.' }),
  bound_cidr_list: field.strings({ description: 'Deprecated: use secret_id_bound_cidrs.' }),
  secret_id_num_uses: field.int({ description: 'Uses of each secret-id; 0 means unlimited.' }),
  secret_id_ttl: field.duration({ description: 'Lifetime of each secret-id; 0 means unlimited.' }),
  local_secret_ids: field.bool({ description: 'Secret-ids are not replicated (fixed at creation).' }),
  role_id: field.string({ description: 'A custom role-id; a UUID is generated otherwise.' }),
  period: field.duration({ description: 'Deprecated: use token_period.' }),
  ...tokenFields,
};

function cidrs(name: string, list: string[]): string[] {
  try {
    return parseCidrs(list);
  } catch (err) {
    if (err instanceof CidrError) throw new BadRequest(`failed to parse ${name}: ${err.message}`);
    throw err;
  }
}

/** Applies the sent role fields to a role; omitted ones keep their value. */
function applyRoleFields(role: Role, v: Defaults, sent: Set<string>, creating: boolean): Role {
  const next: Role = { ...role, legacy: { ...role.legacy } };
  if (sent.has('bind_secret_id')) next.bind_secret_id = v.bind_secret_id;
  if (sent.has('secret_id_bound_cidrs')) next.secret_id_bound_cidrs = cidrs('secret_id_bound_cidrs', v.secret_id_bound_cidrs);
  else if (sent.has('bound_cidr_list')) next.secret_id_bound_cidrs = cidrs('bound_cidr_list', v.bound_cidr_list);
  if (sent.has('secret_id_num_uses')) {
    if (v.secret_id_num_uses < 0) throw new BadRequest('secret_id_num_uses cannot be negative');
    next.secret_id_num_uses = v.secret_id_num_uses;
  }
  if (sent.has('secret_id_ttl')) next.secret_id_ttl = v.secret_id_ttl;
  if (sent.has('local_secret_ids')) {
    if (!creating && v.local_secret_ids !== role.local_secret_ids) throw new BadRequest('local_secret_ids can only be modified during role creation');
    next.local_secret_ids = v.local_secret_ids;
  }
  // Vault's upgrade rule: a new name wins and clears the deprecated one; the deprecated one sets both.
  const legacyPeriod = !sent.has('token_period') && sent.has('period') ? { token_period: v.period } : {};
  next.token = applyTokenFields(role.token, v, sent, legacyPeriod);
  if (sent.has('token_policies')) delete next.legacy.policies;
  else if (sent.has('policies')) next.legacy.policies = next.token.token_policies;
  if (sent.has('token_period')) delete next.legacy.period;
  else if (sent.has('period')) next.legacy.period = v.period;
  return next;
}
type Defaults = { [K in keyof typeof roleFields]: ReturnType<(typeof roleFields)[K]['parse']> };

/** A role as read back (Vault's field names and JSON types). */
function roleData(role: Role): Record<string, unknown> {
  return {
    bind_secret_id: role.bind_secret_id,
    local_secret_ids: role.local_secret_ids,
    secret_id_bound_cidrs: role.secret_id_bound_cidrs,
    secret_id_num_uses: role.secret_id_num_uses,
    secret_id_ttl: role.secret_id_ttl,
    ...tokenData(role.token),
    ...(role.legacy.period ? { period: role.legacy.period } : {}),
    ...(role.legacy.policies && role.legacy.policies.length > 0 ? { policies: role.legacy.policies } : {}),
  };
}

const mountMaxTtl = (ctx: Pick<HandlerContext<unknown>, 'mount' | 'defaults'>) => ctx.mount.config.max_lease_ttl || ctx.defaults.maxLeaseTtl;

/** Vault refuses a deprecated `period` above the mount's max TTL (token_period is not checked); Go's %q texts. */
function checkPeriod(ctx: Pick<HandlerContext<unknown>, 'mount' | 'defaults'>, role: Role): Role {
  const max = mountMaxTtl(ctx);
  if (role.legacy.period !== undefined && role.legacy.period > max) {
    throw new BadRequest(`period of ${JSON.stringify(formatDuration(role.legacy.period))} is greater than the backend's maximum lease TTL of ${JSON.stringify(formatDuration(max))}`);
  }
  return role;
}

/** The role a subpath acts on; Vault answers an unknown one with this text. */
async function mustGetRole(ctx: HandlerContext<{ role_name: string }>): Promise<Role> {
  const role = await getRole(ctx, ctx.fields.role_name);
  if (!role) throw new BadRequest(`role ${JSON.stringify(ctx.fields.role_name.toLowerCase())} does not exist`);
  return role;
}

/** One-setting subpaths: which fields each takes and shows. Delete resets them to the defaults. */
const SUBPATHS: Array<{ sub: string; fields: Array<keyof Defaults>; show: (r: Role) => Record<string, unknown> }> = [
  // The deprecated name is shown only while it is what set the value, as on a role read.
  { sub: 'policies', fields: ['token_policies', 'policies'], show: (r) => ({ token_policies: r.token.token_policies, ...(r.legacy.policies?.length ? { policies: r.legacy.policies } : {}) }) },
  { sub: 'bound-cidr-list', fields: ['bound_cidr_list'], show: (r) => ({ bound_cidr_list: r.secret_id_bound_cidrs }) },
  { sub: 'secret-id-bound-cidrs', fields: ['secret_id_bound_cidrs'], show: (r) => ({ secret_id_bound_cidrs: r.secret_id_bound_cidrs }) },
  { sub: 'token-bound-cidrs', fields: ['token_bound_cidrs'], show: (r) => ({ token_bound_cidrs: r.token.token_bound_cidrs }) },
  { sub: 'bind-secret-id', fields: ['bind_secret_id'], show: (r) => ({ bind_secret_id: r.bind_secret_id }) },
  { sub: 'secret-id-num-uses', fields: ['secret_id_num_uses'], show: (r) => ({ secret_id_num_uses: r.secret_id_num_uses }) },
  { sub: 'secret-id-ttl', fields: ['secret_id_ttl'], show: (r) => ({ secret_id_ttl: r.secret_id_ttl }) },
  { sub: 'period', fields: ['token_period', 'period'], show: (r) => ({ token_period: r.token.token_period, ...(r.legacy.period ? { period: r.legacy.period } : {}) }) },
  { sub: 'token-num-uses', fields: ['token_num_uses'], show: (r) => ({ token_num_uses: r.token.token_num_uses }) },
  { sub: 'token-ttl', fields: ['token_ttl'], show: (r) => ({ token_ttl: r.token.token_ttl }) },
  { sub: 'token-max-ttl', fields: ['token_max_ttl'], show: (r) => ({ token_max_ttl: r.token.token_max_ttl }) },
];

function subpath(spec: (typeof SUBPATHS)[number]) {
  const fields = Object.fromEntries([['role_name', roleName], ...spec.fields.map((f) => [f, roleFields[f]])]);
  return definePath({
    pattern: `role/:role_name/${spec.sub}`, summary: `Read, set or reset the role's ${spec.fields[0]}.`, fields,
    operations: {
      read: async (ctx) => {
        const role = await getRole(ctx, ctx.fields.role_name as string);
        return role && { data: spec.show(role) };
      },
      update: async (ctx) => {
        const role = await mustGetRole(ctx as HandlerContext<{ role_name: string }>);
        if (!spec.fields.some((f) => ctx.sent.has(f))) throw new BadRequest(`missing ${spec.fields[0]}`);
        const values = { ...(ctx.fields as Defaults) };
        // Unlike a role write, Vault parses the names here as policy names.
        if (spec.sub === 'policies') for (const f of ['token_policies', 'policies'] as const) values[f] = parsedPolicies(values[f]);
        await saveRole(ctx, checkPeriod(ctx, applyRoleFields(role, values, ctx.sent, false)), role);
      },
      delete: async (ctx) => {
        const role = await mustGetRole(ctx as HandlerContext<{ role_name: string }>);
        const fresh = newRole(role.name);
        const reset = Object.fromEntries(spec.fields.map((f) => [f, fieldDefault(f, fresh)]));
        await saveRole(ctx, applyRoleFields(role, { ...(ctx.fields as Defaults), ...reset }, new Set(spec.fields.slice(0, 1)), false), role);
      },
    },
  });
}

/** What a setting is reset to by deleting its subpath. */
function fieldDefault(f: keyof Defaults, fresh: Role): unknown {
  const all = { ...roleData(fresh), bound_cidr_list: [], policies: [], period: 0 } as Record<string, unknown>;
  return all[f];
}

/** role/, role/:role_name, the subpaths and role-id. */
export function rolePaths() {
  return [
    definePath({
      pattern: 'role/', summary: 'List the roles.', fields: {},
      // Vault answers an empty list with a 404.
      operations: { list: async (ctx) => { const keys = (await ctx.storage.list('role/')).sort(); return keys.length > 0 ? { data: { keys } } : undefined; } },
    }),
    definePath({
      pattern: 'role/:role_name', summary: 'Create, read, update or delete a role.', fields: roleFields,
      exists: async (ctx) => (await getRole(ctx, ctx.fields.role_name)) !== undefined,
      operations: {
        read: async (ctx) => {
          const role = await getRole(ctx, ctx.fields.role_name);
          return role && { data: roleData(role) };
        },
        create: (ctx) => writeRole(ctx),
        update: (ctx) => writeRole(ctx),
        delete: async (ctx) => {
          const role = await getRole(ctx, ctx.fields.role_name);
          if (!role) return;
          await destroyAllOf(ctx, role.name);
          const key = await mountKey(ctx.storage, ctx.mount.uuid);
          await ctx.storage.transaction(async (tx) => {
            await tx.delete(`role_id/${hmacOf(key, role.role_id)}`);
            await tx.delete(`role/${role.name}`);
          });
        },
      },
    }),
    ...SUBPATHS.map(subpath),
    definePath({
      pattern: 'role/:role_name/local-secret-ids', summary: 'Whether the role\'s secret-ids are local.', fields: { role_name: roleName },
      operations: { read: async (ctx) => { const r = await getRole(ctx, ctx.fields.role_name); return r && { data: { local_secret_ids: r.local_secret_ids } }; } },
    }),
    definePath({
      pattern: 'role/:role_name/role-id', summary: 'Read the role-id, or set a custom one.',
      fields: { role_name: roleName, role_id: field.string({ description: 'The new role-id.' }) },
      operations: {
        read: async (ctx) => { const r = await getRole(ctx, ctx.fields.role_name); return r && { data: { role_id: r.role_id } }; },
        update: async (ctx) => {
          const role = await mustGetRole(ctx);
          if (ctx.fields.role_id === '') throw new BadRequest('missing role_id');
          await saveRole(ctx, { ...role, role_id: ctx.fields.role_id }, role);
        },
      },
    }),
  ];
}

// Vault's AppRole alone takes these two spellings, as the types they stand for, with a warning.
const LEGACY_TOKEN_TYPES: Record<string, string> = { 'default-service': 'service', 'default-batch': 'batch' };

async function writeRole(ctx: HandlerContext<Defaults>) {
  const name = roleKey(ctx.fields.role_name);
  const previous = await getRole(ctx, name);
  const base = previous ?? newRole(name);
  const warnings: string[] = [];
  const legacyType = ctx.sent.has('token_type') ? LEGACY_TOKEN_TYPES[ctx.fields.token_type] : undefined;
  if (legacyType) warnings.push(`${ctx.fields.token_type} has no useful meaning; adjusting to ${legacyType}`);
  const values = legacyType ? { ...ctx.fields, token_type: legacyType } : ctx.fields;
  const role = applyRoleFields(base, values, previous ? ctx.sent : new Set([...ctx.sent, 'bind_secret_id']), !previous);
  if (ctx.sent.has('role_id')) {
    if (ctx.fields.role_id === '') throw new BadRequest('invalid role_id supplied, or failed to generate a role_id');
    role.role_id = ctx.fields.role_id;
  } else if (!previous) role.role_id = randomUUID();
  await saveRole(ctx, checkPeriod(ctx, role), previous);
  if (role.token.token_max_ttl > mountMaxTtl(ctx)) {
    warnings.push("token_max_ttl is greater than the backend mount's maximum TTL value; issued tokens' max TTL value will be truncated");
  }
  return warnings.length > 0 ? { warnings } : undefined;
}
