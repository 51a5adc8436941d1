// The "creds" secret: what the expiration manager calls to renew and revoke a dynamic user.
// The role is read at that time (its statements may have changed); a deleted role falls back
// to the database's default statements, as Vault does.
import type { SecretContext } from '../../core/backend.js';
import { Internal } from '../../util/errors.js';
import { connectionOf, talk } from './connection.js';
import type { CredsInternal } from './paths/creds.js';
import { connections, roles } from './store.js';

async function load(ctx: SecretContext) {
  const internal = ctx.internal as CredsInternal;
  const config = await connections(ctx.storage).get(internal.db_name);
  // Retried by the expiration manager until the connection is back (or revoke-force).
  if (!config) throw new Internal(`could not find database connection "${internal.db_name}"`);
  const role = await roles(ctx.storage).get(internal.role);
  return { internal, config, role };
}

/** Drops the user of an ending lease. */
export async function revokeCreds(ctx: SecretContext): Promise<void> {
  const { internal, config, role } = await load(ctx);
  await talk('failed to revoke user', [config.password], () =>
    connectionOf(config).dropUser(role?.revocation_statements ?? [], { username: internal.username }));
}

/** Moves the user's validity to the lease's new end. */
export async function renewCreds(ctx: SecretContext & { increment: number; now: number }): Promise<void> {
  const { internal, config, role } = await load(ctx);
  const expiration = new Date(ctx.now + ctx.increment * 1000);
  await talk('failed to renew user', [config.password], () =>
    connectionOf(config).renewUser(role?.renew_statements ?? [], { username: internal.username, expiration }));
}
