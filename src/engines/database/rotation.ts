// Static-role rotation, durable and idempotent:
//   1. the new password is stored as pending_password (encrypted by the barrier),
//   2. it is set in the database,
//   3. it becomes the role's password and the pending one is cleared.
// A crash between 1 and 3 leaves pending_password; the next periodic run (the first right
// after unseal) sets that same password again, so the database and the record agree. A failed
// step 2 keeps the pending password and retries with backoff; static-creds serves the old one.
import type { Storage } from '../../storage/storage.js';
import type { PasswordGenerator } from '../../core/password-policy.js';
import { BadRequest } from '../../util/errors.js';
import { connectionOf, storedConnection, talk } from './connection.js';
import { nextCronTime, parseCron } from './cron.js';
import { mustAllow } from './allowed-roles.js';
import { policyOf } from './paths/roles.js';
import { repairPendingRoot } from './root-rotation.js';
import { passwordForStatements } from './scram.js';
import { connections, staticRoles, type StaticRole } from './store.js';

/** Retry delays after a failed rotation: from 5 s, doubling, at most an hour. */
export const rotationRetryMs = (attempts: number) => Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);

// One rotation at a time per database user: rotate-role and the scheduler may meet.
const inFlight = new Map<string, Promise<void>>();

async function serialised(key: string, fn: () => Promise<void>): Promise<void> {
  while (inFlight.has(key)) await inFlight.get(key)!.catch(() => undefined);
  const run = fn().finally(() => inFlight.delete(key));
  inFlight.set(key, run);
  return run;
}

/** Rotates a static role's password now; throws (after recording a retry) if the database refuses. */
export async function rotateStatic(storage: Storage, name: string, now: number, passwords: PasswordGenerator): Promise<void> {
  const first = await staticRoles(storage).get(name);
  if (!first) throw new BadRequest('no static role found for role name');
  await serialised(`${first.db_name}\u0000${first.username}`, async () => {
    const role = await staticRoles(storage).get(name);
    if (!role) throw new BadRequest('no static role found for role name');
    const config = await storedConnection(storage, role.db_name);
    mustAllow(config, name);
    const password = role.pending_password ?? await passwords(policyOf(role.credential_config, config.password_policy));
    if (role.pending_password === undefined) await staticRoles(storage).put(name, { ...role, pending_password: password });
    try {
      const statementPassword = await passwordForStatements(config, password);
      await talk('error setting credentials', [password, statementPassword, role.password, config.password], () =>
        connectionOf(config).setPassword(role.rotation_statements, { username: role.username, password: statementPassword }));
    } catch (err) {
      const failed_attempts = role.failed_attempts + 1;
      await staticRoles(storage).put(name, { ...role, pending_password: password, failed_attempts, retry_at: now + rotationRetryMs(failed_attempts) });
      throw err;
    }
    const { pending_password: _done, ...rest } = role;
    await staticRoles(storage).put(name, { ...rest, password, last_vault_rotation: now, failed_attempts: 0, retry_at: 0 });
  });
}

/** When a role's next rotation falls due (epoch ms). */
export function nextRotation(role: StaticRole): number {
  if (role.rotation_schedule) return nextCronTime(parseCron(role.rotation_schedule), role.last_vault_rotation);
  return role.last_vault_rotation + role.rotation_period * 1000;
}

function isDue(role: StaticRole, now: number): boolean {
  if (role.retry_at > 0) return now >= role.retry_at;
  // A pending password without a retry time is a crash between steps 1 and 3: repair now.
  if (role.pending_password !== undefined) return true;
  if (role.rotation_schedule && role.rotation_window > 0) {
    // Vault: a scheduled rotation happens only inside its window; a missed window waits for the next.
    const opened = nextCronTime(parseCron(role.rotation_schedule), now - role.rotation_window * 1000);
    return opened <= now && opened > role.last_vault_rotation;
  }
  return now >= nextRotation(role);
}

/** The engine's periodic work: settle interrupted root rotations, then rotate what is due. */
export async function runDueRotations(storage: Storage, now: number, passwords: PasswordGenerator): Promise<void> {
  for (const name of await connections(storage).list()) await repairPendingRoot(storage, name).catch(() => undefined);
  for (const name of await staticRoles(storage).list()) {
    const role = await staticRoles(storage).get(name);
    // A failure is recorded on the role with its retry time; the others go on.
    if (role && isDue(role, now)) await rotateStatic(storage, name, now, passwords).catch(() => undefined);
  }
}
