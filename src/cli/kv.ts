// `lockbox kv`: key/value secrets on v1 and v2 mounts. The commands take the path as the user
// thinks of it (secret/app) and build the API path (secret/data/app) once the mount is known.
import { asObject, type Json } from './json.js';
import { attempt, expectArgs, intFlag, parseData, type Context, type Group, type Subcommand } from './command.js';
import { NotPossible, UsageError } from './errors.js';
import { apiFlags, int, listFlag, str } from './flags.js';
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

const MOUNT = str('mount', 'The kv mount, when PATH is the key below it (e.g. -mount=secret foo instead of secret/foo).');
const CAS = int('cas', 'Check-and-set: write only if the key\'s current version is this one (0: only if the key does not exist).');
const VERSIONS = listFlag('versions', 'The versions to act on, e.g. -versions=1,3.');

const subcommands: Record<string, Subcommand | Group> = {
  put: {
    synopsis: '[options] KEY [DATA]', summary: 'Sets or updates data in the KV store', run: put,
    description: 'Writes the key=value data to the path, replacing what was there. On a version 2 mount this '
      + 'is a new version and the old ones are kept. Values may be @file, - (stdin) or a JSON object on stdin.',
    examples: ['kv put -mount=secret foo bar=baz', 'kv put secret/creds @data.json'],
    flags: apiFlags([MOUNT, CAS], 'field'),
  },
  get: {
    synopsis: '[options] KEY', summary: 'Retrieves data from the KV store', run: get,
    description: 'Reads the data at the path. On a version 2 mount this is the latest version unless -version says another.',
    examples: ['kv get -mount=secret foo', 'kv get -version=1 -field=bar secret/foo'],
    flags: apiFlags([MOUNT, int('version', 'The version to read (version 2 mounts). Unset means the latest.')], 'field'),
  },
  patch: {
    synopsis: '[options] KEY [DATA]', summary: 'Sets or updates data in the KV store without overwriting', run: patch,
    description: 'Changes some keys of the latest version and keeps the others (version 2 mounts). It sends a JSON '
      + 'merge patch, and falls back to read-then-write with check-and-set when the server or a policy refuses PATCH.',
    examples: ['kv patch -mount=secret foo bar=qux'],
    flags: apiFlags([MOUNT, CAS, str('method', 'How to patch: "patch" (HTTP PATCH only) or "rw" (read, then write). '
      + 'Unset tries PATCH and falls back to read-then-write.', { completion: ['patch', 'rw'] })], 'field'),
  },
  delete: {
    synopsis: '[options] PATH', summary: 'Deletes versions in the KV store', run: remove,
    description: 'Deletes the latest version of the key (soft delete on version 2: "kv undelete" brings it back), or '
      + 'the versions given with -versions.',
    examples: ['kv delete -mount=secret foo', 'kv delete -versions=1 secret/foo'],
    flags: apiFlags([MOUNT, VERSIONS], 'none'),
  },
  undelete: {
    synopsis: '[options] KEY', summary: 'Undeletes versions in the KV store', run: versionsOperation('undelete'),
    description: 'Restores deleted versions of a key on a version 2 mount.',
    examples: ['kv undelete -mount=secret -versions=3 foo'],
    flags: apiFlags([MOUNT, VERSIONS], 'none'),
  },
  destroy: {
    synopsis: '[options] KEY', summary: 'Permanently removes one or more versions in the KV store', run: versionsOperation('destroy'),
    description: 'Removes the data of the given versions for good (version 2 mounts); the metadata remains.',
    examples: ['kv destroy -mount=secret -versions=1,2 foo'],
    flags: apiFlags([MOUNT, VERSIONS], 'none'),
  },
  list: {
    synopsis: '[options] PATH', summary: 'List data or secrets', run: list,
    description: 'Lists the keys under a path. Keys ending in / are folders.',
    examples: ['kv list -mount=secret my-app/'],
    flags: apiFlags([MOUNT]),
  },
  rollback: {
    synopsis: '[options] KEY', summary: 'Rolls back to a previous version of data', run: rollback,
    description: 'Writes the data of an older version as the newest version (version 2 mounts), with check-and-set '
      + 'so that a write in between is not lost.',
    examples: ['kv rollback -mount=secret -version=2 foo'],
    flags: apiFlags([MOUNT, int('version', 'The version to roll back to.')], 'field'),
  },
  metadata: metadataCommand,
};

/** `lockbox kv <subcommand>`. */
export const kvCommand: Group = {
  summary: 'Interact with Lockbox\'s Key-Value storage',
  description: 'Reads and writes key/value secrets on version 1 and version 2 kv mounts. The commands take the path as '
    + 'you think of it (secret/app) and find the mount and its version themselves.',
  subcommands,
};
