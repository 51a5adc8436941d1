// `lockbox lease`: look up, renew and revoke leases over sys/leases/*.
import { attempt, dispatch, expectArgs, type Context, type Subcommand } from './command.js';
import { UsageError } from './errors.js';
import { printResponse } from './generic.js';
import { out } from './output.js';

async function lookup(ctx: Context): Promise<number> {
  const [leaseId] = expectArgs(ctx.args, 1);
  const secret = await attempt('looking up lease', ctx.client().write('sys/leases/lookup', { lease_id: leaseId }, 'PUT'));
  return printResponse(ctx, secret ?? {});
}

async function renew(ctx: Context): Promise<number> {
  const [leaseId] = expectArgs(ctx.args, 1);
  const increment = ctx.args.flag('increment') ?? ctx.args.flag('i');
  const body = { lease_id: leaseId, ...(increment === undefined ? {} : { increment }) };
  const secret = await attempt('renewing lease', ctx.client().write('sys/leases/renew', body, 'PUT'));
  return printResponse(ctx, secret ?? {});
}

// Vault's CLI: -prefix revokes everything under the id; -force (with -prefix) forgets leases
// whose backend revocation fails.
async function revoke(ctx: Context): Promise<number> {
  const [leaseId] = expectArgs(ctx.args, 1);
  const prefix = ctx.args.flags.has('prefix');
  const force = ctx.args.flags.has('force') || ctx.args.flags.has('f');
  if (force && !prefix) throw new UsageError('-force requires -prefix');
  const client = ctx.client();
  if (force) {
    await attempt('revoking lease', client.write(`sys/leases/revoke-force/${leaseId}`, {}, 'PUT'));
    out(`Success! Force revoked any leases with prefix: ${leaseId}\n`);
  } else if (prefix) {
    await attempt('revoking lease', client.write(`sys/leases/revoke-prefix/${leaseId}`, {}, 'PUT'));
    out(`Success! Revoked any leases with prefix: ${leaseId}\n`);
  } else {
    await attempt('revoking lease', client.write('sys/leases/revoke', { lease_id: leaseId }, 'PUT'));
    out(`Success! Revoked lease: ${leaseId}\n`);
  }
  return 0;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  lookup: { synopsis: 'LEASE_ID', summary: 'Show a lease\'s issue time, expiry and TTL', run: lookup },
  renew: { synopsis: '[-increment=DURATION] LEASE_ID', summary: 'Extend a lease', run: renew },
  revoke: { synopsis: '[-prefix] [-force] ID', summary: 'Revoke a lease, or every lease under a prefix', run: revoke },
};

/** The `lease` command group. */
export const leaseCommand = (ctx: Context): Promise<number> => dispatch('lease', ctx, SUBCOMMANDS);
