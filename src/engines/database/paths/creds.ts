// creds/:name: a new database user per request, under a lease the expiration manager ends.
import { BadRequest } from '../../../util/errors.js';
import { definePath, field } from '../../../core/path.js';
import { connectionOf, driverOf, EngineFailure, storedConnection, talk } from '../connection.js';
import { mustAllow } from '../allowed-roles.js';
import { renderUsername } from '../username-template.js';
import { roles } from '../store.js';
import { policyOf } from './roles.js';
import { passwordForStatements } from '../scram.js';

/**
 * What a creds lease remembers, for renew and revoke. The revocation statements are kept as
 * they were at issue, so a user whose role was deleted is still dropped the way it asked (Vault
 * does the same); leases issued before they were kept have none and get the default.
 */
export type CredsInternal = { username: string; role: string; db_name: string; revocation_statements?: string[] };

/** Seconds a user's VALID UNTIL lies past its lease's end, as Vault adds. */
export const EXPIRATION_MARGIN = 5;

/** creds/:name */
export const credsPath = definePath({
  pattern: 'creds/:name',
  summary: 'Create a database user with its own password and lease.',
  fields: { name: field.name({ description: 'Name of the role.' }) },
  operations: {
    read: async ({ storage, fields, mount, defaults, caller, clock, passwords }) => {
      const role = await roles(storage).get(fields.name);
      if (!role) throw new BadRequest(`unknown role: ${fields.name}`);
      const config = await storedConnection(storage, role.db_name);
      mustAllow(config, fields.name);
      // Vault's plugins refuse here, not at role write: the statements may be added later.
      if (role.creation_statements.length === 0) throw new EngineFailure('empty creation statements');
      // The lease core will grant, so {{expiration}} and VALID UNTIL match it.
      const mountMax = mount.config.max_lease_ttl || defaults.maxLeaseTtl;
      const maxTtl = role.max_ttl ? Math.min(role.max_ttl, mountMax) : mountMax;
      const ttl = Math.min(role.default_ttl || mount.config.default_lease_ttl || defaults.defaultLeaseTtl, maxTtl);
      const now = clock.now();
      const driver = driverOf(config);
      const username = renderUsername(config.username_template || driver.defaultUsernameTemplate, {
        DisplayName: caller?.displayName ?? '', RoleName: fields.name, now: new Date(now),
      }).slice(0, driver.usernameLimit);
      const password = await passwords(policyOf(role.credential_config, config.password_policy));
      // As Vault: the user outlives its lease by 5 s, so it never expires before it is revoked.
      const expiration = new Date(now + (ttl + EXPIRATION_MARGIN) * 1000);
      // Under scram-sha-256 the statements get the verifier, never the password itself.
      const statementPassword = await passwordForStatements(config, password);
      await talk('failed to create user', [password, statementPassword, config.password], () =>
        connectionOf(config).createUser(role.creation_statements, role.rollback_statements, { username, password: statementPassword, expiration }));
      const internal: CredsInternal = { username, role: fields.name, db_name: role.db_name, revocation_statements: role.revocation_statements };
      return { data: { username, password }, secret: { ttl, maxTtl, renewable: true, internal } };
    },
  },
});
