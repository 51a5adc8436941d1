// `lockbox token`: create, look up, renew and revoke tokens, and show what a token may do,
// over auth/token/* and sys/capabilities*.
import { ApiError } from './client.js';
import { asObject, type Json } from './json.js';
import { attempt, boolFlag, dispatch, expectArgs, flagList, flagMap, intFlag, type Context, type Subcommand } from './command.js';
import { UsageError } from './errors.js';
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
  const accessor = ctx.args.flags.has('accessor');
  const self = ctx.args.flags.has('self') || (value === undefined && !accessor);
  if (ctx.args.flags.has('self') && value !== undefined) throw new UsageError(`-self takes no token argument`);
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
  const increment = ctx.args.flag('increment') ?? ctx.args.flag('i');
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
  const self = ctx.args.flags.has('self');
  const accessor = ctx.args.flags.has('accessor');
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
  const accessor = ctx.args.flags.has('accessor');
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

const subcommands: Record<string, Subcommand> = {
  create: {
    synopsis: '[-policy=P]... [-ttl=D] [-period=D] [-orphan] [-no-default-policy] [-use-limit=N] [-display-name=S] '
      + '[-explicit-max-ttl=D] [-renewable=BOOL] [-type=service|batch] [-metadata=K=V]... [-role=R] [-id=ID]',
    summary: 'Create a new token', run: create,
  },
  lookup: { synopsis: '[-accessor] [-self] [TOKEN|ACCESSOR]', summary: 'Show a token\'s properties', run: lookup },
  renew: { synopsis: '[-accessor] [-self] [-increment=D] [TOKEN|ACCESSOR]', summary: 'Extend a token\'s TTL', run: renew },
  revoke: { synopsis: '[-accessor] [-self] [-mode=orphan|path] [TOKEN|ACCESSOR]', summary: 'Revoke a token (and its children)', run: revoke },
  capabilities: { synopsis: '[-accessor] [TOKEN|ACCESSOR] PATH', summary: 'Show a token\'s capabilities on a path', run: capabilities },
};

/** `lockbox token <subcommand>`. */
export function tokenCommand(ctx: Context): Promise<number> {
  return dispatch('token', ctx, subcommands);
}
