// The path-level commands that work on any mount: read, write, delete and list.
import { asObject, type Json } from './json.js';
import { attempt, expectArgs, parseData, sanitizePath, type Context, type Subcommand } from './command.js';
import { UsageError } from './errors.js';
import { apiFlags, bool } from './flags.js';
import { err, fieldOf, out, printField, printJson, printList, printSecret, printWarnings } from './output.js';

/** Query parameters from `key=value` arguments (reads, deletes). */
async function queryOf(items: string[]): Promise<Record<string, string>> {
  const data = await parseData(items);
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

/**
 * Some sys/ endpoints (health, seal-status) answer outside Vault's envelope; show their
 * body as the data rather than an empty table.
 */
function asSecret(body: Json): Json {
  return 'data' in body || 'auth' in body ? body : { data: body };
}

/** Prints a response: one `-field`, or the whole secret. Returns the exit code. */
export function printResponse(ctx: Context, secret: Json): number {
  const field = ctx.args.flag('field');
  if (field !== undefined) return printField(ctx.format, fieldOf(secret, field), field);
  printSecret(ctx.format, secret);
  return 0;
}

/** `lockbox read PATH [K=V...]`. */
export async function readCommand(ctx: Context): Promise<number> {
  const [raw = '', ...rest] = expectArgs(ctx.args, 1, Infinity);
  const path = sanitizePath(raw);
  if (ctx.format === 'raw') {
    // The body exactly as sent (a PEM, a CRL, a JSON document), for piping into other tools.
    const r = await attempt(`reading: ${path}`, ctx.client().request('GET', path, { query: await queryOf(rest) }));
    out(`${r.text}\n`);
    return 0;
  }
  const secret = await attempt(`reading ${path}`, ctx.client().read(path, await queryOf(rest)));
  if (!secret) {
    err(`No value found at ${path}\n`);
    return 2;
  }
  return printResponse(ctx, asSecret(secret));
}

/** `lockbox write PATH [K=V... | -]`. */
export async function writeCommand(ctx: Context): Promise<number> {
  const [raw = '', ...rest] = expectArgs(ctx.args, 1, Infinity);
  const path = sanitizePath(raw);
  const data = await parseData(rest);
  if (Object.keys(data).length === 0 && !ctx.args.on('force')) {
    throw new UsageError('Must supply data or use -force');
  }
  const secret = await attempt(`writing data to ${path}`, ctx.client().write(path, data));
  if (!secret) {
    out(`Success! Data written to: ${path}\n`);
    return 0;
  }
  return printResponse(ctx, asSecret(secret));
}

/** `lockbox delete PATH [K=V...]`. */
export async function deleteCommand(ctx: Context): Promise<number> {
  const [raw = '', ...rest] = expectArgs(ctx.args, 1, Infinity);
  const path = sanitizePath(raw);
  const secret = await attempt(`deleting ${path}`, ctx.client().delete(path, await queryOf(rest)));
  if (secret) printWarnings(secret);
  out(`Success! Data deleted (if it existed) at: ${path}\n`);
  return 0;
}

/** `lockbox list PATH`. */
export async function listCommand(ctx: Context): Promise<number> {
  const [raw = ''] = expectArgs(ctx.args, 1);
  const path = sanitizePath(raw);
  const secret = await attempt(`listing ${path}`, ctx.client().list(path));
  return printKeys(ctx, path, secret);
}

/** `lockbox unwrap [TOKEN]`: the wrapped response, spending the wrapping token. */
export async function unwrapCommand(ctx: Context): Promise<number> {
  const [token] = expectArgs(ctx.args, 0, 1);
  // Without an argument the wrapping token is the caller's token itself, as in Vault.
  const r = await attempt('unwrapping', ctx.client().request('POST', 'sys/wrapping/unwrap', {
    body: token === undefined ? {} : { token }, wrap: false,
  }));
  if (!r.body) {
    err('No value found\n');
    return 2;
  }
  return printResponse(ctx, r.body);
}

/** `lockbox path-help PATH`: the server's `?help=1` answer for a path. */
export async function pathHelpCommand(ctx: Context): Promise<number> {
  const [raw = ''] = expectArgs(ctx.args, 1);
  const path = sanitizePath(raw);
  const r = await attempt('retrieving help', ctx.client().request('GET', path, { query: { help: '1' }, wrap: false }));
  const help = r.body?.help;
  if (ctx.format === 'json') return (printJson(r.body ?? {}), 0);
  if (typeof help !== 'string') {
    err(`No help found for ${path}\n`);
    return 2;
  }
  out(`${help}\n`);
  return 0;
}

/** Prints the `keys` of a list answer; nothing there is exit code 2, as in Vault. */
export function printKeys(ctx: Context, path: string, secret: Json | undefined): number {
  if (secret?.wrap_info) return printResponse(ctx, secret);
  const keys = asObject(secret?.data)?.keys;
  if (!secret || !Array.isArray(keys)) {
    err(`No value found at ${path}\n`);
    return 2;
  }
  if (ctx.format !== 'json') printWarnings(secret);
  printList(ctx.format, keys);
  return 0;
}

/** The path-level commands, declared. */
export const genericCommands: Record<'read' | 'write' | 'delete' | 'list' | 'unwrap' | 'path-help', Subcommand> = {
  read: {
    synopsis: '[options] PATH', summary: 'Read data and retrieves secrets', run: readCommand,
    description: 'Reads data from any path: secrets, configuration, dynamic credentials. key=value arguments after '
      + 'PATH are sent as query parameters.',
    examples: ['read secret/foo', 'read -field=password database/creds/readonly', 'read -format=raw pki/ca/pem'],
    flags: apiFlags([], 'field'), rawOutput: true,
  },
  write: {
    synopsis: '[options] PATH [DATA K=V...]', summary: 'Write data, configuration, and secrets', run: writeCommand,
    description: 'Writes data to any path. Values may be @file or - (stdin); a lone - reads a JSON object from stdin.',
    examples: ['write secret/foo value=bar', 'write -force auth/token/tidy'],
    flags: apiFlags([bool('force', 'Write even without any data (for endpoints that take none).', { aliases: ['f'] })], 'field'),
  },
  delete: {
    synopsis: '[options] PATH', summary: 'Delete secrets and configuration', run: deleteCommand,
    description: 'Deletes the data at any path. key=value arguments after PATH are sent as query parameters.',
    examples: ['delete secret/foo'],
    flags: apiFlags([], 'none'),
  },
  list: {
    synopsis: '[options] PATH', summary: 'List data or secrets', run: listCommand,
    description: 'Lists the keys under a path. Keys ending in / are folders.',
    examples: ['list secret/'],
    flags: apiFlags(),
  },
  'path-help': {
    synopsis: '[options] PATH', summary: 'Retrieve API help for paths', run: pathHelpCommand,
    description: 'Prints the help the server gives for a path: what it does, its operations and its parameters. '
      + 'Each secrets engine and auth method answers for the paths under its mount, so this works for any '
      + 'mounted path, including ones that need the path\'s own parameters filled in.',
    examples: ['path-help secret/', 'path-help sys/mounts', 'path-help -format=json auth/token/create'],
    flags: apiFlags(),
  },
  unwrap: {
    synopsis: '[options] [TOKEN]', summary: 'Unwrap a wrapped secret', run: unwrapCommand,
    description: 'Returns the response wrapped in a wrapping token, which can be used only once. Without TOKEN the '
      + 'token the CLI is using is the wrapping token.',
    examples: ['unwrap 3de9ece1-b347-e143-29b0-dc2dc31caafd'],
    flags: apiFlags([], 'field'),
  },
};
