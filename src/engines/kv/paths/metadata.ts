// <mount>/metadata/<path>: a key's settings and version history. Written partially, may
// exist before any version (External Secrets Operator relies on it), deleted with every version.
import { BadRequest, NotFound } from '../../../util/errors.js';
import { definePath, field, type Handler, type HandlerContext } from '../../../core/path.js';
import { parseCustomMetadata, validateCustomMetadata } from '../custom-metadata.js';
import { mergePatch } from '../merge-patch.js';
import { metadataView } from '../model.js';
import { listOptions, requireMergePatch, withKeyLock } from '../request.js';
import { configStore, metadataStore, newMetadata, versionStore, type KeyMetadata } from '../store.js';

const metadataFields = {
  path: field.name({ description: 'Where the secret lives (from the URL).' }),
  max_versions: field.int({ description: 'Versions kept for this key; 0 defers to the mount config.' }),
  cas_required: field.bool({ description: 'Writes to this key must carry a check-and-set version.' }),
  delete_version_after: field.duration({ description: 'How long each version lives; 0 defers to the mount config.' }),
  custom_metadata: field.any({ description: 'A map of strings describing the secret; replaced whole on write.' }),
};

type MetadataFields = typeof metadataFields;

const SETTINGS = ['max_versions', 'cas_required', 'delete_version_after', 'custom_metadata'] as const;
type MetadataContext = Parameters<Handler<MetadataFields>>[0];

const CAS_WARNING = '"cas_required" set to false, but is mandated by backend config. This value will be ignored.';

/** Vault warns, and keeps the value, when a key turns off what the mount requires. */
async function casWarning(ctx: MetadataContext): Promise<string[]> {
  if (!ctx.sent.has('cas_required') || ctx.fields.cas_required) return [];
  return (await configStore(ctx.storage).get()).cas_required ? [CAS_WARNING] : [];
}

function checkMaxVersions(ctx: MetadataContext): void {
  if (ctx.sent.has('max_versions') && ctx.fields.max_versions < 0) throw new BadRequest('max_versions cannot be negative');
}

const readMetadata: Handler<MetadataFields> = async ({ storage, fields }) => {
  const meta = await metadataStore(storage).get(fields.path);
  return meta && { data: metadataView(meta) };
};

// Vault: omitted fields keep their value; custom_metadata is replaced whole; no field, no write.
const writeMetadata: Handler<MetadataFields> = async (ctx) => {
  const { fields, sent } = ctx;
  if (!SETTINGS.some((k) => sent.has(k))) return;
  checkMaxVersions(ctx);
  // Vault decodes a null custom_metadata as an empty map.
  const custom = sent.has('custom_metadata') ? parseCustomMetadata(fields.custom_metadata ?? {}, false) : undefined;
  if (custom) validateCustomMetadata(custom);
  const warnings = await casWarning(ctx);
  await withKeyLock(ctx, fields.path, async (storage) => {
    const store = metadataStore(storage);
    const meta = (await store.get(fields.path)) ?? newMetadata(ctx.clock.now());
    if (sent.has('max_versions')) meta.max_versions = fields.max_versions;
    if (sent.has('cas_required')) meta.cas_required = fields.cas_required;
    if (sent.has('delete_version_after')) meta.delete_version_after = fields.delete_version_after;
    if (custom) meta.custom_metadata = custom;
    await store.put(fields.path, meta);
  });
  return warnings.length > 0 ? { warnings } : undefined;
};

/** The settings a metadata PATCH changes: sent values, or null to reset one (merge patch). */
function patchSettings(ctx: MetadataContext, meta: KeyMetadata): void {
  const raw = ctx.request.data;
  const { fields, sent } = ctx;
  if (sent.has('max_versions') || raw.max_versions === null) meta.max_versions = fields.max_versions;
  if (sent.has('cas_required') || raw.cas_required === null) meta.cas_required = fields.cas_required;
  if (sent.has('delete_version_after') || raw.delete_version_after === null) meta.delete_version_after = fields.delete_version_after;
  if (raw.custom_metadata === null) meta.custom_metadata = null;
  else if (sent.has('custom_metadata')) {
    const merged = mergePatch(meta.custom_metadata ?? {}, fields.custom_metadata) as Record<string, unknown>;
    meta.custom_metadata = parseCustomMetadata(merged, false);
  }
}

// PATCH: a merge patch onto an existing key's settings; custom_metadata merges key by key.
const patchMetadata: Handler<MetadataFields> = async (ctx) => {
  requireMergePatch(ctx);
  checkMaxVersions(ctx);
  const custom = ctx.fields.custom_metadata;
  if (custom !== undefined && custom !== null) validateCustomMetadata(parseCustomMetadata(custom, true));
  const warnings = await casWarning(ctx);
  await withKeyLock(ctx, ctx.fields.path, async (storage) => {
    const store = metadataStore(storage);
    const meta = await store.get(ctx.fields.path);
    if (!meta) throw new NotFound();
    patchSettings(ctx, meta);
    validateCustomMetadata(meta.custom_metadata ?? {});
    await store.put(ctx.fields.path, meta);
  });
  return warnings.length > 0 ? { warnings } : undefined;
};

// DELETE: every version's data and the metadata go; a missing key is still 204.
const deleteMetadata: Handler<MetadataFields> = async (ctx) => {
  await withKeyLock(ctx, ctx.fields.path, async (storage) => {
    const meta = await metadataStore(storage).get(ctx.fields.path);
    if (!meta) return;
    await storage.transaction(async (tx) => {
      await versionStore(tx, meta).deleteAll();
      await metadataStore(tx).delete(ctx.fields.path);
    });
  });
};

const listKeys = async (ctx: HandlerContext<unknown>) => {
  const folder = ctx.path.replace(/^metadata\/?/, '');
  return { data: { keys: await metadataStore(ctx.storage).list(folder, listOptions(ctx)) } };
};

/** metadata/<path>: read, write, patch, delete, and LIST when the path is a folder. */
export const metadataPath = definePath({
  pattern: 'metadata/*path',
  summary: 'Read and manage a secret\'s settings and version history; list keys under a folder.',
  fields: metadataFields,
  exists: ({ storage, fields }) => metadataStore(storage).exists(fields.path),
  operations: {
    read: readMetadata, create: writeMetadata, update: writeMetadata, patch: patchMetadata,
    delete: deleteMetadata, list: listKeys,
  },
});

/** metadata/ itself: LIST of the mount's top level. */
export const metadataRootPath = definePath({
  pattern: 'metadata/',
  summary: 'List the keys at the top level of the mount.',
  fields: {},
  operations: { list: listKeys, read: async () => undefined },
});
