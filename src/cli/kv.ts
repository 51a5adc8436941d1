// `lockbox kv`: key/value secrets on v1 and v2 mounts. The commands take the path as the user
// thinks of it (secret/app) and build the API path (secret/data/app) once the mount is known.
import { asObject, type Json } from './json.js';
import { attempt, dispatch, expectArgs, intFlag, parseData, type Context, type Subcommand } from './command.js';
import { NotPossible, UsageError } from './errors.js';
import { printKeys } from './generic.js';
import { metadataCommand } from './kv-metadata.js';
import { kvPath, printKvRead, printKvWrite, requireV2, resolveKv, versionsFlag, type KvTarget } from './kv-mount.js';
import { err, out } from './output.js';

/** The `options` of a v2 write: check-and-set when -cas is given. */
function casOptions(ctx: Context): Json | undefined {
  const cas = intFlag(ctx.args, 'cas');
  return cas === undefined ? undefined : { cas };
}

/** Data arguments, which every write needs at least one of. */
async function dataArgs(items: string[]): Promise<Json> {
  const data = await parseData(items);
  if (Object.keys(data).length === 0) throw new UsageError('Must supply data');
  return data;
}

async function put(ctx: Context): Promise<number> {
  const [path = '', ...items] = expectArgs(ctx.args, 1, Infinity); // PATH alone: "Must supply data", as Vault
  const data = await dataArgs(items);
  const t = await resolveKv(ctx, path);
  const apiPath = kvPath(t, 'data');
  const options = casOptions(ctx);
  const body = t.version === 2 ? { data, ...(options ? { options } : {}) } : data;
  const secret = await attempt(`writing data to ${apiPath}`, ctx.client().write(apiPath, body));
  return printKvWrite(ctx, t, apiPath, secret);
}

async function get(ctx: Context): Promise<number> {
  const [path = ''] = expectArgs(ctx.args, 1);
  const t = await resolveKv(ctx, path);
  const version = intFlag(ctx.args, 'version');
  if (version !== undefined) requireV2(t, 'versioned reads');
  const apiPath = kvPath(t, 'data');
  const secret = await attempt(`reading ${apiPath}`, ctx.client().read(apiPath, version === undefined ? undefined : { version: String(version) }));
  if (!secret) {
    err(`No value found at ${apiPath}\n`);
    return 2;
  }
  return printKvRead(ctx, t, apiPath, secret);
}

/** Patch by read-modify-write, guarded by check-and-set so a concurrent write is not lost. */
async function readThenWrite(ctx: Context, t: KvTarget, apiPath: string, patch: Json): Promise<number> {
  const current = await attempt(`reading ${apiPath}`, ctx.client().read(apiPath));
  const outer = asObject(current?.data);
  const data = asObject(outer?.data);
  if (!data) {
    err(`No value found at ${apiPath}\n`);
    return 2;
  }
  const cas = intFlag(ctx.args, 'cas') ?? Number(asObject(outer?.metadata)?.version ?? 0);
  const secret = await attempt(`writing data to ${apiPath}`, ctx.client().write(apiPath, { data: { ...data, ...patch }, options: { cas } }));
  return printKvWrite(ctx, t, apiPath, secret);
}

async function patch(ctx: Context): Promise<number> {
  const [path = '', ...items] = expectArgs(ctx.args, 1, Infinity); // PATH alone: "Must supply data", as Vault
  const data = await dataArgs(items);
  const method = ctx.args.flag('method') ?? '';
  if (!['', 'patch', 'rw'].includes(method)) throw new UsageError(`invalid -method "${method}": expected patch or rw`);
  const t = await resolveKv(ctx, path);
  requireV2(t, 'patch');
  const apiPath = kvPath(t, 'data');
  if (method === 'rw') return readThenWrite(ctx, t, apiPath, data);
  const options = casOptions(ctx);
  const r = await attempt(`writing data to ${apiPath}`, ctx.client().request('PATCH', apiPath, {
    body: { data, ...(options ? { options } : {}) },
    headers: { 'Content-Type': 'application/merge-patch+json' },
    accept: method === '' ? [403, 404, 405] : [404],
  }));
  if (r.status === 404) {
    err(`No value found at ${apiPath}\n`);
    return 2;
  }
  // Vault: a server or policy without PATCH gets a read-then-write, unless -method=patch asked for PATCH.
  if (r.status === 403 || r.status === 405) return readThenWrite(ctx, t, apiPath, data);
  return printKvWrite(ctx, t, apiPath, r.body);
}

async function remove(ctx: Context): Promise<number> {
  const [path = ''] = expectArgs(ctx.args, 1);
  const t = await resolveKv(ctx, path);
  const versions = versionsFlag(ctx, false);
  if (versions) requireV2(t, 'deleting versions');
  const apiPath = versions ? kvPath(t, 'delete') : kvPath(t, 'data');
  const client = ctx.client();
  await attempt(`deleting ${apiPath}`, versions ? client.write(apiPath, { versions }, 'POST') : client.delete(apiPath));
  out(`Success! Data deleted (if it existed) at: ${apiPath}\n`);
  return 0;
}

/** undelete and destroy: a v2 operation on the versions given. */
function versionsOperation(segment: 'undelete' | 'destroy') {
  return async (ctx: Context): Promise<number> => {
    const [path = ''] = expectArgs(ctx.args, 1);
    const versions = versionsFlag(ctx, true);
    const t = await resolveKv(ctx, path);
    requireV2(t, segment);
    const apiPath = kvPath(t, segment);
    await attempt(`writing data to ${apiPath}`, ctx.client().write(apiPath, { versions }, segment === 'destroy' ? 'PUT' : 'POST'));
    out(`Success! Data written to: ${apiPath}\n`);
    return 0;
  };
}

async function list(ctx: Context): Promise<number> {
  const [path = ''] = expectArgs(ctx.args, 1);
  const t = await resolveKv(ctx, path);
  const apiPath = kvPath(t, 'metadata');
  return printKeys(ctx, apiPath, await attempt(`listing ${apiPath}`, ctx.client().list(apiPath)));
}

async function rollback(ctx: Context): Promise<number> {
  const [path = ''] = expectArgs(ctx.args, 1);
  const version = intFlag(ctx.args, 'version');
  if (version === undefined || version <= 0) throw new UsageError('Must specify a positive version with -version');
  const t = await resolveKv(ctx, path);
  requireV2(t, 'rollback');
  const client = ctx.client();
  const metaPath = kvPath(t, 'metadata');
  const meta = asObject((await attempt(`reading ${metaPath}`, client.read(metaPath)))?.data);
  if (!meta) {
    err(`No value found at ${metaPath}\n`);
    return 2;
  }
  const info = asObject(asObject(meta.versions)?.[String(version)]);
  if (!info) throw new NotPossible(`Version ${version} does not exist at ${path}`);
  if (info.destroyed === true) throw new NotPossible(`Version ${version} is destroyed and cannot be rolled back to`);
  if (typeof info.deletion_time === 'string' && info.deletion_time !== '') {
    throw new NotPossible(`Version ${version} is deleted; undelete it first`);
  }
  const apiPath = kvPath(t, 'data');
  const old = asObject(asObject((await attempt(`reading ${apiPath}`, client.read(apiPath, { version: String(version) })))?.data)?.data);
  if (!old) throw new NotPossible(`Version ${version} has no data to roll back to`);
  // Check-and-set on the version we looked at: a write in between makes this fail, not vanish.
  const body = { data: old, options: { cas: Number(meta.current_version ?? 0) } };
  const secret = await attempt(`writing data to ${apiPath}`, client.write(apiPath, body));
  return printKvWrite(ctx, t, apiPath, secret);
}

const subcommands: Record<string, Subcommand> = {
  put: { synopsis: '[-mount=M] [-cas=N] PATH K=V... | -', summary: 'Write data (a new version on v2)', run: put },
  get: { synopsis: '[-mount=M] [-version=N] [-field=F] PATH', summary: 'Read data', run: get },
  patch: { synopsis: '[-mount=M] [-cas=N] [-method=patch|rw] PATH K=V...', summary: 'Update some keys of the latest version (v2)', run: patch },
  delete: { synopsis: '[-mount=M] [-versions=N,...] PATH', summary: 'Delete the latest (or given) versions', run: remove },
  undelete: { synopsis: '[-mount=M] -versions=N,... PATH', summary: 'Restore deleted versions (v2)', run: versionsOperation('undelete') },
  destroy: { synopsis: '[-mount=M] -versions=N,... PATH', summary: 'Remove versions permanently (v2)', run: versionsOperation('destroy') },
  list: { synopsis: '[-mount=M] PATH', summary: 'List keys under a path', run: list },
  rollback: { synopsis: '[-mount=M] -version=N PATH', summary: 'Write an older version as the newest (v2)', run: rollback },
  metadata: { synopsis: 'get|put|patch|delete [options] PATH', summary: 'Work with a key\'s metadata and versions (v2)', run: metadataCommand },
};

/** `lockbox kv <subcommand>`. */
export function kvCommand(ctx: Context): Promise<number> {
  return dispatch('kv', ctx, subcommands);
}
