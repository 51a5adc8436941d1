// roles/:name and roles/: the dynamic roles credentials are issued from.
import { BadRequest } from '../../../util/errors.js';
import { definePath, field, onlySent, type Handler } from '../../../core/path.js';
import type { PasswordGenerator } from '../../../core/password-policy.js';
import { roles, staticRoles, type Role } from '../store.js';

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
  creation_statements: field.stringList({ description: 'SQL that creates the user; {{name}}, {{password}}, {{expiration}}.', default: [] }),
  revocation_statements: field.stringList({ description: 'SQL that drops the user; the database\'s default when empty.', default: [] }),
  rollback_statements: field.stringList({ description: 'SQL that undoes a failed creation.', default: [] }),
  renew_statements: field.stringList({ description: 'SQL run when a lease is renewed; {{expiration}} is the new end.', default: [] }),
  default_ttl: field.duration({ description: 'Lease length when none is asked for; 0 = the mount\'s.', default: 0 }),
  max_ttl: field.duration({ description: 'Longest lease; 0 = the mount\'s.', default: 0 }),
  credential_type: field.string({ description: 'Only "password".', default: 'password' }),
  credential_config: field.keyValues({ description: 'Settings of the credential type: password_policy.', default: {} }),
};

const writeRole: Handler<typeof roleFields> = async ({ storage, fields, sent, operation, passwords }) => {
  const { name, ...input } = fields;
  const before = operation === 'update' ? await roles(storage).get(name) : undefined;
  mustBeUnique(await staticRoles(storage).get(name));
  const role: Role = { ...input, ...before, ...onlySent(input, sent) };
  // As in Vault: creation_statements may come later (creds refuses until then), and a
  // default_ttl above max_ttl is capped when a lease is made, not refused here.
  if (role.db_name === '') throw new BadRequest('database name is required');
  role.revocation_statements = role.revocation_statements.filter((s) => s !== '');
  checkCredentialType(role.credential_type);
  await checkCredentialConfig(role.credential_config, passwords);
  await roles(storage).put(name, role);
};

/** Vault keeps one namespace for dynamic and static roles: `other` is the role of the other kind. */
export function mustBeUnique(other: unknown): void {
  if (other !== undefined) throw new BadRequest('Role and Static Role names must be unique');
}

/** A role's fields as a read shows them: credential_config only when it holds something. */
export function withCredentialConfig<T extends { credential_config: Record<string, unknown> }>(role: T): Omit<T, 'credential_config'> & { credential_config?: Record<string, unknown> } {
  const { credential_config, ...rest } = role;
  return Object.keys(credential_config).length > 0 ? { ...rest, credential_config } : rest;
}

/** roles/:name */
export const rolePath = definePath({
  pattern: 'roles/:name',
  summary: 'Manage the roles dynamic credentials are issued from.',
  fields: roleFields,
  exists: async ({ storage, fields }) => (await roles(storage).get(fields.name)) !== undefined,
  operations: {
    read: async ({ storage, fields }) => {
      const role = await roles(storage).get(fields.name);
      return role && { data: withCredentialConfig(role) };
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
