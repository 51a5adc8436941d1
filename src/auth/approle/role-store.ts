// AppRole roles as stored, and their role-id index.
import { BadRequest } from '../../util/errors.js';
import type { HandlerContext } from '../../core/path.js';
import type { Storage } from '../../storage/storage.js';
import { NO_TOKEN_PARAMS, type TokenParams } from '../../core/tokens/params.js';
import { hmacOf, mountKey } from './keys.js';

/** A stored role; TTLs in seconds. */
export type Role = {
  name: string;
  role_id: string;
  bind_secret_id: boolean;
  secret_id_bound_cidrs: string[];
  secret_id_num_uses: number;
  secret_id_ttl: number;
  local_secret_ids: boolean;
  token: TokenParams;
  /** Set only through the deprecated names (policies, period); shown back only then, as Vault does. */
  legacy: { policies?: string[]; period?: number };
};

/** A role before its first write. */
export const newRole = (name: string): Role => ({
  name, role_id: '', bind_secret_id: true, secret_id_bound_cidrs: [], secret_id_num_uses: 0, secret_id_ttl: 0,
  local_secret_ids: false, token: { ...NO_TOKEN_PARAMS }, legacy: {},
});

/** Vault's AppRole names: letters, digits and `-_.@`, case-insensitive (stored lower-cased). */
export function roleKey(name: string): string {
  if (name === '') throw new BadRequest('missing role_name');
  if (Buffer.byteLength(name) >= 4096) throw new BadRequest('role_name is longer than maximum of 4096 bytes');
  if (!/^\w([\w.@-]*\w)?$/.test(name)) throw new BadRequest(`invalid role name ${JSON.stringify(name)}`);
  return name.toLowerCase();
}

type Ctx = Pick<HandlerContext<unknown>, 'storage' | 'mount'>;

export async function getRole(ctx: { storage: Storage }, name: string): Promise<Role | undefined> {
  const raw = await ctx.storage.get(`role/${roleKey(name)}`);
  return raw ? (JSON.parse(raw.toString('utf8')) as Role) : undefined;
}

/** Vault: a role must demand a secret-id or bind to CIDR blocks. */
export function checkConstraints(role: Role): void {
  if (!role.bind_secret_id && role.secret_id_bound_cidrs.length === 0 && role.token.token_bound_cidrs.length === 0) {
    throw new BadRequest('at least one constraint should be enabled on the role');
  }
}

/** Saves a role and keeps the role-id index in step (a changed role-id drops the old index). */
export async function saveRole(ctx: Ctx, role: Role, previous: Role | undefined): Promise<void> {
  checkConstraints(role);
  const key = await mountKey(ctx.storage, ctx.mount.uuid);
  const index = `role_id/${hmacOf(key, role.role_id)}`;
  const holder = await ctx.storage.get(index);
  if (holder && holder.toString('utf8') !== role.name) throw new BadRequest('role_id already in use');
  await ctx.storage.transaction(async (tx) => {
    if (previous && previous.role_id !== role.role_id) await tx.delete(`role_id/${hmacOf(key, previous.role_id)}`);
    await tx.put(index, Buffer.from(role.name));
    await tx.put(`role/${role.name}`, Buffer.from(JSON.stringify(role)));
  });
}

/** The role a role-id belongs to. */
export async function roleByRoleId(ctx: Ctx, roleId: string): Promise<Role | undefined> {
  const key = await mountKey(ctx.storage, ctx.mount.uuid);
  const name = await ctx.storage.get(`role_id/${hmacOf(key, roleId)}`);
  return name ? getRole(ctx, name.toString('utf8')) : undefined;
}
