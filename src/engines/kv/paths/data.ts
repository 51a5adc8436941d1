// <mount>/data/<path>: read a version, write a new one (check-and-set), merge-patch the
// latest, soft-delete the latest.
import { BadRequest, NotFound } from '../../../util/errors.js';
import { definePath, field, type Handler } from '../../../core/path.js';
import { isGone, versionView } from '../model.js';
import { mergePatch } from '../merge-patch.js';
import { requireMergePatch, withKeyLock } from '../request.js';
import { lookupVersion, writeVersion } from '../secret.js';
import { configStore, metadataStore, versionStore, type KeyMetadata, type KvConfig } from '../store.js';
import { invalidPathResponse } from './invalid.js';

const dataFields = {
  path: field.name({ description: 'Where the secret lives (from the URL).' }),
  version: field.int({ description: 'The version to read; 0 or absent means the current one.' }),
  data: field.any({ description: 'The secret: a JSON object stored as sent and returned on read.', sensitive: true }),
  options: field.any({ description: 'Write options: {"cas": N} writes only if the current version is N (0 = key must not exist).' }),
};

type DataFields = typeof dataFields;
type DataContext = Parameters<Handler<DataFields>>[0];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The `data` object of a write; Vault answers anything else with "no data provided". */
function dataOf(raw: unknown): Record<string, unknown> {
  if (!isObject(raw)) throw new BadRequest('no data provided');
  return raw;
}

/**
 * The check-and-set version the caller sent in options.cas. Vault reads nothing else: the
 * Terraform provider's top-level `cas` (0 whenever unset) is ignored with a warning, or
 * every update of a vault_kv_secret_v2 would fail its check.
 */
function casOf(fields: DataContext['fields']): number | undefined {
  if (fields.options !== undefined && fields.options !== null && !isObject(fields.options)) {
    throw new BadRequest('error converting input for field "options": expected a JSON object');
  }
  const raw = isObject(fields.options) ? fields.options.cas : undefined;
  if (raw === undefined || raw === null) return undefined;
  // Vault decodes weakly: 1 and "1" are the same version (Terraform sends strings). Any
  // integer decodes, so a negative one is simply a version that never matches.
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new BadRequest('error parsing check-and-set parameter');
  return n;
}

/** Vault's check-and-set rules; a key with metadata but no version counts as version 0. */
function checkAndSet(ctx: DataContext, config: KvConfig, meta: KeyMetadata | undefined): void {
  const cas = casOf(ctx.fields);
  if (cas !== undefined) {
    if (cas !== (meta?.current_version ?? 0)) throw new BadRequest('check-and-set parameter did not match the current version');
    return;
  }
  if (config.cas_required || meta?.cas_required) throw new BadRequest('check-and-set parameter required for this call');
}

const readData: Handler<DataFields> = async (ctx) => {
  const { path, version } = ctx.fields;
  if (path.endsWith('/')) return invalidPathResponse(ctx);
  const found = await lookupVersion(ctx.storage, path, version, ctx.clock.now());
  if (!found.found) return undefined;
  const body = { data: found.data, metadata: versionView(found.meta, found.n, found.v) };
  // Vault: a deleted or destroyed version is a 404 that still carries its metadata.
  if (found.data === null) return { data: body, status: 404 };
  // A live version's answer is fixed by its metadata record (a change to the secret replaces
  // the record, never edits it; version data is written once) and its number: audit devices
  // hash it once per pair while reads share the decoded record.
  return { data: body, auditKey: { object: found.meta, part: found.n } };
};

const writeData: Handler<DataFields> = async (ctx) => {
  const { path } = ctx.fields;
  if (path.endsWith('/')) return invalidPathResponse(ctx);
  const data = dataOf(ctx.fields.data);
  return withKeyLock(ctx, path, async (storage) => {
    // The mount's config is read as committed, like any read outside the key's own records.
    const config = await configStore(ctx.storage).get();
    const meta = await metadataStore(storage).get(path);
    checkAndSet(ctx, config, meta);
    const written = await writeVersion(storage, config, path, meta, data, ctx.clock.now());
    return { data: versionView(written.meta, written.n, written.v) };
  });
};

// PATCH: a JSON merge patch of `data` onto the current version, stored as a new version.
const patchData: Handler<DataFields> = async (ctx) => {
  requireMergePatch(ctx);
  const { path } = ctx.fields;
  if (path.endsWith('/')) return invalidPathResponse(ctx);
  const patch = dataOf(ctx.fields.data);
  return withKeyLock(ctx, path, async (storage) => {
    const now = ctx.clock.now();
    const meta = await metadataStore(storage).get(path);
    if (!meta) throw new NotFound();
    const config = await configStore(ctx.storage).get();
    checkAndSet(ctx, config, meta);
    const current = meta.versions[String(meta.current_version)];
    if (!current) throw new NotFound();
    // Vault quirk: this 404 carries the version metadata flat in data, not under data.metadata.
    if (isGone(current, now)) return { data: versionView(meta, meta.current_version, current), status: 404 };
    const { data } = await versionStore(storage, meta).get(meta.current_version);
    const written = await writeVersion(storage, config, path, meta, mergePatch(data, patch) as Record<string, unknown>, now);
    return { data: versionView(written.meta, written.n, written.v) };
  });
};

// DELETE: soft-deletes the current version; already gone or missing is still 204.
const deleteData: Handler<DataFields> = async (ctx) => {
  const { path } = ctx.fields;
  if (path.endsWith('/')) return;
  await withKeyLock(ctx, path, async (storage) => {
    const now = ctx.clock.now();
    const store = metadataStore(storage);
    const meta = await store.get(path);
    const current = meta?.versions[String(meta.current_version)];
    if (!meta || !current || isGone(current, now)) return;
    current.deletion_time = now;
    await store.put(path, meta);
  });
};

/** data/<path> with every operation Vault's KV v2 offers there. */
export const dataPath = definePath({
  pattern: 'data/*path',
  summary: 'Write, patch, read and delete versions of a secret.',
  fields: dataFields,
  exists: ({ storage, fields }) => metadataStore(storage).exists(fields.path),
  operations: { read: readData, create: writeData, update: writeData, patch: patchData, delete: deleteData },
});
