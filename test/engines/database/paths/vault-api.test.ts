// Endpoints and fields checked against Vault's database API documentation: reload/:plugin_name,
// the MySQL DSN parameters honoured or refused, the template-variable and verification texts,
// a static role's fixed username, and CRON_TZ schedules; no password reaches a log or a reply.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../src/util/clock.js';
import type { TestServer } from '../../../helpers/server.js';
import { CANARY, MYSQL_DSN, PG_URL, closeDatabaseServer, expectStatus, pgAdmin, startDatabaseServer, unique } from '../helpers.js';

let srv: TestServer;
const clock = new ManualClock(Date.parse('2026-03-01T00:10:00Z'));
const staticUser = unique('lbapi_static');
const pg = { plugin_name: 'postgresql-database-plugin', connection_url: PG_URL, username: 'postgres', password: CANARY, allowed_roles: '*' };
const my = { plugin_name: 'mysql-database-plugin', connection_url: MYSQL_DSN, username: 'root', password: '', allowed_roles: '*' };

before(async () => {
  srv = await startDatabaseServer({ clock, logLevel: 'trace' });
  await pgAdmin(`CREATE ROLE ${staticUser} LOGIN PASSWORD 'initial'`);
  expectStatus(await srv.api('POST', 'database/config/pg', pg), 204);
});
after(async () => {
  await srv.api('DELETE', 'database/static-roles/svc');
  await pgAdmin(`DROP ROLE IF EXISTS ${staticUser}`);
  await closeDatabaseServer(srv);
});

test('reload/:plugin_name resets every connection of that plugin and names them', async () => {
  expectStatus(await srv.api('POST', 'database/config/pg2', pg), 204);
  expectStatus(await srv.api('POST', 'database/config/my', my), 204);
  const r = await srv.api('POST', 'database/reload/postgresql-database-plugin');
  expectStatus(r, 200);
  assert.deepEqual(r.body.data, { connections: ['pg', 'pg2'], count: 2 });
  const none = await srv.api('POST', 'database/reload/oracle-database-plugin');
  assert.deepEqual(none.body.data, { connections: [], count: 0 });
  // The connections work afterwards.
  expectStatus(await srv.api('POST', 'database/reset/pg2'), 204);
  await srv.api('DELETE', 'database/config/pg2');
});

test('MySQL DSN parameters: tls, charset, collation and timeout are honoured; no-op ones taken; others refused with 400', async () => {
  for (const query of ['charset=utf8mb4', 'collation=utf8mb4_general_ci', 'timeout=3s', 'parseTime=true&loc=UTC', 'tls=false', 'allowNativePasswords=true', 'multiStatements=true']) {
    const r = await srv.api('POST', 'database/config/my', { connection_url: `${MYSQL_DSN}?${query}` });
    expectStatus(r, 204);
    expectStatus(await srv.api('POST', 'database/reset/my'), 204);
  }
  // Refused at write even when the connection is not tried, so nothing unusable is stored.
  for (const [query, message] of [
    ['sql_mode=TRADITIONAL', 'unsupported parameter in connection_url: sql_mode'],
    ['readTimeout=5s', 'unsupported parameter in connection_url: readTimeout'],
    ['allowNativePasswords=false', 'unsupported parameter in connection_url: allowNativePasswords'],
    ['parseTime=yes', 'invalid bool value in connection_url: parseTime=yes'],
    ['timeout=soon', 'invalid timeout in connection_url: soon'],
    ['tls=custom', 'unsupported tls value in connection_url: custom'],
  ]) {
    const r = await srv.api('POST', 'database/config/my-bad', { ...my, connection_url: `${MYSQL_DSN}?${query}`, verify_connection: false });
    assert.deepEqual([r.status, r.body.errors], [400, [message]], query);
  }
  expectStatus(await srv.api('GET', 'database/config/my-bad'), 404);
});

test('a MySQL config reads back with Vault\'s top-level fields and no password', async () => {
  const { data } = (await srv.api('GET', 'database/config/my')).body;
  assert.deepEqual(Object.keys(data).sort(), [
    'allowed_roles', 'connection_details', 'disable_automated_rotation', 'password_policy', 'plugin_name', 'plugin_version',
    'root_credentials_rotate_statements', 'rotation_period', 'rotation_schedule', 'rotation_window', 'skip_static_role_import_rotation', 'verify_connection',
  ]);
  assert.equal('password' in data.connection_details, false);
  assert.equal('password_authentication' in data.connection_details, false);
});

test('template variables in username or password, and a failed verification, say what Vault says', async () => {
  const r = await srv.api('POST', 'database/config/tmpl', { ...pg, username: '{{username}}' });
  assert.deepEqual([r.status, r.body.errors], [400, ['error creating database object: username and/or password cannot contain the template variables']]);
  const p = await srv.api('POST', 'database/config/tmpl', { ...pg, password: `${CANARY}{{password}}` });
  expectStatus(p, 400);
  assert.ok(!JSON.stringify(p.body).includes(CANARY));
  const down = await srv.api('POST', 'database/config/tmpl', { ...pg, connection_url: 'postgresql://{{username}}:{{password}}@127.0.0.1:1/test' });
  expectStatus(down, 400);
  assert.match(down.body.errors[0], /^error creating database object: error verifying connection: /);
  assert.ok(!JSON.stringify(down.body).includes(CANARY));
});

test('a static role\'s username cannot change (Vault\'s text); other settings can', async () => {
  expectStatus(await srv.api('POST', 'database/static-roles/svc', { db_name: 'pg', username: staticUser, rotation_period: '1h' }), 204);
  const r = await srv.api('POST', 'database/static-roles/svc', { username: 'someone_else' });
  assert.deepEqual([r.status, r.body.errors], [400, ['cannot update static account username']]);
  // Sending the same username is not a change.
  expectStatus(await srv.api('POST', 'database/static-roles/svc', { username: staticUser, rotation_period: '2h' }), 204);
  const { data } = await srv.api('GET', 'database/static-roles/svc').then((r) => r.body);
  assert.deepEqual({ ...data, last_vault_rotation: typeof data.last_vault_rotation }, {
    db_name: 'pg', username: staticUser, rotation_period: 7200, rotation_statements: [], credential_type: 'password',
    last_vault_rotation: 'string', skip_import_rotation: false,
  });
});

test('a CRON_TZ schedule reads back as written and its TTL runs to the zone\'s wall-clock time', async () => {
  // 00:10 UTC on 1 March is 19:10 the day before in New York (UTC-5): 03:00 there is 08:00 UTC.
  expectStatus(await srv.api('POST', 'database/static-roles/svc', { rotation_schedule: 'CRON_TZ=America/New_York 0 3 * * *', rotation_window: '1h' }), 204);
  const role = (await srv.api('GET', 'database/static-roles/svc')).body.data;
  assert.deepEqual([role.rotation_schedule, role.rotation_window, 'rotation_period' in role], ['CRON_TZ=America/New_York 0 3 * * *', 3600, false]);
  const creds = (await srv.api('GET', 'database/static-creds/svc')).body.data;
  assert.equal(creds.ttl, 7 * 3600 + 50 * 60);
  const bad = await srv.api('POST', 'database/static-roles/svc', { rotation_schedule: 'CRON_TZ=Nowhere/Land 0 3 * * *' });
  assert.deepEqual([bad.status, bad.body.errors], [400, ['invalid rotation_schedule: unknown time zone "Nowhere/Land"']]);
  assert.ok(!srv.log().includes(creds.password), 'a static password reached the log');
});

test('statements as Vault\'s plugins take them: base64, a JSON list; PostgreSQL $$ and $tag$ bodies run whole', async () => {
  const create = `CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`;
  const roles: Record<string, string[]> = {
    'app-b64': [Buffer.from(`${create}; COMMENT ON ROLE "{{name}}" IS 'b64'`).toString('base64')],
    'app-json': [JSON.stringify([create, `COMMENT ON ROLE "{{name}}" IS 'json'`])],
    // A ';' followed by a space inside the body's string must reach the server as written:
    // a split statement would come back joined with ';\n'.
    'app-do': [`DO $$ BEGIN ${create}; EXECUTE 'COMMENT ON ROLE "{{name}}" IS ''do; it'''; END $$`],
    'app-tag': [`DO $body$ BEGIN ${create}; EXECUTE 'COMMENT ON ROLE "{{name}}" IS ''tag; it'''; END $body$`],
  };
  const comments: Record<string, string> = { 'app-b64': 'b64', 'app-json': 'json', 'app-do': 'do; it', 'app-tag': 'tag; it' };
  for (const [name, creation_statements] of Object.entries(roles)) {
    expectStatus(await srv.api('POST', `database/roles/${name}`, { db_name: 'pg', creation_statements, default_ttl: '10m' }), 204);
    const r = await srv.api('GET', `database/creds/${name}`);
    expectStatus(r, 200);
    const [row] = await pgAdmin<{ c: string }>(`SELECT shobj_description(oid, 'pg_authid') AS c FROM pg_roles WHERE rolname = $1`, [r.body.data.username]);
    assert.equal(row?.c, comments[name], name);
    expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: r.body.lease_id }), 204);
    await srv.api('DELETE', `database/roles/${name}`);
  }
});

test('a role\'s TTLs are capped by the mount\'s max_lease_ttl, and VALID UNTIL follows the capped lease', async () => {
  expectStatus(await srv.api('POST', 'sys/mounts/db-capped', { type: 'database', config: { max_lease_ttl: '30m' } }), 204);
  expectStatus(await srv.api('POST', 'db-capped/config/pg', pg), 204);
  expectStatus(await srv.api('POST', 'db-capped/roles/app', {
    db_name: 'pg', default_ttl: '1h', max_ttl: '24h',
    creation_statements: `CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`,
  }), 204);
  const r = await srv.api('GET', 'db-capped/creds/app');
  expectStatus(r, 200);
  assert.equal(r.body.lease_duration, 1800);
  const [row] = await pgAdmin<{ v: Date }>('SELECT rolvaliduntil AS v FROM pg_roles WHERE rolname = $1', [r.body.data.username]);
  assert.equal(row?.v.getTime(), Math.floor(clock.now() / 1000) * 1000 + 1805_000);
  const renew = await srv.api('PUT', 'sys/leases/renew', { lease_id: r.body.lease_id, increment: 3600 });
  assert.equal(renew.body.lease_duration, 1800);
  assert.deepEqual(renew.body.warnings, ['TTL of "1h0m0s" exceeded the effective max_ttl of "30m0s"; TTL value is capped accordingly']);
  assert.ok(!srv.log().includes(r.body.data.password), 'a generated password reached the log');
  expectStatus(await srv.api('DELETE', 'sys/mounts/db-capped'), 204);
});

test('sslinline in a keyword/value string is read too; PEM that cannot be read is a 400 quoting none of it', async () => {
  const pem = `-----BEGIN PRIVATE KEY-----${CANARY}-----END PRIVATE KEY-----`;
  const kw = await srv.api('POST', 'database/config/inline', {
    ...pg, connection_url: `host=127.0.0.1 dbname=test sslmode=require sslinline=true sslkey='${pem}'`, verify_connection: false,
  });
  assert.deepEqual([kw.status, kw.body.errors], [400, ['sslinline: a certificate or the key in connection_url cannot be read as PEM']]);
  expectStatus(await srv.api('GET', 'database/config/inline'), 404);
});
