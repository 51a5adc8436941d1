// AppRole secret-ids as stored: under the role's HMAC, keyed by the secret-id's HMAC, with an
// accessor index. Use counting runs under a per-secret-id lock, so the last use of a
// `num_uses` secret-id is handed out exactly once however many logins race for it.
import { randomUUID } from 'node:crypto';
import { BadRequest } from '../../util/errors.js';
import { KeyedLock } from '../../util/keyed-lock.js';
import type { HandlerContext } from '../../core/path.js';
import { hmacOf, mountKey } from './keys.js';

/** A stored secret-id (its value is not stored); times in ms. */
export type SecretIdEntry = {
  secret_id_accessor: string;
  secret_id_num_uses: number;
  /** Seconds. */
  secret_id_ttl: number;
  creation_time: number;
  expiration_time: number;
  last_updated_time: number;
  metadata: Record<string, string>;
  cidr_list: string[];
  token_bound_cidrs: string[];
};

type Ctx = Pick<HandlerContext<unknown>, 'storage' | 'mount'>;

/** Where one role's secret-ids and accessor entries live. */
async function places(ctx: Ctx, roleName: string) {
  const key = await mountKey(ctx.storage, ctx.mount.uuid);
  const dir = `secret_id/${hmacOf(key, roleName)}/`;
  return { key, dir, accessor: (a: string) => `accessor/${hmacOf(key, a)}` };
}

const uses = new KeyedLock();

/** Stores a new secret-id; refuses a value already registered. */
export async function createSecretId(ctx: Ctx, roleName: string, secretId: string, entry: Omit<SecretIdEntry, 'secret_id_accessor'>): Promise<SecretIdEntry> {
  const p = await places(ctx, roleName);
  const path = p.dir + hmacOf(p.key, secretId);
  return uses.run(path, async () => {
    if (await ctx.storage.get(path)) throw new BadRequest('SecretID is already registered');
    const full: SecretIdEntry = { ...entry, secret_id_accessor: randomUUID() };
    await ctx.storage.transaction(async (tx) => {
      await tx.put(path, Buffer.from(JSON.stringify(full)));
      await tx.put(p.accessor(full.secret_id_accessor), Buffer.from(path));
    });
    return full;
  });
}

const decode = (raw: Buffer) => JSON.parse(raw.toString('utf8')) as SecretIdEntry;

/** The entry of a presented secret-id, or undefined. */
export async function lookupSecretId(ctx: Ctx, roleName: string, secretId: string): Promise<SecretIdEntry | undefined> {
  const p = await places(ctx, roleName);
  const raw = await ctx.storage.get(p.dir + hmacOf(p.key, secretId));
  return raw ? decode(raw) : undefined;
}

/** The storage path and entry behind an accessor of this role. */
export async function byAccessor(ctx: Ctx, roleName: string, accessor: string): Promise<{ path: string; entry: SecretIdEntry } | undefined> {
  const p = await places(ctx, roleName);
  const path = (await ctx.storage.get(p.accessor(accessor)))?.toString('utf8');
  if (!path || !path.startsWith(p.dir)) return undefined;
  const raw = await ctx.storage.get(path);
  return raw ? { path, entry: decode(raw) } : undefined;
}

/** Deletes a secret-id (given its storage path) and its accessor entry. */
async function removeAt(ctx: Ctx, path: string, entry: SecretIdEntry): Promise<void> {
  const key = await mountKey(ctx.storage, ctx.mount.uuid);
  await ctx.storage.transaction(async (tx) => {
    await tx.delete(path);
    await tx.delete(`accessor/${hmacOf(key, entry.secret_id_accessor)}`);
  });
}

/** Destroys a presented secret-id; nothing happens for an unknown one. */
export async function destroySecretId(ctx: Ctx, roleName: string, secretId: string): Promise<void> {
  const p = await places(ctx, roleName);
  const path = p.dir + hmacOf(p.key, secretId);
  await uses.run(path, async () => {
    const raw = await ctx.storage.get(path);
    if (raw) await removeAt(ctx, path, decode(raw));
  });
}

/** Destroys the secret-id behind an accessor; false when there is none. */
export async function destroyByAccessor(ctx: Ctx, roleName: string, accessor: string): Promise<boolean> {
  const found = await byAccessor(ctx, roleName, accessor);
  if (!found) return false;
  await uses.run(found.path, () => removeAt(ctx, found.path, found.entry));
  return true;
}

/**
 * Claims one use of a presented secret-id at `now`: the entry as it was, or why not. An expired
 * secret-id is deleted; the last use deletes it; other uses count down.
 */
export async function claimSecretId(ctx: Ctx, roleName: string, secretId: string, now: number): Promise<SecretIdEntry | 'unknown' | 'expired'> {
  const p = await places(ctx, roleName);
  const path = p.dir + hmacOf(p.key, secretId);
  return uses.run(path, async () => {
    const raw = await ctx.storage.get(path);
    if (!raw) return 'unknown';
    const entry = decode(raw);
    if (entry.expiration_time !== 0 && entry.expiration_time <= now) {
      await removeAt(ctx, path, entry);
      return 'expired';
    }
    if (entry.secret_id_num_uses === 1) await removeAt(ctx, path, entry);
    else if (entry.secret_id_num_uses > 1) {
      await ctx.storage.put(path, Buffer.from(JSON.stringify({ ...entry, secret_id_num_uses: entry.secret_id_num_uses - 1, last_updated_time: now })));
    }
    return entry;
  });
}

/** Every secret-id entry of a role, with its storage path. */
export async function listSecretIds(ctx: Ctx, roleName: string): Promise<Array<{ path: string; entry: SecretIdEntry }>> {
  const p = await places(ctx, roleName);
  const out: Array<{ path: string; entry: SecretIdEntry }> = [];
  for (const name of await ctx.storage.list(p.dir)) {
    const raw = await ctx.storage.get(p.dir + name);
    if (raw) out.push({ path: p.dir + name, entry: decode(raw) });
  }
  return out;
}

/** Deletes every secret-id of a role (the role is being deleted). */
export async function destroyAllOf(ctx: Ctx, roleName: string): Promise<void> {
  for (const { path, entry } of await listSecretIds(ctx, roleName)) await uses.run(path, () => removeAt(ctx, path, entry));
}

/** Removes expired secret-ids of the given roles and accessor entries pointing nowhere. */
export async function tidy(ctx: Ctx, roleNames: string[], now: number): Promise<{ expired: number; dangling: number }> {
  let expired = 0;
  let dangling = 0;
  for (const name of roleNames) {
    for (const { path, entry } of await listSecretIds(ctx, name)) {
      if (entry.expiration_time !== 0 && entry.expiration_time <= now) {
        await uses.run(path, () => removeAt(ctx, path, entry));
        expired++;
      }
    }
  }
  for (const a of await ctx.storage.list('accessor/')) {
    const target = await ctx.storage.get(`accessor/${a}`);
    if (!target || !(await ctx.storage.get(target.toString('utf8')))) {
      await ctx.storage.delete(`accessor/${a}`);
      dangling++;
    }
  }
  return { expired, dangling };
}
