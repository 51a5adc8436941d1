// `lockbox kv metadata`: a v2 key's settings (max versions, check-and-set, deletion delay,
// custom metadata) and its version history.
import { asObject, type Json } from './json.js';
import { attempt, boolFlag, expectArgs, flagMap, intFlag, type Context, type Group, type Subcommand } from './command.js';
import { apiFlags, bool, dur, int, listFlag, mapFlag, str } from './flags.js';
import { kvPath, printPathHeader, printSection, requireV2, resolveKv } from './kv-mount.js';
import { err, out, printSecret } from './output.js';

async function get(ctx: Context): Promise<number> {
  const [path = ''] = expectArgs(ctx.args, 1);
  const t = await resolveKv(ctx, path);
  requireV2(t, 'metadata');
  const apiPath = kvPath(t, 'metadata');
  const secret = await attempt(`reading ${apiPath}`, ctx.client().read(apiPath));
  if (!secret) {
    err(`No value found at ${apiPath}\n`);
    return 2;
  }
  if (ctx.format === 'json') {
    printSecret('json', secret);
    return 0;
  }
  const { versions, ...meta } = asObject(secret.data) ?? {};
  printPathHeader('Metadata Path', apiPath);
  printSection('Metadata', meta);
  const byNumber = Object.entries(asObject(versions) ?? {}).sort(([a], [b]) => Number(a) - Number(b));
  for (const [n, info] of byNumber) {
    out('\n');
    printSection(`Version ${n}`, asObject(info) ?? {});
  }
  return 0;
}

/** The settings flags shared by put and patch; only the ones given are sent. */
function settings(ctx: Context): Json {
  const body: Json = {};
  const maxVersions = intFlag(ctx.args, 'max-versions');
  // Vault: -max-versions=-1 (its default) means "not given".
  if (maxVersions !== undefined && maxVersions >= 0) body.max_versions = maxVersions;
  const cas = boolFlag(ctx.args, 'cas-required');
  if (cas !== undefined) body.cas_required = cas;
  const after = ctx.args.flag('delete-version-after');
  if (after !== undefined) body.delete_version_after = after;
  const custom = flagMap(ctx.args, 'custom-metadata');
  if (custom) body.custom_metadata = custom;
  return body;
}

async function put(ctx: Context): Promise<number> {
  const [path = ''] = expectArgs(ctx.args, 1);
  const t = await resolveKv(ctx, path);
  requireV2(t, 'metadata');
  const apiPath = kvPath(t, 'metadata');
  await attempt(`writing data to ${apiPath}`, ctx.client().write(apiPath, settings(ctx)));
  out(`Success! Data written to: ${apiPath}\n`);
  return 0;
}

async function patch(ctx: Context): Promise<number> {
  const [path = ''] = expectArgs(ctx.args, 1);
  const t = await resolveKv(ctx, path);
  requireV2(t, 'metadata');
  const apiPath = kvPath(t, 'metadata');
  const body = settings(ctx);
  // A JSON merge patch removes a key that is set to null.
  const removed = ctx.args.all('remove-custom-metadata');
  if (removed.length > 0) {
    body.custom_metadata = { ...asObject(body.custom_metadata), ...Object.fromEntries(removed.map((k) => [k, null])) };
  }
  await attempt(`patching ${apiPath}`, ctx.client().request('PATCH', apiPath, {
    body, headers: { 'Content-Type': 'application/merge-patch+json' },
  }));
  out(`Success! Data written to: ${apiPath}\n`);
  return 0;
}

async function remove(ctx: Context): Promise<number> {
  const [path = ''] = expectArgs(ctx.args, 1);
  const t = await resolveKv(ctx, path);
  requireV2(t, 'metadata');
  const apiPath = kvPath(t, 'metadata');
  await attempt(`deleting ${apiPath}`, ctx.client().delete(apiPath));
  out(`Success! Data deleted (if it existed) at: ${apiPath}\n`);
  return 0;
}

const MOUNT = str('mount', 'The kv mount, when PATH is the key below it.');
const SETTINGS = [
  int('max-versions', 'How many versions to keep; older ones are removed. 0 means the mount\'s setting.'),
  bool('cas-required', 'Require check-and-set (-cas) on every write of this key.'),
  dur('delete-version-after', 'Delete each version this long after it is written; "0s" means never.'),
  mapFlag('custom-metadata', 'Metadata to store with the key, as key=value. Given at all, it replaces the whole set on put.'),
];

const subcommands: Record<string, Subcommand> = {
  get: {
    synopsis: '[options] KEY', summary: 'Retrieves key metadata from the KV store', run: get,
    description: 'Shows a key\'s settings and the history of its versions (version 2 mounts).',
    examples: ['kv metadata get -mount=secret foo'],
    flags: apiFlags([MOUNT]),
  },
  put: {
    synopsis: '[options] KEY', summary: 'Sets or updates key settings in the KV store', run: put,
    description: 'Writes a key\'s settings; settings not given keep their values. It may come before any version exists.',
    examples: ['kv metadata put -mount=secret -max-versions=5 foo'],
    flags: apiFlags([MOUNT, ...SETTINGS], 'none'),
  },
  patch: {
    synopsis: '[options] KEY', summary: 'Patches key settings in the KV store', run: patch,
    description: 'Changes some of a key\'s settings; custom metadata keys are merged, and -remove-custom-metadata drops some.',
    examples: ['kv metadata patch -mount=secret -custom-metadata=team=ops foo'],
    flags: apiFlags([MOUNT, ...SETTINGS, listFlag('remove-custom-metadata', 'A custom metadata key to remove.')], 'none'),
  },
  delete: {
    synopsis: '[options] PATH', summary: 'Deletes all versions and metadata for a key in the KV store', run: remove,
    description: 'Deletes a key with every version and its metadata, for good.',
    examples: ['kv metadata delete -mount=secret foo'],
    flags: apiFlags([MOUNT], 'none'),
  },
};

/** `lockbox kv metadata <subcommand>`. */
export const metadataCommand: Group = {
  summary: 'Interact with Lockbox\'s Key-Value storage metadata',
  description: 'Reads and changes the settings and version history of keys on version 2 kv mounts.',
  subcommands,
};
