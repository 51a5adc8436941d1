// <mount>/delete, undelete and destroy/<path>: act on listed versions of a key. Delete and
// undelete flip the soft-delete mark; destroy drops the data for good.
import { BadRequest } from '../../../util/errors.js';
import { definePath, field, type Handler } from '../../../core/path.js';
import { isDeleted, scheduledDeletion } from '../model.js';
import { withKeyLock } from '../request.js';
import { configStore, metadataStore, versionStore, type KeyMetadata } from '../store.js';

const versionsFields = {
  path: field.name({ description: 'Where the secret lives (from the URL).' }),
  versions: field.ints({ description: 'Version numbers, as a list or a comma-separated string.' }),
};

type VersionsFields = typeof versionsFields;
type VersionsContext = Parameters<Handler<VersionsFields>>[0];

/**
 * Runs `change` on the key's metadata under its lock and stores the result; a missing key is
 * a silent 204, as in Vault. `empty` is the error for an empty list: Vault capitalises it for
 * delete and undelete but not for destroy.
 */
function onVersions(empty: string, change: (ctx: VersionsContext, meta: KeyMetadata) => Promise<number[] | void>): Handler<VersionsFields> {
  return async (ctx) => {
    if (ctx.fields.versions.length === 0) throw new BadRequest(empty);
    await withKeyLock(ctx, ctx.fields.path, async (storage) => {
      const meta = await metadataStore(storage).get(ctx.fields.path);
      if (!meta) return;
      const dropData = (await change(ctx, meta)) ?? [];
      await storage.transaction(async (tx) => {
        await metadataStore(tx).put(ctx.fields.path, meta);
        for (const n of dropData) await versionStore(tx, meta).delete(n);
      });
    });
  };
}

const versionsOf = (ctx: VersionsContext, meta: KeyMetadata) =>
  ctx.fields.versions.map((n) => ({ n, v: meta.versions[String(n)] })).filter((e) => e.v !== undefined && !e.v.destroyed);

// Marks live versions deleted now; versions already deleted keep their deletion time.
const softDelete = onVersions('No version number provided', async (ctx, meta) => {
  const now = ctx.clock.now();
  for (const { v } of versionsOf(ctx, meta)) if (v && !isDeleted(v, now)) v.deletion_time = now;
});

// Clears the mark; with delete_version_after set, the version is due again that long from now.
const undelete = onVersions('No version number provided', async (ctx, meta) => {
  const now = ctx.clock.now();
  const config = await configStore(ctx.storage).get();
  for (const { v } of versionsOf(ctx, meta)) {
    if (!v) continue;
    delete v.deletion_time;
    const due = scheduledDeletion(now, config, meta);
    if (due !== undefined) v.deletion_time = due;
  }
});

const destroy = onVersions('no version number provided', async (ctx, meta) => {
  const hit = versionsOf(ctx, meta);
  for (const { v } of hit) if (v) v.destroyed = true;
  return hit.map((e) => e.n);
});

const define = (verb: string, summary: string, handler: Handler<VersionsFields>) =>
  definePath({ pattern: `${verb}/*path`, summary, fields: versionsFields, operations: { update: handler } });

/** delete/, undelete/ and destroy/. */
export const versionPaths = [
  define('delete', 'Mark versions of a secret deleted; undelete brings them back.', softDelete),
  define('undelete', 'Bring back soft-deleted versions of a secret.', undelete),
  define('destroy', 'Permanently remove the data of versions of a secret.', destroy),
];
