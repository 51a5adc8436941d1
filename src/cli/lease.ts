// `lockbox lease`: look up, renew and revoke leases over sys/leases/*.
import { attempt, expectArgs, type Context, type Group, type Subcommand } from './command.js';
import { UsageError } from './errors.js';
import { apiFlags, bool, dur } from './flags.js';
import { printResponse } from './generic.js';
import { ApiError, type Client } from './client.js';
import { asObject } from './json.js';
import { err, out } from './output.js';

async function lookup(ctx: Context): Promise<number> {
  const [leaseId] = expectArgs(ctx.args, 1);
  const secret = await attempt('looking up lease', ctx.client().write('sys/leases/lookup', { lease_id: leaseId }, 'PUT'));
  return printResponse(ctx, secret ?? {});
}

async function renew(ctx: Context): Promise<number> {
  const [leaseId] = expectArgs(ctx.args, 1);
  const increment = ctx.args.flag('increment');
  const body = { lease_id: leaseId, ...(increment === undefined ? {} : { increment }) };
  const secret = await attempt('renewing lease', ctx.client().write('sys/leases/renew', body, 'PUT'));
  return printResponse(ctx, secret ?? {});
}

/**
 * How many leases lie under a prefix, walking sys/leases/lookup/ (which needs sudo). Undefined
 * when the token may not list them: the count is a courtesy, never a reason to fail.
 */
export async function countLeases(client: Client, prefix: string): Promise<number | undefined> {
  const folder = prefix.endsWith('/') ? prefix : `${prefix}/`;
  let secret;
  try {
    secret = await client.list(`sys/leases/lookup/${folder}`);
  } catch (err) {
    if (err instanceof ApiError) return undefined;
    throw err;
  }
  const keys = asObject(secret?.data)?.keys;
  let n = 0;
  for (const key of Array.isArray(keys) ? keys.map(String) : []) {
    if (!key.endsWith('/')) n += 1;
    else n += (await countLeases(client, folder + key)) ?? 0;
  }
  return n;
}

// Vault's CLI: -prefix revokes everything under the id; -force (with -prefix) forgets leases
// whose backend revocation fails.
async function revoke(ctx: Context): Promise<number> {
  const [leaseId] = expectArgs(ctx.args, 1);
  const prefix = ctx.args.on('prefix');
  const force = ctx.args.on('force');
  if (force && !prefix) throw new UsageError('-force requires -prefix');
  const client = ctx.client();
  if (force) {
    await attempt('revoking lease', client.write(`sys/leases/revoke-force/${leaseId}`, {}, 'PUT'));
    out(`Success! Force revoked any leases with prefix: ${leaseId}\n`);
  } else if (prefix) {
    // On a terminal, say how much is about to go: revoking a large prefix takes a while.
    const count = process.stderr.isTTY ? await countLeases(client, leaseId ?? '') : undefined;
    if (count !== undefined) err(`Revoking ${count} lease${count === 1 ? '' : 's'} under ${leaseId}...\n`);
    await attempt('revoking lease', client.write(`sys/leases/revoke-prefix/${leaseId}`, {}, 'PUT'));
    out(`Success! Revoked any leases with prefix: ${leaseId}\n`);
  } else {
    await attempt('revoking lease', client.write('sys/leases/revoke', { lease_id: leaseId }, 'PUT'));
    out(`Success! Revoked lease: ${leaseId}\n`);
  }
  return 0;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  lookup: {
    synopsis: '[options] ID', summary: 'Lookup the lease of a secret', run: lookup,
    description: 'Shows a lease\'s issue time, expiry, TTL and whether it can be renewed.',
    examples: ['lease lookup database/creds/readonly/2f6a614c'],
    flags: apiFlags([], 'field'),
  },
  renew: {
    synopsis: '[options] ID', summary: 'Renews the lease of a secret', run: renew,
    description: 'Extends a lease. The server may give less than asked, up to the mount\'s maximum TTL.',
    examples: ['lease renew -increment=1h database/creds/readonly/2f6a614c'],
    flags: apiFlags([dur('increment', 'Ask for this much more time, counted from now. Unset means the lease\'s own TTL.', { aliases: ['i'] })], 'field'),
  },
  revoke: {
    synopsis: '[options] ID', summary: 'Revokes leases and secrets', run: revoke,
    description: 'Revokes a lease, or with -prefix every lease under the given prefix; the engine revokes the secret behind each.',
    examples: ['lease revoke database/creds/readonly/2f6a614c', 'lease revoke -prefix database/creds/'],
    flags: apiFlags([
      bool('prefix', 'Treat ID as a prefix and revoke every lease under it.'),
      bool('force', 'With -prefix: forget the leases even when the engine fails to revoke them. This is dangerous: '
        + 'the secrets may stay valid with nothing left to revoke them.', { aliases: ['f'] }),
    ], 'none'),
  },
};

/** The `lease` command group. */
export const leaseCommand: Group = {
  summary: 'Interact with leases',
  description: 'Looks up, renews and revokes the leases of dynamic secrets.',
  subcommands: SUBCOMMANDS,
};
