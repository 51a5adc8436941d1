// The "creds" secret: what the expiration manager calls to renew and revoke a dynamic user.
// The role is read at that time (its statements may have changed). As in Vault, a deleted
// role's user is still revoked, with the statements the lease kept, but no longer renewed.
import type { SecretContext } from '../../core/backend.js';
import { connectionOf, EngineFailure, storedConnection, talk } from './connection.js';
import { EXPIRATION_MARGIN, type CredsInternal } from './paths/creds.js';
import { roles } from './store.js';

async function load(ctx: SecretContext) {
  const internal = ctx.internal as CredsInternal;
  // A missing connection fails, and the expiration manager retries until it is back (or revoke-force).
  const config = await storedConnection(ctx.storage, internal.db_name);
  const role = await roles(ctx.storage).get(internal.role);
  return { internal, config, role };
}

/** Drops the user of an ending lease. */
export async function revokeCreds(ctx: SecretContext): Promise<void> {
  const { internal, config, role } = await load(ctx);
  const statements = role?.revocation_statements ?? internal.revocation_statements ?? [];
  await talk('failed to revoke user', [config.password], () =>
    connectionOf(config).dropUser(statements, { username: internal.username }));
}

/** Moves the user's validity to the lease's new end. */
export async function renewCreds(ctx: SecretContext & { increment: number; now: number }): Promise<void> {
  const { internal, config, role } = await load(ctx);
  if (!role) throw new EngineFailure(`error during renew: could not find role with name "${internal.role}"`);
  // Vault leaves a lease renewed to 0 s (at its max_ttl) alone, and otherwise moves the end
  // to the new lease end plus its 5 s margin.
  if (ctx.increment <= 0) return;
  const expiration = new Date(ctx.now + (ctx.increment + EXPIRATION_MARGIN) * 1000);
  await talk('failed to renew user', [config.password], () =>
    connectionOf(config).renewUser(role.renew_statements, { username: internal.username, expiration }));
}
