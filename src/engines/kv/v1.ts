// KV version 1: one unversioned JSON object per path, stored as sent.
import { BadRequest } from '../../util/errors.js';
import { definePath, type HandlerContext } from '../../core/path.js';
import { parseDurationSeconds } from '../../util/duration.js';
import { listOptions } from './request.js';
import { v1Store } from './store.js';

/**
 * The lease_duration Vault shows on a kv v1 read, advisory only (no lease is made): the
 * secret's own `ttl` (or legacy `lease`) key when it parses, else the mount's default TTL,
 * else the server's.
 */
export function advisoryTtl(mountDefaultTtl: number, serverDefaultTtl: number, data: Record<string, unknown>): number {
  const raw = data.ttl ?? data.lease;
  const own = raw === undefined ? undefined : parseDurationSeconds(raw);
  return own ?? (mountDefaultTtl || serverDefaultTtl);
}

const list = async (ctx: HandlerContext<unknown>) => {
  const folder = ctx.path === '' || ctx.path.endsWith('/') ? ctx.path : `${ctx.path}/`;
  return { data: { keys: await v1Store(ctx.storage).list(folder, listOptions(ctx)) } };
};

// Vault: the whole body is the secret; writing replaces it, nothing merges.
const write = async (ctx: HandlerContext<unknown>) => {
  if (Object.keys(ctx.request.data).length === 0) throw new BadRequest('missing data fields');
  await v1Store(ctx.storage).put(ctx.path, ctx.request.data);
};

// Create and update are both declared so ACLs can tell them apart, as Vault's kv v1 does.
const entryPath = definePath({
  pattern: '*path',
  summary: 'Read, write, list or delete an unversioned secret.',
  fields: {},
  freeFormData: true,
  exists: async (ctx) => (await v1Store(ctx.storage).get(ctx.path)) !== undefined,
  operations: {
    // Vault shows a TTL on kv v1 reads but never registers a lease for kv.
    read: async (ctx) => {
      const data = await v1Store(ctx.storage).get(ctx.path);
      const ttl = data && advisoryTtl(ctx.mount.config.default_lease_ttl, ctx.defaults.defaultLeaseTtl, data);
      return data && { data, secret: { ttl: ttl as number, renewable: false, register: false } };
    },
    create: write,
    update: write,
    delete: async (ctx) => { await v1Store(ctx.storage).delete(ctx.path); },
    list,
  },
});

/** Every path of a v1 mount: `*path` for secrets, `''` to list the top level. */
export const v1Paths = [
  entryPath,
  definePath({ pattern: '', summary: 'List the top level of the mount.', fields: {}, operations: { list } }),
];
