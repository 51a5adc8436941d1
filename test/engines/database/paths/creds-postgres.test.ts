// Dynamic PostgreSQL users on the shared server: creation with the role's grants, renew moving
// VALID UNTIL, and every way a lease ends dropping the user. Login refusal after revocation is
// shown on a password-auth cluster in password-auth.test.ts; here the user simply no longer exists.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../src/util/clock.js';
import type { TestServer } from '../../../helpers/server.js';
import {
  CANARY, PG_URL, closeDatabaseServer, expectStatus, pgAdmin, pgRoleExists, startDatabaseServer, unique,
} from '../helpers.js';

let srv: TestServer;
const clock = new ManualClock(Date.now());
const table = unique('lb_items');
const prefix = unique('lbt');

before(async () => {
  srv = await startDatabaseServer({ clock });
  await pgAdmin(`CREATE TABLE ${table} (n int); INSERT INTO ${table} VALUES (42)`);
  expectStatus(await srv.api('POST', 'database/config/pg', {
    plugin_name: 'postgresql-database-plugin', connection_url: PG_URL, username: 'postgres', password: CANARY,
    allowed_roles: ['reader', 'broken', 'short'], username_template: `${prefix}-{{.RoleName}}-{{random 8 | lowercase}}`,
  }), 204);
  expectStatus(await srv.api('POST', 'database/roles/reader', {
    db_name: 'pg', default_ttl: '1h', max_ttl: '24h',
    creation_statements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON ${table} TO "{{name}}";`],
  }), 204);
});
after(async () => {
  await srv.api('PUT', 'sys/leases/revoke-prefix/database/creds');
  for (const { rolname } of await pgAdmin<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [`${prefix}%`])) {
    await pgAdmin(`DROP ROLE "${rolname}"`);
  }
  await pgAdmin(`DROP TABLE ${table}`);
  await closeDatabaseServer(srv);
});

const issue = async (role = 'reader') => {
  const r = await srv.api('GET', `database/creds/${role}`);
  expectStatus(r, 200);
  return r.body as { lease_id: string; lease_duration: number; renewable: boolean; data: { username: string; password: string } };
};

const validUntil = async (name: string) =>
  (await pgAdmin<{ v: Date }>('SELECT rolvaliduntil AS v FROM pg_roles WHERE rolname = $1', [name]))[0]?.v.getTime();

test('creds make a user who can SELECT what the role granted, under a renewable lease', async () => {
  const creds = await issue();
  assert.match(creds.lease_id, /^database\/creds\/reader\/\w+$/);
  assert.equal(creds.lease_duration, 3600);
  assert.equal(creds.renewable, true);
  assert.match(creds.data.username, new RegExp(`^${prefix}-reader-[a-z0-9]{8}$`));
  assert.equal(creds.data.password.length, 20);
  const rows = await pgAdminAs(creds.data.username, `SELECT n FROM ${table}`);
  assert.deepEqual(rows, [{ n: 42 }]);
  // VALID UNTIL is the lease's end and Vault's 5 s margin.
  assert.equal(await validUntil(creds.data.username), Math.floor(clock.now() / 1000) * 1000 + 3605_000);
});

/** Runs SQL as a generated user (the shared server trusts the login; the grants still apply). */
async function pgAdminAs(user: string, sql: string) {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ host: '127.0.0.1', port: 5432, user, database: 'test' });
  await c.connect();
  try { return (await c.query(sql)).rows; } finally { await c.end(); }
}

test('renew moves VALID UNTIL to the new end of the lease', async () => {
  const creds = await issue();
  clock.advance(600_000);
  const renew = await srv.api('PUT', 'sys/leases/renew', { lease_id: creds.lease_id, increment: 7200 });
  expectStatus(renew, 200);
  assert.equal(renew.body.lease_duration, 7200);
  assert.equal(await validUntil(creds.data.username), Math.floor(clock.now() / 1000) * 1000 + 7205_000);
});

test('renew is capped by the role\'s max_ttl with Vault\'s warning; at the cap VALID UNTIL stays', async () => {
  const creds = await issue();
  // Kept alive past its 1 h default (an expired lease is refused renewal, as in Vault).
  expectStatus(await srv.api('PUT', 'sys/leases/renew', { lease_id: creds.lease_id, increment: 84600 }), 200);
  clock.advance(23 * 3600_000);
  // 1 h left of the role's 24 h max_ttl: asking for 2 h gets 1 h and the warning.
  const capped = await srv.api('PUT', 'sys/leases/renew', { lease_id: creds.lease_id, increment: 7200 });
  expectStatus(capped, 200);
  assert.equal(capped.body.lease_duration, 3600);
  assert.deepEqual(capped.body.warnings, ['TTL of "2h0m0s" exceeded the effective max_ttl of "1h0m0s"; TTL value is capped accordingly']);
  assert.equal(await validUntil(creds.data.username), Math.floor(clock.now() / 1000) * 1000 + 3605_000);
  // A renew without increment takes the role's default_ttl (1 h), which is what is left.
  const plain = await srv.api('PUT', 'sys/leases/renew', { lease_id: creds.lease_id });
  expectStatus(plain, 200);
  assert.equal(plain.body.lease_duration, 3600);
  clock.advance(3600_000);
  // At the cap nothing is left to grant: lease_duration 0, and the user's end is not moved.
  // A marker no renew would write shows whether the renew touched VALID UNTIL at all.
  const marker = Date.UTC(2099, 0, 1);
  await pgAdmin(`ALTER ROLE "${creds.data.username}" VALID UNTIL '2099-01-01 00:00:00+00'`);
  assert.equal(await validUntil(creds.data.username), marker);
  const atCap = await srv.api('PUT', 'sys/leases/renew', { lease_id: creds.lease_id, increment: 60 });
  expectStatus(atCap, 200);
  assert.equal(atCap.body.lease_duration, 0);
  assert.deepEqual(atCap.body.warnings, ['TTL of "1m0s" exceeded the effective max_ttl of "0s"; TTL value is capped accordingly']);
  assert.equal(await validUntil(creds.data.username), marker);
  await srv.api('PUT', 'sys/leases/revoke', { lease_id: creds.lease_id });
});

test('an explicit revoke drops the user', async () => {
  const creds = await issue();
  assert.ok(await pgRoleExists(creds.data.username));
  expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: creds.lease_id }), 204);
  assert.equal(await pgRoleExists(creds.data.username), false);
});

test('an expired lease drops the user', async () => {
  expectStatus(await srv.api('POST', 'database/roles/short', {
    db_name: 'pg', default_ttl: 60, creation_statements: `CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}'`,
  }), 204);
  const creds = await issue('short');
  assert.equal(creds.lease_duration, 60);
  clock.advance(61_000);
  await srv.core.unsealed.expiration.tick();
  assert.equal(await pgRoleExists(creds.data.username), false);
  expectStatus(await srv.api('PUT', 'sys/leases/lookup', { lease_id: creds.lease_id }), 400);
});

test('revoking the token that asked for the creds drops the user', async () => {
  const child = await srv.api('POST', 'auth/token/create', { policies: ['root'] });
  srv.useToken(child.body.auth.client_token);
  const creds = await issue();
  srv.useToken(srv.rootToken);
  assert.ok(await pgRoleExists(creds.data.username));
  expectStatus(await srv.api('POST', 'auth/token/revoke', { token: child.body.auth.client_token }), 204);
  assert.equal(await pgRoleExists(creds.data.username), false);
});

test('a failed creation leaves no user behind and says why without the password', async () => {
  expectStatus(await srv.api('POST', 'database/roles/broken', {
    db_name: 'pg', creation_statements: [`CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}'`, 'GRANT SELECT ON no_such_table_x TO "{{name}}"'],
  }), 204);
  const before = await pgAdmin('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [`${prefix}-broken%`]);
  const r = await srv.api('GET', 'database/creds/broken');
  expectStatus(r, 500);
  assert.match(r.body.errors[0], /^failed to create user: relation "no_such_table_x" does not exist/);
  assert.deepEqual(await pgAdmin('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [`${prefix}-broken%`]), before);
});

test('roles outside allowed_roles, unknown roles and bad role settings are refused', async () => {
  await srv.api('POST', 'database/roles/other', { db_name: 'pg', creation_statements: 'SELECT 1' });
  const denied = await srv.api('GET', 'database/creds/other');
  // Vault answers this with 500, its status for an engine's own error.
  assert.deepEqual([denied.status, denied.body.errors], [500, ['"other" is not an allowed role']]);
  assert.deepEqual((await srv.api('GET', 'database/creds/nobody')).body.errors, ['unknown role: nobody']);
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ creation_statements: 'SELECT 1' }, 'database name is required'],
    [{ db_name: 'pg', creation_statements: 'SELECT 1', credential_type: 'rsa_private_key' }, 'unsupported credential_type: "rsa_private_key" is not supported by this database plugin'],
  ];
  for (const [body, message] of cases) assert.deepEqual((await srv.api('POST', 'database/roles/bad', body)).body.errors, [message]);
});

test('a role reads back with Vault\'s fields and lists', async () => {
  const { data } = (await srv.api('GET', 'database/roles/reader')).body;
  assert.deepEqual(Object.keys(data).sort(), [
    'creation_statements', 'credential_type', 'db_name', 'default_ttl', 'max_ttl',
    'renew_statements', 'revocation_statements', 'rollback_statements',
  ]);
  assert.deepEqual([data.default_ttl, data.max_ttl, data.credential_type], [3600, 86400, 'password']);
  assert.ok((await srv.api('LIST', 'database/roles')).body.data.keys.includes('reader'));
});

test('disabling the mount drops its users', async () => {
  await srv.api('POST', 'sys/mounts/db2', { type: 'database' });
  await srv.api('POST', 'db2/config/pg', { plugin_name: 'postgresql-database-plugin', connection_url: PG_URL, username: 'postgres', password: CANARY, allowed_roles: '*', username_template: `${prefix}-m-{{random 6}}` });
  await srv.api('POST', 'db2/roles/r', { db_name: 'pg', creation_statements: `CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}'` });
  const creds = (await srv.api('GET', 'db2/creds/r')).body.data;
  assert.ok(await pgRoleExists(creds.username));
  expectStatus(await srv.api('DELETE', 'sys/mounts/db2'), 204);
  assert.equal(await pgRoleExists(creds.username), false);
});

test('revoking a user someone already dropped succeeds: revocation is idempotent', async () => {
  const creds = await issue();
  await pgAdmin(`DROP OWNED BY "${creds.data.username}"; DROP ROLE "${creds.data.username}"`);
  expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: creds.lease_id }), 204);
  expectStatus(await srv.api('PUT', 'sys/leases/lookup', { lease_id: creds.lease_id }), 400);
});

test('a password policy on the connection, or on the role, shapes generated passwords', async () => {
  const digits = 'length = 24\nrule "charset" {\n  charset = "0123456789"\n  min-chars = 24\n}';
  const letters = 'length = 30\nrule "charset" {\n  charset = "xyz"\n}';
  expectStatus(await srv.api('PUT', 'sys/policies/password/digits', { policy: digits }), 204);
  expectStatus(await srv.api('PUT', 'sys/policies/password/letters', { policy: letters }), 204);
  expectStatus(await srv.api('POST', 'database/config/pg', { password_policy: 'digits' }), 204);
  const fromConnection = await issue();
  assert.match(fromConnection.data.password, /^\d{24}$/);
  expectStatus(await srv.api('POST', 'database/roles/short', { credential_config: { password_policy: 'letters' } }), 204);
  assert.match((await issue('short')).data.password, /^[xyz]{30}$/);
  const missing = await srv.api('POST', 'database/roles/short', { credential_config: { password_policy: 'absent' } });
  assert.deepEqual(missing.body.errors, ['unable to generate password: password policy "absent" not found']);
  expectStatus(await srv.api('POST', 'database/config/pg', { password_policy: '' }), 204);
});
