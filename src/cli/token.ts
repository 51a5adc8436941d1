// `lockbox token`: create, look up, renew and revoke tokens, and show what a token may do,
// over auth/token/* and sys/capabilities*.
import { ApiError } from './client.js';
import { asObject, type Json } from './json.js';
import { attempt, boolFlag, expectArgs, flagList, flagMap, intFlag, type Context, type Group, type Subcommand } from './command.js';
import { UsageError } from './errors.js';
import { apiFlags, bool, dur, int, listFlag, mapFlag, str } from './flags.js';
import { printResponse } from './generic.js';
import { out, printJson } from './output.js';

/** A body with only the values the user gave: the server's defaults apply to the rest. */
function given(entries: Record<string, unknown>): Json {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

async function create(ctx: Context): Promise<number> {
  expectArgs(ctx.args, 0);
  const a = ctx.args;
  const policies = flagList(a, 'policy');
  const body = given({
    id: a.flag('id'),
    policies: policies.length > 0 ? policies : undefined,
    meta: flagMap(a, 'metadata'),
    ttl: a.flag('ttl'),
    explicit_max_ttl: a.flag('explicit-max-ttl'),
    period: a.flag('period'),
    no_parent: boolFlag(a, 'orphan'),
    no_default_policy: boolFlag(a, 'no-default-policy'),
    num_uses: intFlag(a, 'use-limit'),
    display_name: a.flag('display-name'),
    // Sent only when given: Vault's default is renewable, and batch tokens refuse the field.
    renewable: boolFlag(a, 'renewable'),
    type: a.flag('type'),
    entity_alias: a.flag('entity-alias'),
  });
  const role = a.flag('role');
  const path = role ? `auth/token/create/${role}` : 'auth/token/create';
  const secret = await attempt('creating token', ctx.client().write(path, body, 'POST'));
  return printResponse(ctx, secret ?? {});
}

/** Where a lookup/renew/revoke goes: the caller's own token, a token, or an accessor. */
function target(ctx: Context, verb: string): { self: boolean; accessor: boolean; value?: string } {
  const [value] = expectArgs(ctx.args, 0, 1);
  const accessor = ctx.args.on('accessor');
  const self = ctx.args.on('self') || (value === undefined && !accessor);
  if (ctx.args.on('self') && value !== undefined) throw new UsageError(`-self takes no token argument`);
  if (accessor && value === undefined) throw new UsageError(`-accessor needs an accessor to ${verb}`);
  if (accessor && self) throw new UsageError('-self and -accessor cannot be used together');
  return { self, accessor, value };
}

async function lookup(ctx: Context): Promise<number> {
  const t = target(ctx, 'look up');
  const client = ctx.client();
  const secret = t.self
    ? await attempt('looking up token', client.read('auth/token/lookup-self'))
    : t.accessor
      ? await attempt('looking up token', client.write('auth/token/lookup-accessor', { accessor: t.value }, 'POST'))
      : await attempt('looking up token', lookupByValue(ctx, t.value as string));
  return printResponse(ctx, secret ?? {});
}

/**
 * A token given by value. A response-wrapping token cannot look itself up, and a caller may
 * lack auth/token/lookup: then sys/wrapping/lookup (unauthenticated) tells what it wraps.
 */
async function lookupByValue(ctx: Context, token: string) {
  const client = ctx.client();
  try {
    return await client.write('auth/token/lookup', { token }, 'POST');
  } catch (err) {
    if (!(err instanceof ApiError) || (err.status !== 403 && err.status !== 400)) throw err;
    try {
      return await client.write('sys/wrapping/lookup', { token }, 'POST');
    } catch {
      throw err;
    }
  }
}

async function renew(ctx: Context): Promise<number> {
  const t = target(ctx, 'renew');
  const increment = ctx.args.flag('increment');
  const body = given({ increment });
  const client = ctx.client();
  const secret = t.self
    ? await attempt('renewing token', client.write('auth/token/renew-self', body, 'POST'))
    : t.accessor
      ? await attempt('renewing token', client.write('auth/token/renew-accessor', { ...body, accessor: t.value }, 'POST'))
      : await attempt('renewing token', client.write('auth/token/renew', { ...body, token: t.value }, 'POST'));
  return printResponse(ctx, secret ?? {});
}

async function revoke(ctx: Context): Promise<number> {
  const mode = ctx.args.flag('mode') ?? '';
  if (!['', 'orphan', 'path'].includes(mode)) throw new UsageError(`invalid -mode "${mode}": expected orphan or path`);
  const [value] = expectArgs(ctx.args, 0, 1);
  const self = ctx.args.on('self');
  const accessor = ctx.args.on('accessor');
  if (self && value !== undefined) throw new UsageError('-self takes no token argument');
  if (!self && value === undefined) throw new UsageError('Not enough arguments (expected 1, got 0)');
  if (self && accessor) throw new UsageError('-self and -accessor cannot be used together');
  if (mode !== '' && (self || accessor)) throw new UsageError(`-mode=${mode} cannot be used with -self or -accessor`);
  const client = ctx.client();
  const run = (path: string, body: Json) => attempt('revoking token', client.write(path, body, 'POST'));
  if (self) await run('auth/token/revoke-self', {});
  else if (accessor) await run('auth/token/revoke-accessor', { accessor: value });
  else if (mode === 'orphan') await run('auth/token/revoke-orphan', { token: value });
  else if (mode === 'path') await run(`sys/leases/revoke-prefix/${value ?? ''}`, {});
  else await run('auth/token/revoke', { token: value });
  out('Success! Revoked token (if it existed)\n');
  return 0;
}

async function capabilities(ctx: Context): Promise<number> {
  const args = expectArgs(ctx.args, 1, 2);
  const path = args[args.length - 1] as string;
  const subject = args.length === 2 ? args[0] : undefined;
  const accessor = ctx.args.on('accessor');
  if (accessor && subject === undefined) throw new UsageError('-accessor needs an accessor and a path');
  const client = ctx.client();
  const body = subject === undefined
    ? await attempt('listing capabilities', client.write('sys/capabilities-self', { paths: [path] }, 'POST'))
    : accessor
      ? await attempt('listing capabilities', client.write('sys/capabilities-accessor', { accessor: subject, paths: [path] }, 'POST'))
      : await attempt('listing capabilities', client.write('sys/capabilities', { token: subject, paths: [path] }, 'POST'));
  const data = asObject(body?.data) ?? body ?? {};
  const caps = (Array.isArray(data[path]) ? data[path] : data.capabilities) as unknown[] | undefined;
  const list = (caps ?? []).map(String);
  if (ctx.format === 'json') printJson(list);
  else out(`${list.length > 0 ? list.join(', ') : 'deny'}\n`);
  return 0;
}

const SELF = bool('self', 'Act on the token the CLI is using (the default when no token is given).');
const ACCESSOR = bool('accessor', 'Treat the argument as an accessor instead of a token.');
const INCREMENT = dur('increment', 'Ask for this much more time, counted from now. The server\'s rules may give less; unset means the token\'s own TTL.', { aliases: ['i'] });

const subcommands: Record<string, Subcommand> = {
  create: {
    synopsis: '[options]', summary: 'Create a new token', run: create,
    description: 'Creates a new token that can be used for authentication. The new token is a child of the token '
      + 'the CLI uses (unless -orphan) and has at most its policies. With -role, the token role\'s settings apply.',
    examples: ['token create -policy=app-read -ttl=1h', 'token create -orphan -period=24h -policy=ci'],
    flags: apiFlags([
      str('id', 'The value of the new token (root tokens only). Without it one is generated.'),
      str('display-name', 'A name shown in the token\'s lookup and the audit log.'),
      dur('ttl', 'Initial time to live. Without it the mount\'s default applies.'),
      dur('explicit-max-ttl', 'A hard limit on the token\'s life that renewal cannot pass.'),
      dur('period', 'Make a periodic token: each renewal resets its TTL to this period.'),
      bool('renewable', 'Whether the token may be renewed up to its maximum TTL.', { default: 'true' }),
      bool('orphan', 'Create the token without a parent, so revoking the caller does not revoke it.'),
      bool('no-default-policy', 'Do not attach the "default" policy.'),
      int('use-limit', 'How many uses the token has; 0 means unlimited.', { default: '0' }),
      str('role', 'Create the token against this token role (auth/token/create/<role>).'),
      str('type', 'The type of token: "service" or "batch".', { default: 'service', completion: ['service', 'batch'] }),
      listFlag('policy', 'A policy to attach. Without any, the token gets the caller\'s policies.'),
      mapFlag('metadata', 'Metadata to attach to the token, as key=value.'),
      str('entity-alias', 'The entity alias to tie the token to (with -role only).'),
    ], 'field'),
  },
  lookup: {
    synopsis: '[options] [TOKEN | ACCESSOR]', summary: 'Display information about a token', run: lookup,
    description: 'Shows a token\'s properties: policies, TTL, uses, metadata. Without an argument it looks up '
      + 'the token the CLI is using.',
    examples: ['token lookup', 'token lookup -accessor 8609694a-cdbc-db9b-d345-e782dbb562ed'],
    flags: apiFlags([ACCESSOR, SELF], 'field'),
  },
  renew: {
    synopsis: '[options] [TOKEN | ACCESSOR]', summary: 'Renew a token lease', run: renew,
    description: 'Extends a token\'s TTL. Without an argument it renews the token the CLI is using.',
    examples: ['token renew', 'token renew -increment=30m 96ddf4bc-d217-f3ba-f9bd-017055595017'],
    flags: apiFlags([ACCESSOR, SELF, INCREMENT], 'field'),
  },
  revoke: {
    synopsis: '[options] [TOKEN | ACCESSOR]', summary: 'Revoke a token and its children', run: revoke,
    description: 'Revokes a token and, unless -mode=orphan, every token created from it and every lease they hold.',
    examples: ['token revoke 96ddf4bc-d217-f3ba-f9bd-017055595017', 'token revoke -self'],
    flags: apiFlags([
      ACCESSOR, SELF,
      str('mode', 'How to revoke: "" (the token and its children), "orphan" (the token alone; its children become '
        + 'orphans) or "path" (every token created under the given path prefix).', { completion: ['orphan', 'path'] }),
    ], 'none'),
  },
  capabilities: {
    synopsis: '[options] [TOKEN | ACCESSOR] PATH', summary: 'Print capabilities of a token on a path', run: capabilities,
    description: 'Shows what a token may do on a path (create, read, update, delete, list, sudo, or deny). Without a '
      + 'token it checks the token the CLI is using.',
    examples: ['token capabilities secret/foo', 'token capabilities -accessor 8609694a secret/foo'],
    flags: apiFlags([ACCESSOR]),
  },
};

/** `lockbox token <subcommand>`. */
export const tokenCommand: Group = {
  summary: 'Interact with tokens',
  description: 'Creates, looks up, renews and revokes tokens, and shows what a token may do on a path.',
  subcommands,
};
