// `lockbox kv metadata`: a v2 key's settings (max versions, check-and-set, deletion delay,
// custom metadata) and its version history.
import { asObject, type Json } from './json.js';
import { attempt, boolFlag, dispatch, expectArgs, flagMap, intFlag, type Context, type Subcommand } from './command.js';
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

const FLAGS = '[-max-versions=N] [-cas-required[=BOOL]] [-delete-version-after=D] [-custom-metadata=K=V]...';

const subcommands: Record<string, Subcommand> = {
  get: { synopsis: '[-mount=M] PATH', summary: 'Show a key\'s settings and version history', run: get },
  put: { synopsis: `[-mount=M] ${FLAGS} PATH`, summary: 'Set a key\'s settings', run: put },
  patch: { synopsis: `[-mount=M] ${FLAGS} [-remove-custom-metadata=K]... PATH`, summary: 'Change some of a key\'s settings', run: patch },
  delete: { synopsis: '[-mount=M] PATH', summary: 'Delete a key with all its versions and metadata', run: remove },
};

/** `lockbox kv metadata <subcommand>`. */
export function metadataCommand(ctx: Context): Promise<number> {
  return dispatch('kv metadata', ctx, subcommands);
}
