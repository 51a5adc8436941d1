// roles/:name (POST replaces, PATCH merges, GET returns every field) and the roles LIST.
import { definePath, field, type HandlerContext } from '../../../core/path.js';
import { parseFields } from '../../../core/fields.js';
import { BadRequest } from '../../../util/errors.js';
import { findIssuer } from '../issuers.js';
import { normalizeRole, roleFields, type Role } from '../role.js';
import { getJson, listAll, putJson } from '../store.js';

/** A role with Vault's defaults, as if written with no fields. */
export function defaultRole(): Role {
  return parseFields(roleFields, {}, false).values;
}

/** A stored role, with defaults for fields added since it was written. */
export async function getRole(ctx: HandlerContext<unknown>, name: string): Promise<Role | undefined> {
  const stored = await getJson<Partial<Role>>(ctx.storage, `role/${name}`);
  return stored && { ...defaultRole(), ...stored };
}

/** The role an issue or sign path names; Vault's text when there is none. */
export async function requireRole(ctx: HandlerContext<unknown>, name: string): Promise<Role> {
  const role = await getRole(ctx, name);
  if (!role) throw new BadRequest(`unknown role: ${name}`);
  return role;
}

const fields = { name: field.name({ description: 'The role name.' }), ...roleFields };

async function writeRole(ctx: HandlerContext<Role & { name: string }>, patch: boolean) {
  const { name, ...values } = ctx.fields;
  let role: Role = values;
  if (patch) {
    const existing = await getRole(ctx, name);
    if (!existing) throw new BadRequest('Unable to fetch role entry to patch');
    const sent = Object.fromEntries(Object.entries(values).filter(([k]) => ctx.sent.has(k)));
    role = { ...existing, ...sent };
  }
  role = normalizeRole(role);
  await putJson(ctx.storage, `role/${name}`, role);
  const warnings: string[] = [];
  if (!(await findIssuer(ctx.storage, role.issuer_ref))) {
    warnings.push(role.issuer_ref === 'default'
      ? 'Issuing Certificate was set to default, but no default issuing certificate (configurable at /config/issuers) is currently set'
      : `Issuing Certificate was set to ${role.issuer_ref} but no issuing certificate currently has that name`);
  }
  return { data: { ...role }, warnings };
}

export const rolePaths = [
  definePath({
    pattern: 'roles/', fields: {}, summary: 'List roles.',
    operations: { list: async (ctx) => ({ data: { keys: await listAll(ctx.storage, 'role/') } }) },
  }),
  definePath({
    pattern: 'roles/:name', fields, summary: 'Manage a role.',
    exists: async (ctx) => (await getRole(ctx, ctx.fields.name)) !== undefined,
    operations: {
      read: async (ctx) => {
        const role = await getRole(ctx, ctx.fields.name);
        return role && { data: { ...role } };
      },
      create: (ctx) => writeRole(ctx, false),
      update: (ctx) => writeRole(ctx, false),
      patch: (ctx) => writeRole(ctx, true),
      delete: async (ctx) => { await ctx.storage.delete(`role/${ctx.fields.name}`); },
    },
  }),
];
