// roles/:name and roles/: the dynamic roles credentials are issued from.
import { BadRequest } from '../../../util/errors.js';
import { definePath, field, onlySent, type Handler } from '../../../core/path.js';
import type { PasswordGenerator } from '../../../core/password-policy.js';
import { roles, type Role } from '../store.js';

/** Vault's credential types; only passwords are issued by these plugins. */
export function checkCredentialType(type: string): void {
  if (type === 'password') return;
  if (type === 'rsa_private_key' || type === 'client_certificate') {
    throw new BadRequest(`unsupported credential_type: "${type}" is not supported by this database plugin`);
  }
  throw new BadRequest(`invalid credential_type "${type}"`);
}

/** credential_config for passwords may name only a password_policy, which must exist. */
export async function checkCredentialConfig(config: Record<string, unknown>, passwords: PasswordGenerator): Promise<void> {
  for (const [key, value] of Object.entries(config)) {
    if (key !== 'password_policy') throw new BadRequest(`invalid credential_config key "${key}" for credential_type "password"`);
    if (typeof value !== 'string') throw new BadRequest('credential_config.password_policy must be a string');
    await passwords(value);
  }
}

/** The password policy a role names, else its connection's ('' = the default policy). */
export const policyOf = (credentialConfig: Record<string, unknown>, connectionPolicy: string): string =>
  typeof credentialConfig.password_policy === 'string' && credentialConfig.password_policy !== '' ? credentialConfig.password_policy : connectionPolicy;

const roleFields = {
  name: field.name({ description: 'Name of the role.' }),
  db_name: field.string({ description: 'Connection (config/<name>) users are created on.' }),
  creation_statements: field.strings({ description: 'SQL that creates the user; {{name}}, {{password}}, {{expiration}}.', default: [] }),
  revocation_statements: field.strings({ description: 'SQL that drops the user; the database\'s default when empty.', default: [] }),
  rollback_statements: field.strings({ description: 'SQL that undoes a failed creation.', default: [] }),
  renew_statements: field.strings({ description: 'SQL run when a lease is renewed; {{expiration}} is the new end.', default: [] }),
  default_ttl: field.duration({ description: 'Lease length when none is asked for; 0 = the mount\'s.', default: 0 }),
  max_ttl: field.duration({ description: 'Longest lease; 0 = the mount\'s.', default: 0 }),
  credential_type: field.string({ description: 'Only "password".', default: 'password' }),
  credential_config: field.object({ description: 'Settings of the credential type.', default: {} }),
};

const writeRole: Handler<typeof roleFields> = async ({ storage, fields, sent, operation, passwords }) => {
  const { name, ...input } = fields;
  const before = operation === 'update' ? await roles(storage).get(name) : undefined;
  const role: Role = { ...input, ...before, ...onlySent(input, sent) };
  if (role.db_name === '') throw new BadRequest('empty database name attribute');
  if (role.creation_statements.length === 0) throw new BadRequest('empty creation statements');
  checkCredentialType(role.credential_type);
  await checkCredentialConfig(role.credential_config, passwords);
  if (role.max_ttl !== 0 && role.default_ttl > role.max_ttl) throw new BadRequest('ttl cannot be greater than max_ttl');
  await roles(storage).put(name, role);
};

/** roles/:name */
export const rolePath = definePath({
  pattern: 'roles/:name',
  summary: 'Manage the roles dynamic credentials are issued from.',
  fields: roleFields,
  exists: async ({ storage, fields }) => (await roles(storage).get(fields.name)) !== undefined,
  operations: {
    read: async ({ storage, fields }) => {
      const role = await roles(storage).get(fields.name);
      return role && { data: { ...role } };
    },
    create: writeRole,
    update: writeRole,
    delete: async ({ storage, fields }) => roles(storage).delete(fields.name),
  },
});

/** roles/ */
export const roleListPath = definePath({
  pattern: 'roles/', fields: {}, summary: 'List dynamic role names.',
  operations: { list: async ({ storage }) => ({ data: { keys: await roles(storage).list() } }) },
});
