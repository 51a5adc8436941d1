// userpass users as stored, and users/, users/:username, users/:username/password and
// users/:username/policies.
import { BadRequest } from '../../util/errors.js';
import { definePath, field, type HandlerContext } from '../../core/path.js';
import type { FieldValues } from '../../core/fields.js';
import type { Storage } from '../../storage/storage.js';
import { applyTokenFields, NO_TOKEN_PARAMS, tokenData, tokenFields, type TokenParams } from '../../core/tokens/params.js';
import { CidrError, parseCidrs } from '../../core/tokens/cidr-rules.js';
import { hashPassword, type PasswordHash } from './password.js';
import { parsedPolicies } from '../policy-names.js';

/** A stored user. */
export type User = {
  password: PasswordHash;
  token: TokenParams;
  /** Set only through the deprecated names; shown back only then, as Vault does. */
  legacy: { policies?: string[]; ttl?: number; max_ttl?: number; bound_cidrs?: string[] };
};

/** Vault lower-cases usernames: Mary and mary are one user. */
export const userKey = (name: string) => `user/${name.toLowerCase()}`;

export async function getUser(storage: Storage, name: string): Promise<User | undefined> {
  const raw = await storage.get(userKey(name));
  return raw ? (JSON.parse(raw.toString('utf8')) as User) : undefined;
}

const putUser = (storage: Storage, name: string, user: User) => storage.put(userKey(name), Buffer.from(JSON.stringify(user)));

const username = field.name({ description: 'The username (case-insensitive).' });
const password = field.string({ description: 'The password.', sensitive: true });

// Vault 1.17+ takes a pre-hashed bcrypt password; Lockbox does not, and ignoring it would leave
// the old password in place without a word, so a non-empty one is refused.
const passwordHash = field.string({ description: 'Not supported (a bcrypt hash, Vault 1.17+): refused.', sensitive: true });
const refuseHash = (hash: string) => { if (hash !== '') throw new BadRequest('password_hash is not supported: send password'); };

const userFields = {
  username,
  password,
  password_hash: passwordHash,
  ttl: field.duration({ description: 'Deprecated: use token_ttl.' }),
  max_ttl: field.duration({ description: 'Deprecated: use token_max_ttl.' }),
  bound_cidrs: field.strings({ description: 'Deprecated: use token_bound_cidrs.' }),
  ...tokenFields,
};

/** The deprecated spellings, mapped onto the token parameters when the new ones are not sent. */
function legacyParams(v: FieldValues<typeof userFields>, sent: Set<string>): Partial<TokenParams> {
  const out: Partial<TokenParams> = {};
  if (sent.has('ttl') && !sent.has('token_ttl')) out.token_ttl = v.ttl;
  if (sent.has('max_ttl') && !sent.has('token_max_ttl')) out.token_max_ttl = v.max_ttl;
  if (sent.has('bound_cidrs') && !sent.has('token_bound_cidrs')) {
    try {
      out.token_bound_cidrs = parseCidrs(v.bound_cidrs);
    } catch (err) {
      if (err instanceof CidrError) throw new BadRequest(`failed to parse bound_cidrs: ${err.message}`);
      throw err;
    }
  }
  return out;
}

/** Keeps the deprecated fields shown only while they are what set the value (Vault's upgrade rule). */
function legacyShown(user: User, sent: Set<string>): User['legacy'] {
  const legacy = { ...user.legacy };
  const pairs: Array<[keyof User['legacy'], keyof TokenParams]> = [
    ['policies', 'token_policies'], ['ttl', 'token_ttl'], ['max_ttl', 'token_max_ttl'], ['bound_cidrs', 'token_bound_cidrs'],
  ];
  for (const [old, now] of pairs) {
    if (sent.has(now)) delete legacy[old];
    else if (sent.has(old)) (legacy as Record<string, unknown>)[old] = user.token[now];
  }
  return legacy;
}

function userData(user: User): Record<string, unknown> {
  const l = user.legacy;
  return {
    ...tokenData(user.token),
    ...(l.ttl ? { ttl: l.ttl } : {}),
    ...(l.max_ttl ? { max_ttl: l.max_ttl } : {}),
    ...(l.policies && l.policies.length > 0 ? { policies: l.policies } : {}),
    ...(l.bound_cidrs && l.bound_cidrs.length > 0 ? { bound_cidrs: l.bound_cidrs } : {}),
  };
}

async function writeUser(ctx: HandlerContext<FieldValues<typeof userFields>>) {
  refuseHash(ctx.fields.password_hash);
  const existing = await getUser(ctx.storage, ctx.fields.username);
  if (!existing && ctx.fields.password === '') throw new BadRequest('missing password');
  const token = applyTokenFields(existing?.token ?? NO_TOKEN_PARAMS, ctx.fields, ctx.sent, legacyParams(ctx.fields, ctx.sent));
  const hash = ctx.sent.has('password') && ctx.fields.password !== '' ? await hashPassword(ctx.fields.password) : existing!.password;
  const user: User = { password: hash, token, legacy: existing?.legacy ?? {} };
  user.legacy = legacyShown(user, ctx.sent);
  await putUser(ctx.storage, ctx.fields.username, user);
}

async function mustGetUser(ctx: HandlerContext<{ username: string }>): Promise<User> {
  const user = await getUser(ctx.storage, ctx.fields.username);
  if (!user) throw new BadRequest('username does not exist');
  return user;
}

export function userPaths() {
  return [
    definePath({
      pattern: 'users/', summary: 'List the users.', fields: {},
      // Vault answers an empty list with a 404.
      operations: { list: async (ctx) => { const keys = (await ctx.storage.list('user/')).sort(); return keys.length > 0 ? { data: { keys } } : undefined; } },
    }),
    definePath({
      pattern: 'users/:username', summary: 'Create, read, update or delete a user.', fields: userFields,
      exists: async (ctx) => (await getUser(ctx.storage, ctx.fields.username)) !== undefined,
      operations: {
        read: async (ctx) => {
          const user = await getUser(ctx.storage, ctx.fields.username);
          return user && { data: userData(user) };
        },
        create: writeUser,
        update: writeUser,
        delete: async (ctx) => { await ctx.storage.delete(userKey(ctx.fields.username)); },
      },
    }),
    definePath({
      pattern: 'users/:username/password', summary: 'Change a user\'s password.', fields: { username, password, password_hash: passwordHash },
      operations: {
        update: async (ctx) => {
          refuseHash(ctx.fields.password_hash);
          const user = await mustGetUser(ctx);
          if (ctx.fields.password === '') throw new BadRequest('missing password');
          await putUser(ctx.storage, ctx.fields.username, { ...user, password: await hashPassword(ctx.fields.password) });
        },
      },
    }),
    definePath({
      pattern: 'users/:username/policies', summary: 'Change a user\'s policies.',
      fields: { username, token_policies: tokenFields.token_policies, policies: tokenFields.policies },
      operations: {
        update: async (ctx) => {
          const user = await mustGetUser(ctx);
          // Only the two policy fields can be sent here, and only sent fields are read. Unlike a
          // user write, Vault sanitises the names here: lower-cased, unique and sorted.
          const values = { token_policies: parsedPolicies(ctx.fields.token_policies), policies: parsedPolicies(ctx.fields.policies) };
          const next: User = { ...user, token: applyTokenFields(user.token, values as unknown as FieldValues<typeof tokenFields>, ctx.sent) };
          next.legacy = legacyShown(next, ctx.sent);
          await putUser(ctx.storage, ctx.fields.username, next);
        },
      },
    }),
  ];
}
