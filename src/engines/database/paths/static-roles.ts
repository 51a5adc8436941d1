// static-roles/:name, static-roles/, static-creds/:name and rotate-role/:name.
import { BadRequest, Internal, LockboxError } from '../../../util/errors.js';
import { definePath, field, onlySent, type Handler } from '../../../core/path.js';
import type { PasswordGenerator } from '../../../core/password-policy.js';
import { mustAllow } from '../allowed-roles.js';
import { EngineFailure, storedConnection } from '../connection.js';
import { nextCronTime, parseCron } from '../cron.js';
import { nextRotation, rotateStatic } from '../rotation.js';
import { roles, staticRoles, type StaticRole } from '../store.js';
import { refuseUnsupported, unsupportedStaticRoleFields } from '../unsupported.js';
import { checkCredentialConfig, checkCredentialType, mustBeUnique, withCredentialConfig } from './roles.js';

const MIN_ROTATION_PERIOD = 5;
const MIN_ROTATION_WINDOW = 3600;

const staticFields = {
  name: field.name({ description: 'Name of the static role.' }),
  db_name: field.string({ description: 'Connection (config/<name>) the user lives on.' }),
  username: field.string({ description: 'Existing database user whose password is rotated; cannot change.' }),
  rotation_period: field.duration({ description: 'Rotate this often; at least 5 seconds.' }),
  rotation_schedule: field.string({ description: 'Five-field cron schedule (UTC), instead of rotation_period.' }),
  rotation_window: field.duration({ description: 'With rotation_schedule: how long after each time a rotation may still happen; at least 1 hour.' }),
  rotation_statements: field.stringList({ description: 'SQL that sets the password; {{name}} and {{password}}.', default: [] }),
  credential_type: field.string({ description: 'Only "password".', default: 'password' }),
  credential_config: field.keyValues({ description: 'Settings of the credential type: password_policy.', default: {} }),
  self_managed_password: field.string({ description: 'Not supported.', sensitive: true }),
  password: field.string({ description: 'Not supported (Vault 1.19\'s name for self_managed_password).', sensitive: true }),
  ...unsupportedStaticRoleFields,
};

type StaticInput = Pick<StaticRole, 'db_name' | 'username' | 'rotation_period' | 'rotation_schedule' | 'rotation_window' | 'rotation_statements' | 'credential_type' | 'credential_config'>;

async function check(role: StaticInput, passwords: PasswordGenerator): Promise<void> {
  if (role.db_name === '') throw new BadRequest('database name is a required field');
  if (role.username === '') throw new BadRequest('username is a required field to create a static account');
  if (role.rotation_period === 0 && role.rotation_schedule === '') throw new BadRequest('one of rotation_schedule or rotation_period must be provided to create a static account');
  if (role.rotation_schedule === '') {
    if (role.rotation_period < MIN_ROTATION_PERIOD) throw new BadRequest(`rotation_period must be ${MIN_ROTATION_PERIOD} seconds or more`);
    if (role.rotation_window !== 0) throw new BadRequest('rotation_window is invalid with use of rotation_period');
  } else {
    nextCronTime(parseCron(role.rotation_schedule), Date.now());
    if (role.rotation_window !== 0 && role.rotation_window < MIN_ROTATION_WINDOW) throw new BadRequest('rotation_window must be 3600 seconds (1 hour) or more');
  }
  checkCredentialType(role.credential_type);
  await checkCredentialConfig(role.credential_config, passwords);
}

const writeStatic: Handler<typeof staticFields> = async ({ storage, fields, sent, clock, passwords }) => {
  const { name, self_managed_password, password, skip_import_rotation: _skip, ...input } = fields;
  if (self_managed_password !== '' || password !== '') throw new BadRequest('self-managed static roles are not supported');
  refuseUnsupported(fields, sent, Object.keys(unsupportedStaticRoleFields));
  // Vault: a schedule together with any rotation_period sent, even 0, is refused.
  if (sent.has('rotation_period') && input.rotation_schedule !== '') {
    throw new BadRequest('mutually exclusive fields rotation_period and rotation_schedule were both specified; only one of them can be provided');
  }
  mustBeUnique(await roles(storage).get(name));
  const before = await staticRoles(storage).get(name);
  if (before && sent.has('username') && input.username !== before.username) throw new BadRequest('cannot update static account username');
  if (before && sent.has('db_name') && input.db_name !== before.db_name) throw new BadRequest('cannot update static account db_name');
  const merged: StaticInput = { ...input, ...pickInput(before), ...onlySent(input, sent) };
  // Switching between the two ways of scheduling drops the other one, as Vault does.
  if (sent.has('rotation_schedule') && input.rotation_schedule !== '') merged.rotation_period = 0;
  if (sent.has('rotation_period') && input.rotation_period !== 0) {
    merged.rotation_schedule = '';
    if (!sent.has('rotation_window')) merged.rotation_window = 0;
  }
  await check(merged, passwords);
  // As in Vault, the connection is consulted when the role is made (its first rotation needs
  // it); an update only changes settings, and each rotation checks allowed_roles again.
  if (before) {
    await staticRoles(storage).put(name, { ...before, ...merged });
    return;
  }
  mustAllow(await storedConnection(storage, merged.db_name), name);
  // Vault: a new static role takes over the user by rotating its password at once.
  const now = clock.now();
  await staticRoles(storage).put(name, { ...merged, password: '', last_vault_rotation: now, retry_at: 0, failed_attempts: 0 });
  try {
    await rotateStatic(storage, name, now, passwords);
  } catch (err) {
    await staticRoles(storage).delete(name);
    throw err;
  }
};

function pickInput(role: StaticRole | undefined): Partial<StaticInput> {
  if (!role) return {};
  const { db_name, username, rotation_period, rotation_schedule, rotation_window, rotation_statements, credential_type, credential_config } = role;
  return { db_name, username, rotation_period, rotation_schedule, rotation_window, rotation_statements, credential_type, credential_config };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Vault shows rotation_period, or rotation_schedule (with rotation_window when set). */
function scheduleView(r: StaticRole): Record<string, unknown> {
  if (r.rotation_schedule === '') return { rotation_period: r.rotation_period };
  return { rotation_schedule: r.rotation_schedule, ...(r.rotation_window ? { rotation_window: r.rotation_window } : {}) };
}

/** static-roles/:name */
export const staticRolePath = definePath({
  pattern: 'static-roles/:name',
  summary: 'Manage roles whose existing database user has its password rotated.',
  fields: staticFields,
  exists: async ({ storage, fields }) => (await staticRoles(storage).get(fields.name)) !== undefined,
  operations: {
    read: async ({ storage, fields }) => {
      const r = await staticRoles(storage).get(fields.name);
      return r && {
        data: withCredentialConfig({
          db_name: r.db_name, username: r.username, ...scheduleView(r),
          rotation_statements: r.rotation_statements, credential_type: r.credential_type,
          credential_config: r.credential_config, last_vault_rotation: iso(r.last_vault_rotation),
          // Vault's read shows it; here a new static role always rotates (unsupported.ts).
          skip_import_rotation: false,
        }),
      };
    },
    create: writeStatic,
    update: writeStatic,
    delete: async ({ storage, fields }) => staticRoles(storage).delete(fields.name),
  },
});

/** static-roles/ */
export const staticRoleListPath = definePath({
  pattern: 'static-roles/', fields: {}, summary: 'List static role names.',
  operations: { list: async ({ storage }) => ({ data: { keys: await staticRoles(storage).list() } }) },
});

const nameOnly = { name: field.name({ description: 'Name of the static role.' }) };

/** static-creds/:name */
export const staticCredsPath = definePath({
  pattern: 'static-creds/:name', fields: nameOnly, summary: 'Read the current password of a static role.',
  operations: {
    read: async ({ storage, fields, clock }) => {
      const r = await staticRoles(storage).get(fields.name);
      if (!r) throw new BadRequest('unknown role: ' + fields.name);
      mustAllow(await storedConnection(storage, r.db_name), fields.name);
      const now = clock.now();
      // Vault: a scheduled role's TTL runs to the schedule's next time from now, so a missed
      // window shows the wait for the next one rather than 0.
      const next = r.rotation_schedule ? nextCronTime(parseCron(r.rotation_schedule), now) : nextRotation(r);
      return {
        data: {
          username: r.username, password: r.password, last_vault_rotation: iso(r.last_vault_rotation),
          ...scheduleView(r), ttl: Math.max(0, Math.round((next - now) / 1000)),
        },
      };
    },
  },
});

/** rotate-role/:name */
export const rotateRolePath = definePath({
  pattern: 'rotate-role/:name', fields: nameOnly, summary: 'Rotate a static role\'s password now.',
  operations: {
    update: async ({ storage, fields, clock, passwords }) => {
      try {
        await rotateStatic(storage, fields.name, clock.now(), passwords);
      } catch (err) {
        // Only the engine's own failures carry a message meant for the caller.
        if (!(err instanceof LockboxError) || err instanceof Internal || err.status !== 500) throw err;
        // Vault's words: the failed rotation stays queued and is retried by the scheduler.
        throw new EngineFailure(`unable to finish rotating credentials; retries will continue in the background but it is also safe to retry manually: ${err.message}`);
      }
    },
  },
});
