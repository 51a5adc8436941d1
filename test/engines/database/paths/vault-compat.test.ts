// Behaviour Vault clients (hvac, Terraform's provider, Vault Agent) see from Vault's database
// engine, checked field by field against the shared PostgreSQL: allowed_roles globs, what a
// config read hides, one name space for both kinds of role, Vault's statuses and texts, and
// that no password (root or generated) reaches a log line or an error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../src/util/clock.js';
import type { TestServer } from '../../../helpers/server.js';
import {
  CANARY, PG_URL, closeDatabaseServer, expectStatus, pgAdmin, pgRoleExists, startDatabaseServer, unique,
} from '../helpers.js';

let srv: TestServer;
const clock = new ManualClock(Date.now());
const prefix = unique('lbc');
const audit = unique('lb_revoked');
const staticUser = unique('lbc_static');
// A policy whose every password is this one string, so a test can look for it.
const KNOWN = 'q'.repeat(24);

const pgConfig = (allowed: string | string[]) => ({
  plugin_name: 'postgresql-database-plugin', connection_url: PG_URL, username: 'postgres', password: CANARY,
  allowed_roles: allowed, username_template: `${prefix}-{{.RoleName}}-{{random 8 | lowercase}}`,
});
const createStatement = `CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`;

before(async () => {
  srv = await startDatabaseServer({ clock, logLevel: 'trace' });
  await pgAdmin(`CREATE TABLE ${audit} (name text)`);
  await pgAdmin(`CREATE ROLE ${staticUser} LOGIN PASSWORD 'initial'`);
  expectStatus(await srv.api('PUT', 'sys/policies/password/known', { policy: `length = 24\nrule "charset" {\n  charset = "q"\n}` }), 204);
  expectStatus(await srv.api('POST', 'database/config/pg', pgConfig(['app-*', 'exact', 'static-*'])), 204);
});
after(async () => {
  await srv.api('PUT', 'sys/leases/revoke-prefix/database/creds');
  for (const { rolname } of await pgAdmin<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [`${prefix}%`])) {
    await pgAdmin(`DROP ROLE "${rolname}"`);
  }
  await pgAdmin(`DROP ROLE IF EXISTS ${staticUser}`);
  await pgAdmin(`DROP TABLE ${audit}`);
  await closeDatabaseServer(srv);
});

/** Asserts a secret is in neither the server's log nor the given response bodies. */
function neverShown(secret: string, ...bodies: unknown[]): void {
  assert.ok(!srv.log().includes(secret), 'a password reached the log');
  for (const body of bodies) assert.ok(!JSON.stringify(body).includes(secret), `a password reached a response: ${JSON.stringify(body)}`);
}

test('allowed_roles entries are globs, as in Vault; a refused role is a 500 with Vault\'s text', async () => {
  for (const name of ['app-reader', 'exact', 'other', 'exact-not']) {
    expectStatus(await srv.api('POST', `database/roles/${name}`, { db_name: 'pg', creation_statements: createStatement }), 204);
  }
  const issued = await srv.api('GET', 'database/creds/app-reader');
  expectStatus(issued, 200);
  neverShown(issued.body.data.password);
  expectStatus(await srv.api('GET', 'database/creds/exact'), 200);
  for (const name of ['other', 'exact-not']) {
    const denied = await srv.api('GET', `database/creds/${name}`);
    assert.deepEqual([denied.status, denied.body.errors], [500, [`"${name}" is not an allowed role`]]);
  }
});

test('static-creds, like creds, answers only roles the connection allows', async () => {
  expectStatus(await srv.api('POST', 'database/static-roles/static-svc', { db_name: 'pg', username: staticUser, rotation_period: '1h' }), 204);
  const creds = await srv.api('GET', 'database/static-creds/static-svc');
  expectStatus(creds, 200);
  neverShown(creds.body.data.password);
  expectStatus(await srv.api('POST', 'database/config/pg', { allowed_roles: ['app-*', 'exact'] }), 204);
  // As in Vault, settings still change; only the credentials and rotations are refused.
  expectStatus(await srv.api('POST', 'database/static-roles/static-svc', { rotation_period: '2h' }), 204);
  const rotate = await srv.api('POST', 'database/rotate-role/static-svc');
  assert.deepEqual([rotate.status, rotate.body.errors], [500, ['unable to finish rotating credentials; retries will continue in the background but it is also safe to retry manually: "static-svc" is not an allowed role']]);
  const denied = await srv.api('GET', 'database/static-creds/static-svc');
  assert.deepEqual([denied.status, denied.body.errors], [500, ['"static-svc" is not an allowed role']]);
  assert.ok(!JSON.stringify(denied.body).includes(creds.body.data.password));
  expectStatus(await srv.api('POST', 'database/config/pg', { allowed_roles: ['app-*', 'exact', 'static-*'] }), 204);
});

test('a password written into connection_url is warned about at write and shown as xxxxx', async () => {
  const url = `postgresql://postgres:${CANARY}@127.0.0.1:5432/test?sslmode=disable`;
  const write = await srv.api('POST', 'database/config/literal', { plugin_name: 'postgresql-database-plugin', connection_url: url, username: 'postgres', allowed_roles: '*' });
  expectStatus(write, 200);
  assert.deepEqual(write.body.warnings, ['Password found in connection_url, use a templated url to enable root rotation and prevent read access to password information.']);
  const read = await srv.api('GET', 'database/config/literal');
  assert.equal(read.body.data.connection_details.connection_url, 'postgresql://postgres:xxxxx@127.0.0.1:5432/test?sslmode=disable');
  neverShown(CANARY, read.body);
  // With the password in the URL there is none to rotate: Vault's 500.
  const rotate = await srv.api('POST', 'database/rotate-root/literal');
  assert.deepEqual([rotate.status, rotate.body.errors], [500, ['unable to rotate root credentials: no password in configuration']]);
  // A MySQL DSN is redacted the same way; a templated one is left alone.
  const dsn = await srv.api('POST', 'database/config/my-literal', {
    plugin_name: 'mysql-database-plugin', connection_url: `root:${CANARY}@tcp(127.0.0.1:1)/test`, verify_connection: false,
  });
  assert.equal(dsn.body.warnings.length, 1);
  assert.equal((await srv.api('GET', 'database/config/my-literal')).body.data.connection_details.connection_url, 'root:xxxxx@tcp(127.0.0.1:1)/test');
  assert.equal((await srv.api('GET', 'database/config/pg')).body.data.connection_details.connection_url, PG_URL);
  await srv.api('DELETE', 'database/config/literal');
  await srv.api('DELETE', 'database/config/my-literal');
});

test('a keyword/value connection string, as Vault\'s PostgreSQL plugin takes, connects and issues users', async () => {
  expectStatus(await srv.api('POST', 'database/config/kv', {
    ...pgConfig('*'), connection_url: 'host=127.0.0.1 port=5432 user={{username}} password={{password}} dbname=test sslmode=disable',
  }), 204);
  expectStatus(await srv.api('POST', 'database/roles/app-kv', { db_name: 'kv', creation_statements: createStatement }), 204);
  const creds = await srv.api('GET', 'database/creds/app-kv');
  expectStatus(creds, 200);
  assert.ok(await pgRoleExists(creds.body.data.username));
  expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: creds.body.lease_id }), 204);
  const bad = await srv.api('POST', 'database/config/kv', { connection_url: `host=127.0.0.1 password='${CANARY}` });
  assert.deepEqual([bad.status, bad.body.errors], [400, ['connection_url is neither a URL nor a keyword/value string such as "host=db port=5432 user={{username}} password={{password}}"']]);
  await srv.api('DELETE', 'database/roles/app-kv');
  await srv.api('DELETE', 'database/config/kv');
});

test('MySQL\'s tls_certificate_key bundle is taken as the client certificate and key; its key is never shown', async () => {
  expectStatus(await srv.api('POST', 'sys/mounts/pki', { type: 'pki', config: { max_lease_ttl: '87600h' } }), 204);
  expectStatus(await srv.api('POST', 'pki/root/generate/internal', { common_name: 'Test Root', ttl: '87600h' }), 200);
  expectStatus(await srv.api('POST', 'pki/roles/client', { allow_any_name: true, max_ttl: '1h' }), 200);
  const issue = async () => (await srv.api('POST', 'pki/issue/client', { common_name: 'lockbox' })).body.data as { certificate: string; private_key: string };
  const [one, two] = [await issue(), await issue()];
  const base = { plugin_name: 'mysql-database-plugin', connection_url: '{{username}}:{{password}}@tcp(127.0.0.1:3306)/test', username: 'root', verify_connection: false };
  expectStatus(await srv.api('POST', 'database/config/my-tls', { ...base, tls_certificate_key: `${one.certificate}\n${one.private_key}` }), 204);
  const read = (await srv.api('GET', 'database/config/my-tls')).body.data.connection_details;
  assert.equal(read.tls_certificate, one.certificate);
  assert.ok(!JSON.stringify(read).includes('PRIVATE KEY'));
  for (const [bundle, message] of [
    [one.certificate, 'tls_certificate_key must hold a PEM certificate and its one private key'],
    [`${one.certificate}\n${two.private_key}`, 'tls_certificate_key: the private key does not match the certificate'],
  ]) {
    const r = await srv.api('POST', 'database/config/my-tls', { tls_certificate_key: bundle });
    assert.deepEqual([r.status, r.body.errors], [400, [message]]);
  }
  await srv.api('DELETE', 'database/config/my-tls');
});

test('max_open_connections 0 means Vault\'s default of 4', async () => {
  expectStatus(await srv.api('POST', 'database/config/pool', { ...pgConfig('*'), max_open_connections: 0 }), 204);
  assert.equal((await srv.api('GET', 'database/config/pool')).body.data.connection_details.max_open_connections, 4);
  await srv.api('DELETE', 'database/config/pool');
});

test('max_idle_connections bounds the connections kept open between requests', async () => {
  const owner = unique('lbc_pool');
  await pgAdmin(`CREATE ROLE ${owner} SUPERUSER LOGIN`);
  try {
    expectStatus(await srv.api('POST', 'database/config/idle', { ...pgConfig('*'), username: owner, max_open_connections: 4, max_idle_connections: 1 }), 204);
    expectStatus(await srv.api('POST', 'database/roles/app-idle', { db_name: 'idle', creation_statements: [createStatement, 'SELECT pg_sleep(0.2)'] }), 204);
    const issued = await Promise.all([1, 2, 3, 4].map(() => srv.api('GET', 'database/creds/app-idle')));
    for (const r of issued) expectStatus(r, 200);
    const open = async () => (await pgAdmin<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1', [owner]))[0]!.n;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await open(), 1);
    for (const r of issued) await srv.api('PUT', 'sys/leases/revoke', { lease_id: r.body.lease_id });
    await srv.api('DELETE', 'database/roles/app-idle');
    await srv.api('DELETE', 'database/config/idle');
  } finally {
    await pgAdmin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [owner]);
    await pgAdmin(`DROP ROLE ${owner}`);
  }
});

test('fields this server does not implement are refused when set, accepted when zero', async () => {
  for (const [key, value] of [['rotation_period', '24h'], ['rotation_schedule', '0 * * * *'], ['disable_automated_rotation', true], ['tls_skip_verify', true], ['auth_type', 'gcp_iam'], ['self_managed', true]] as const) {
    const r = await srv.api('POST', 'database/config/pg', { [key]: value });
    assert.deepEqual([r.status, r.body.errors], [400, [`unsupported parameters: ${key}`]]);
  }
  expectStatus(await srv.api('POST', 'database/config/pg', { rotation_period: 0, disable_automated_rotation: false }), 204);
  const skip = await srv.api('POST', 'database/static-roles/static-skip', { db_name: 'pg', username: staticUser, rotation_period: '1h', skip_import_rotation: true });
  assert.deepEqual([skip.status, skip.body.errors], [400, ['unsupported parameters: skip_import_rotation']]);
  // Terraform's password_wo reaches Vault 1.19+ as "password": the self-managed workflow.
  const own = await srv.api('POST', 'database/static-roles/static-own', { db_name: 'pg', username: staticUser, rotation_period: '1h', password: CANARY });
  assert.deepEqual([own.status, own.body.errors], [400, ['self-managed static roles are not supported']]);
});

test('statements sent as one string stay whole: commas inside SQL do not split them', async () => {
  // The Vault CLI sends creation_statements=@file.sql as one string.
  const sql = `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT, INSERT ON ${audit} TO "{{name}}";`;
  expectStatus(await srv.api('POST', 'database/roles/app-text', { db_name: 'pg', creation_statements: sql }), 204);
  assert.deepEqual((await srv.api('GET', 'database/roles/app-text')).body.data.creation_statements, [sql]);
  const creds = await srv.api('GET', 'database/creds/app-text');
  expectStatus(creds, 200);
  const grants = await pgAdmin<{ privilege_type: string }>('SELECT privilege_type FROM information_schema.role_table_grants WHERE grantee = $1 ORDER BY 1', [creds.body.data.username]);
  assert.deepEqual(grants.map((g) => g.privilege_type), ['INSERT', 'SELECT']);
  expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: creds.body.lease_id }), 204);
  await srv.api('DELETE', 'database/roles/app-text');
});

test('credential_config takes key=value text, as the Vault CLI sends it', async () => {
  expectStatus(await srv.api('POST', 'database/roles/app-kvconf', { db_name: 'pg', creation_statements: createStatement, credential_config: 'password_policy=known' }), 204);
  assert.deepEqual((await srv.api('GET', 'database/roles/app-kvconf')).body.data.credential_config, { password_policy: 'known' });
  const creds = await srv.api('GET', 'database/creds/app-kvconf');
  assert.equal(creds.body.data.password, KNOWN);
  expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: creds.body.lease_id }), 204);
  const bad = await srv.api('POST', 'database/roles/app-kvconf', { credential_config: 'password_policy' });
  assert.deepEqual([bad.status, bad.body.errors], [400, ['error converting input for field "credential_config": invalid key pair "password_policy"']]);
  await srv.api('DELETE', 'database/roles/app-kvconf');
});

test('a static role over a user the database lacks is refused with Vault\'s words, and not stored', async () => {
  const missing = unique('lbc_nobody');
  const r = await srv.api('POST', 'database/static-roles/static-missing', { db_name: 'pg', username: missing, rotation_period: '1h' });
  assert.deepEqual([r.status, r.body.errors], [500, [`error setting credentials: role "${missing}" does not exist`]]);
  expectStatus(await srv.api('GET', 'database/static-roles/static-missing'), 404);
});

test('dynamic and static roles share one name space', async () => {
  const dynamic = await srv.api('POST', 'database/roles/static-svc', { db_name: 'pg', creation_statements: createStatement });
  assert.deepEqual([dynamic.status, dynamic.body.errors], [400, ['Role and Static Role names must be unique']]);
  const staticWrite = await srv.api('POST', 'database/static-roles/exact', { db_name: 'pg', username: staticUser, rotation_period: '1h' });
  assert.deepEqual([staticWrite.status, staticWrite.body.errors], [400, ['Role and Static Role names must be unique']]);
});

test('a role may be written before its creation statements; default_ttl above max_ttl is capped', async () => {
  expectStatus(await srv.api('POST', 'database/roles/app-later', { db_name: 'pg', default_ttl: '2h', max_ttl: '1h' }), 204);
  const early = await srv.api('GET', 'database/creds/app-later');
  assert.deepEqual([early.status, early.body.errors], [500, ['empty creation statements']]);
  expectStatus(await srv.api('POST', 'database/roles/app-later', { creation_statements: createStatement }), 204);
  const creds = await srv.api('GET', 'database/creds/app-later');
  expectStatus(creds, 200);
  assert.equal(creds.body.lease_duration, 3600);
  const { data } = (await srv.api('GET', 'database/roles/app-later')).body;
  assert.deepEqual([data.default_ttl, data.max_ttl, 'credential_config' in data], [7200, 3600, false]);
});

test('a missing connection is Vault\'s 500 with its text', async () => {
  expectStatus(await srv.api('POST', 'database/roles/app-orphan', { db_name: 'gone', creation_statements: createStatement }), 204);
  for (const [method, path] of [['GET', 'database/creds/app-orphan'], ['POST', 'database/reset/gone'], ['POST', 'database/rotate-root/gone']]) {
    const r = await srv.api(method!, path!);
    assert.deepEqual([r.status, r.body.errors], [500, ['failed to find entry for connection with name: "gone"']], path);
  }
});

test('a deleted role\'s lease is revoked with the statements it was issued under, and not renewed', async () => {
  expectStatus(await srv.api('POST', 'database/roles/app-audited', {
    db_name: 'pg', creation_statements: createStatement,
    revocation_statements: [`INSERT INTO ${audit} VALUES ('{{name}}')`, 'DROP ROLE "{{name}}"'],
  }), 204);
  const creds = await srv.api('GET', 'database/creds/app-audited');
  expectStatus(creds, 200);
  expectStatus(await srv.api('DELETE', 'database/roles/app-audited'), 204);
  const renew = await srv.api('PUT', 'sys/leases/renew', { lease_id: creds.body.lease_id, increment: 600 });
  assert.deepEqual([renew.status, renew.body.errors], [500, ['error during renew: could not find role with name "app-audited"']]);
  expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: creds.body.lease_id }), 204);
  assert.equal(await pgRoleExists(creds.body.data.username), false);
  assert.deepEqual(await pgAdmin(`SELECT name FROM ${audit}`), [{ name: creds.body.data.username }]);
});

test('a scheduled role whose window was missed shows the time to its next window, as Vault does', async () => {
  const HOUR = 3_600_000;
  clock.advance(24 * HOUR - (clock.now() % (24 * HOUR)) + 10 * 60_000); // 00:10 UTC
  expectStatus(await srv.api('POST', 'database/static-roles/static-cron', {
    db_name: 'pg', username: staticUser, rotation_schedule: '0 3 * * *', rotation_window: '1h',
  }), 204);
  clock.advance(24 * HOUR + 110 * 60_000); // next day 02:00, past the first day's window
  const { data } = (await srv.api('GET', 'database/static-creds/static-cron')).body;
  assert.equal(data.ttl, 3600);
  await srv.api('DELETE', 'database/static-roles/static-cron');
});

test('a failed rotation says so in Vault\'s words, and no password shows in errors or the log', async () => {
  // Statements whose PostgreSQL error quotes the password: the engine must remove it.
  const leaky = [`SELECT '{{password}}'::int`];
  expectStatus(await srv.api('POST', 'database/config/pg', { password_policy: 'known' }), 204);
  expectStatus(await srv.api('POST', 'database/static-roles/static-svc', { rotation_statements: leaky }), 204);
  const rotate = await srv.api('POST', 'database/rotate-role/static-svc');
  expectStatus(rotate, 500);
  assert.match(rotate.body.errors[0], /^unable to finish rotating credentials; retries will continue in the background but it is also safe to retry manually: error setting credentials: invalid input syntax for type integer/);
  expectStatus(await srv.api('POST', 'database/roles/app-leaky', { db_name: 'pg', creation_statements: [createStatement, ...leaky] }), 204);
  const creds = await srv.api('GET', 'database/creds/app-leaky');
  assert.match(creds.body.errors[0], /^failed to create user: invalid input syntax for type integer/);
  expectStatus(await srv.api('POST', 'database/config/pg', { root_rotation_statements: leaky }), 204);
  const root = await srv.api('POST', 'database/rotate-root/pg');
  assert.match(root.body.errors[0], /^failed to update user: invalid input syntax for type integer/);
  neverShown(KNOWN, rotate.body, creds.body, root.body);
  neverShown(CANARY, rotate.body, creds.body, root.body);
  expectStatus(await srv.api('POST', 'database/config/pg', { password_policy: '', root_rotation_statements: [] }), 204);
  await srv.api('DELETE', 'database/static-roles/static-svc');
});
