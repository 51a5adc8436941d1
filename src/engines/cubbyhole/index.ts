// Cubbyhole: each token's private store. Data lives under the token's id inside the mount, so
// no other token — not even root — can reach it, and revoking the token destroys it.
import { BadRequest } from '../../util/errors.js';
import { defineBackend } from '../../core/backend.js';
import { definePath, type HandlerContext } from '../../core/path.js';
import type { Storage } from '../../storage/storage.js';
import { scopedView } from '../../storage/view.js';

/** The caller's own corner of the mount. */
function ownStorage(ctx: HandlerContext<unknown>): Storage {
  if (!ctx.caller) throw new BadRequest('client token empty');
  // A batch token has no stored entry, so nothing to tie a cubbyhole's lifetime to (Vault's rule).
  if (ctx.caller.tokenType === 'batch') throw new BadRequest('cubbyhole operations are only supported by "service" type tokens');
  return scopedView(ctx.storage, `${ctx.caller.tokenId}/`);
}

/** Deletes every entry a token owns; called when the token is revoked. */
export async function destroyCubbyhole(mountStorage: Storage, tokenId: string): Promise<void> {
  const { deleteTree } = await import('../../core/mounts.js');
  await deleteTree(scopedView(mountStorage, `${tokenId}/`));
}

const entryPath = definePath({
  pattern: '*path',
  summary: 'Read, write, list or delete a secret in this token\'s cubbyhole.',
  fields: {},
  freeFormData: true,
  operations: {
    read: async (ctx) => {
      const raw = await ownStorage(ctx).get(ctx.path);
      return raw && { data: JSON.parse(raw.toString('utf8')) as Record<string, unknown> };
    },
    update: async (ctx) => {
      if (Object.keys(ctx.request.data).length === 0) throw new BadRequest('missing data fields');
      await ownStorage(ctx).put(ctx.path, Buffer.from(JSON.stringify(ctx.request.data)));
    },
    delete: async (ctx) => { await ownStorage(ctx).delete(ctx.path); },
    list: async (ctx) => ({ data: { keys: await ownStorage(ctx).list(ctx.path) } }),
  },
});

const rootListPath = definePath({
  pattern: '',
  summary: 'List the top level of this token\'s cubbyhole.',
  fields: {},
  operations: { list: async (ctx) => ({ data: { keys: await ownStorage(ctx).list('') } }) },
});

/** The cubbyhole secrets engine. */
export const cubbyholeBackend = defineBackend({
  type: 'cubbyhole',
  summary: 'Per-token private secret storage.',
  paths: [entryPath, rootListPath],
});
