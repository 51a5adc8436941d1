// static-roles/:name, static-roles/, static-creds/:name and rotate-role/:name.
import { BadRequest } from '../../../util/errors.js';
import { definePath, field, onlySent, type Handler } from '../../../core/path.js';
import type { PasswordGenerator } from '../../../core/password-policy.js';
import { nextRotation, rotateStatic } from '../rotation.js';
import { connections, staticRoles, type StaticRole } from '../store.js';
import { allowsRole } from './config.js';
import { checkCredentialConfig, checkCredentialType } from './roles.js';

const MIN_ROTATION_PERIOD = 5;

const staticFields = {
  name: field.name({ description: 'Name of the static role.' }),
  db_name: field.string({ description: 'Connection (config/<name>) the user lives on.' }),
  username: field.string({ description: 'Existing database user whose password is rotated; cannot change.' }),
  rotation_period: field.duration({ description: 'Rotate this often; at least 5 seconds.' }),
  rotation_schedule: field.string({ description: 'Cron schedule; not supported, use rotation_period.' }),
  rotation_window: field.duration({ description: 'Window for rotation_schedule; not supported.' }),
  rotation_statements: field.strings({ description: 'SQL that sets the password; {{name}} and {{password}}.', default: [] }),
  credential_type: field.string({ description: 'Only "password".', default: 'password' }),
  credential_config: field.object({ description: 'Settings of the credential type.', default: {} }),
  self_managed_password: field.string({ description: 'Not supported.', sensitive: true }),
};

type StaticInput = Pick<StaticRole, 'db_name' | 'username' | 'rotation_period' | 'rotation_statements' | 'credential_type' | 'credential_config'>;

async function check(role: StaticInput, sent: Set<string>, fields: { rotation_schedule: string; self_managed_password: string }, passwords: PasswordGenerator): Promise<void> {
  if (fields.self_managed_password !== '') throw new BadRequest('self-managed static roles are not supported');
  if (fields.rotation_schedule !== '' || sent.has('rotation_window')) {
    throw new BadRequest('rotation_schedule is not supported: use rotation_period');
  }
  if (role.db_name === '') throw new BadRequest('database name is a required field');
  if (role.username === '') throw new BadRequest('username is a required field to create a static account');
  if (role.rotation_period === 0) throw new BadRequest('one of rotation_schedule or rotation_period must be provided');
  if (role.rotation_period < MIN_ROTATION_PERIOD) throw new BadRequest(`rotation_period must be ${MIN_ROTATION_PERIOD} seconds or more`);
  checkCredentialType(role.credential_type);
  await checkCredentialConfig(role.credential_config, passwords);
}

const writeStatic: Handler<typeof staticFields> = async ({ storage, fields, sent, clock, passwords }) => {
  const { name, rotation_schedule, rotation_window: _w, self_managed_password, ...input } = fields;
  const before = await staticRoles(storage).get(name);
  if (before && sent.has('username') && input.username !== before.username) throw new BadRequest('cannot update static account username');
  if (before && sent.has('db_name') && input.db_name !== before.db_name) throw new BadRequest('cannot update static account db_name');
  const merged: StaticInput = { ...input, ...pickInput(before), ...onlySent(input, sent) };
  await check(merged, sent, { rotation_schedule, self_managed_password }, passwords);
  const config = await connections(storage).get(merged.db_name);
  if (!config) throw new BadRequest(`could not find database connection "${merged.db_name}"`);
  if (!allowsRole(config, name)) throw new BadRequest(`"${name}" is not an allowed role`);
  if (before) {
    await staticRoles(storage).put(name, { ...before, ...merged });
    return;
  }
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
  const { db_name, username, rotation_period, rotation_statements, credential_type, credential_config } = role;
  return { db_name, username, rotation_period, rotation_statements, credential_type, credential_config };
}

const iso = (ms: number) => new Date(ms).toISOString();

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
        data: {
          db_name: r.db_name, username: r.username, rotation_period: r.rotation_period,
          rotation_statements: r.rotation_statements, credential_type: r.credential_type,
          credential_config: r.credential_config, last_vault_rotation: iso(r.last_vault_rotation),
        },
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
      return {
        data: {
          username: r.username, password: r.password, last_vault_rotation: iso(r.last_vault_rotation),
          rotation_period: r.rotation_period, ttl: Math.max(0, Math.floor((nextRotation(r) - clock.now()) / 1000)),
        },
      };
    },
  },
});

/** rotate-role/:name */
export const rotateRolePath = definePath({
  pattern: 'rotate-role/:name', fields: nameOnly, summary: 'Rotate a static role\'s password now.',
  operations: { update: async ({ storage, fields, clock, passwords }) => rotateStatic(storage, fields.name, clock.now(), passwords) },
});
