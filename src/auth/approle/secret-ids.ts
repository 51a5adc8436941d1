// role/:role_name/secret-id (generate, LIST accessors), custom-secret-id, secret-id/lookup and
// destroy, secret-id-accessor/lookup and destroy, and tidy/secret-id.
import { randomUUID } from 'node:crypto';
import { BadRequest, NotFound } from '../../util/errors.js';
import { definePath, field, type HandlerContext } from '../../core/path.js';
import type { FieldValues } from '../../core/fields.js';
import { CidrError, cidrsWithin, parseCidrs } from '../../core/tokens/cidr-rules.js';
import { getRole, type Role } from './role-store.js';
import {
  byAccessor, createSecretId, destroyByAccessor, destroySecretId, listSecretIds, lookupSecretId, tidy, type SecretIdEntry,
} from './secret-store.js';

const roleName = field.name({ description: 'Name of the role.' });
const secretIdField = field.string({ description: 'The secret-id.', sensitive: true });
const accessorField = field.string({ description: 'The secret-id\'s accessor.' });

const generateFields = {
  role_name: roleName,
  // Vault takes a JSON string; hvac's create_custom_secret_id sends the object itself, so both are read.
  metadata: field.any({ description: 'A JSON object of strings (as a string), kept with the secret-id and put in the token\'s metadata.' }),
  cidr_list: field.strings({ description: 'CIDR blocks logins with this secret-id must come from.' }),
  token_bound_cidrs: field.strings({ description: 'CIDR blocks the login\'s token may be used from.' }),
  num_uses: field.int({ description: 'Uses of this secret-id; 0 takes the role\'s.' }),
  ttl: field.duration({ description: 'Lifetime of this secret-id; 0 takes the role\'s.' }),
};

/** The role a path acts on; Vault answers a missing one with this text. */
async function roleOf(ctx: HandlerContext<{ role_name: string }>): Promise<Role> {
  const role = await getRole(ctx, ctx.fields.role_name);
  if (!role) throw new BadRequest(`role ${JSON.stringify(ctx.fields.role_name.toLowerCase())} does not exist`);
  return role;
}

function parseMetadata(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null || raw === '') return {};
  let parsed: unknown = raw;
  if (typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new BadRequest('failed to parse metadata: metadata is not valid JSON');
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new BadRequest('failed to parse metadata: expected a JSON object of strings');
  }
  return parsed as Record<string, string>;
}

function cidrList(name: string, list: string[]): string[] {
  try {
    return parseCidrs(list);
  } catch (err) {
    if (err instanceof CidrError) throw new BadRequest(`failed to validate ${name}: ${err.message}`);
    throw err;
  }
}

/** Generates (or registers a custom) secret-id with Vault's checks against the role. */
async function issue(ctx: HandlerContext<FieldValues<typeof generateFields>>, secretId: string) {
  const role = await roleOf(ctx);
  if (!role.bind_secret_id) throw new BadRequest('bind_secret_id is not set on the role');
  const cidrs = cidrList('CIDR blocks', ctx.fields.cidr_list);
  if (!cidrsWithin(cidrs, role.secret_id_bound_cidrs)) {
    throw new BadRequest('failed to verify the CIDR restrictions set on the secret ID: CIDR blocks on the secret ID are not a subset of that of the role');
  }
  const tokenCidrs = cidrList('token CIDR blocks', ctx.fields.token_bound_cidrs);
  if (!cidrsWithin(tokenCidrs, role.token.token_bound_cidrs)) {
    throw new BadRequest('failed to verify the token CIDR restrictions set on the secret ID: token CIDR blocks on the secret ID are not a subset of that of the role');
  }
  let numUses = role.secret_id_num_uses;
  if (ctx.sent.has('num_uses')) {
    if (ctx.fields.num_uses < 0) throw new BadRequest('num_uses cannot be negative');
    if (role.secret_id_num_uses > 0 && (ctx.fields.num_uses === 0 || ctx.fields.num_uses > role.secret_id_num_uses)) {
      throw new BadRequest("num_uses cannot be higher than the role's secret_id_num_uses");
    }
    if (ctx.fields.num_uses > 0) numUses = ctx.fields.num_uses;
  }
  let ttl = role.secret_id_ttl;
  if (ctx.fields.ttl > 0) {
    if (role.secret_id_ttl > 0 && ctx.fields.ttl > role.secret_id_ttl) throw new BadRequest("ttl cannot be longer than the role's secret_id_ttl");
    ttl = ctx.fields.ttl;
  }
  const now = ctx.clock.now();
  const entry = await createSecretId(ctx, role.name, secretId, {
    secret_id_num_uses: numUses, secret_id_ttl: ttl, creation_time: now, last_updated_time: now,
    expiration_time: ttl > 0 ? now + ttl * 1000 : 0, metadata: parseMetadata(ctx.fields.metadata), cidr_list: cidrs, token_bound_cidrs: tokenCidrs,
  });
  return { data: { secret_id: secretId, secret_id_accessor: entry.secret_id_accessor, secret_id_ttl: ttl, secret_id_num_uses: numUses } };
}

/** Go's zero time, which Vault shows for a secret-id that never expires. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** A secret-id as lookup shows it. */
function secretIdData(e: SecretIdEntry): Record<string, unknown> {
  return {
    cidr_list: e.cidr_list,
    creation_time: new Date(e.creation_time).toISOString(),
    expiration_time: e.expiration_time === 0 ? ZERO_TIME : new Date(e.expiration_time).toISOString(),
    last_updated_time: new Date(e.last_updated_time).toISOString(),
    metadata: e.metadata,
    secret_id_accessor: e.secret_id_accessor,
    secret_id_num_uses: e.secret_id_num_uses,
    secret_id_ttl: e.secret_id_ttl,
    token_bound_cidrs: e.token_bound_cidrs,
  };
}

export function secretIdPaths() {
  const requireSecret = (s: string) => { if (s === '') throw new BadRequest('missing secret_id'); return s; };
  const requireAccessor = (s: string) => { if (s === '') throw new BadRequest('missing secret_id_accessor'); return s; };
  const destroy = async (ctx: HandlerContext<{ role_name: string; secret_id: string }>) => {
    const role = await roleOf(ctx);
    await destroySecretId(ctx, role.name, requireSecret(ctx.fields.secret_id));
  };
  const destroyAccessor = async (ctx: HandlerContext<{ role_name: string; secret_id_accessor: string }>) => {
    const role = await roleOf(ctx);
    const accessor = requireAccessor(ctx.fields.secret_id_accessor);
    if (!(await destroyByAccessor(ctx, role.name, accessor))) {
      throw new BadRequest(`failed to find accessor entry for secret_id_accessor: ${JSON.stringify(accessor)}`);
    }
  };
  return [
    definePath({
      pattern: 'role/:role_name/secret-id', summary: 'Generate a secret-id.', fields: generateFields,
      operations: { update: (ctx) => issue(ctx, randomUUID()) },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id/', summary: 'List the accessors of the role\'s secret-ids.', fields: { role_name: roleName },
      operations: {
        list: async (ctx) => {
          const role = await roleOf(ctx);
          const keys = (await listSecretIds(ctx, role.name)).map((s) => s.entry.secret_id_accessor).sort();
          return keys.length > 0 ? { data: { keys } } : undefined;
        },
      },
    }),
    definePath({
      pattern: 'role/:role_name/custom-secret-id', summary: 'Register a secret-id of your choosing.',
      fields: { ...generateFields, secret_id: secretIdField },
      operations: { update: (ctx) => issue(ctx, requireSecret(ctx.fields.secret_id)) },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id/lookup', summary: 'Read what is stored with a secret-id.', fields: { role_name: roleName, secret_id: secretIdField },
      operations: {
        update: async (ctx) => {
          const role = await roleOf(ctx);
          const entry = await lookupSecretId(ctx, role.name, requireSecret(ctx.fields.secret_id));
          return entry && { data: secretIdData(entry) };
        },
      },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id/destroy', summary: 'Destroy a secret-id.', fields: { role_name: roleName, secret_id: secretIdField },
      operations: { update: destroy, delete: destroy },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id-accessor/lookup', summary: 'Read what is stored with the secret-id behind an accessor.',
      fields: { role_name: roleName, secret_id_accessor: accessorField },
      operations: {
        update: async (ctx) => {
          const role = await roleOf(ctx);
          const accessor = requireAccessor(ctx.fields.secret_id_accessor);
          const found = await byAccessor(ctx, role.name, accessor);
          // A 404, as Vault answers since 1.9: Terraform reads it as "the secret-id is gone" and plans to recreate it.
          if (!found) throw new NotFound(`failed to find accessor entry for secret_id_accessor: ${JSON.stringify(accessor)}`);
          return { data: secretIdData(found.entry) };
        },
      },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id-accessor/destroy', summary: 'Destroy the secret-id behind an accessor.',
      fields: { role_name: roleName, secret_id_accessor: accessorField },
      operations: { update: destroyAccessor, delete: destroyAccessor },
    }),
    definePath({
      pattern: 'tidy/secret-id', summary: 'Remove expired secret-ids and accessor entries that point nowhere.', fields: {},
      operations: {
        update: async (ctx) => {
          const roles = await ctx.storage.list('role/');
          await tidy(ctx, roles, ctx.clock.now());
          return { warnings: ['Tidy operation successfully started. Any information from the operation will be printed to Lockbox\'s server logs.'], status: 202 };
        },
      },
    }),
  ];
}
