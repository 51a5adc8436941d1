// Dynamic users, static roles and rotate-root on the shared MariaDB, whose TCP logins check
// passwords: a revoked user and a replaced password stop working here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../../helpers/server.js';
import {
  CANARY, MYSQL_DSN, closeDatabaseServer, expectStatus, mysqlAdmin, mysqlLogin, startDatabaseServer, unique,
} from '../helpers.js';

let srv: TestServer;
const admin = unique('lbadm');
const adminPassword = `${CANARY}-adm`;
const appUser = unique('lbapp');
const table = unique('lb_rows');

before(async () => {
  srv = await startDatabaseServer();
  await mysqlAdmin(`CREATE TABLE ${table} (n int)`);
  await mysqlAdmin(`INSERT INTO ${table} VALUES (7)`);
  await mysqlAdmin('CREATE USER ?@? IDENTIFIED BY ?', [admin, '%', adminPassword]);
  await mysqlAdmin('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [admin, '%']);
  await mysqlAdmin('CREATE USER ?@? IDENTIFIED BY ?', [appUser, '%', 'initial-pw']);
  expectStatus(await srv.api('POST', 'database/config/my', {
    plugin_name: 'mysql-database-plugin', connection_url: MYSQL_DSN, username: admin, password: adminPassword, allowed_roles: '*',
  }), 204);
  expectStatus(await srv.api('POST', 'database/roles/reader', {
    db_name: 'my', default_ttl: '10m',
    creation_statements: [`CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'`, `GRANT SELECT ON test.${table} TO '{{name}}'@'%'`],
  }), 204);
});
after(async () => {
  await srv.api('PUT', 'sys/leases/revoke-prefix/database/creds');
  await mysqlAdmin('DROP USER IF EXISTS ?@?', [admin, '%']);
  await mysqlAdmin('DROP USER IF EXISTS ?@?', [appUser, '%']);
  await mysqlAdmin(`DROP TABLE ${table}`);
  await closeDatabaseServer(srv);
});

test('a MariaDB user logs in and reads what it was granted; after revoke it cannot log in', async () => {
  const creds = await srv.api('GET', 'database/creds/reader');
  expectStatus(creds, 200);
  const { username, password } = creds.body.data;
  assert.ok(username.startsWith('v-root-reader-') && username.length <= 32, username);
  assert.equal(await mysqlLogin(username, password, `SELECT n FROM test.${table}`), 'ok');
  assert.equal(await mysqlLogin(username, 'wrong-password'), 'ER_ACCESS_DENIED_ERROR');
  expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: creds.body.lease_id }), 204);
  assert.equal(await mysqlLogin(username, password), 'ER_ACCESS_DENIED_ERROR');
  assert.deepEqual(await mysqlAdmin('SELECT user FROM mysql.user WHERE user = ?', [username]), []);
  assert.ok(!srv.log().includes(password), 'a generated password reached the log');
});

test('a MariaDB error that quotes the password is told without it, in the reply and the log', async () => {
  const known = 'q'.repeat(24);
  expectStatus(await srv.api('PUT', 'sys/policies/password/known-my', { policy: 'length = 24\nrule "charset" {\n  charset = "q"\n}' }), 204);
  expectStatus(await srv.api('POST', 'database/roles/leaky', {
    db_name: 'my', credential_config: { password_policy: 'known-my' },
    creation_statements: [`CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'`, 'SELECT 1 FROM test.`{{password}}`'],
  }), 204);
  const r = await srv.api('GET', 'database/creds/leaky');
  expectStatus(r, 500);
  assert.match(r.body.errors[0], /^failed to create user: Table 'test\.\*\*\*\*\*' doesn't exist/);
  assert.ok(!JSON.stringify(r.body).includes(known) && !srv.log().includes(known));
  assert.deepEqual(await mysqlAdmin("SELECT user FROM mysql.user WHERE user LIKE 'v-root-leaky-%'"), []);
});

test('max_connection_lifetime closes a pooled MariaDB connection given back after it', async () => {
  const owner = unique('lblife');
  await mysqlAdmin('CREATE USER ?@? IDENTIFIED BY ?', [owner, '%', adminPassword]);
  await mysqlAdmin('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [owner, '%']);
  try {
    expectStatus(await srv.api('POST', 'database/config/my-life', {
      plugin_name: 'mysql-database-plugin', connection_url: MYSQL_DSN, username: owner, password: adminPassword,
      allowed_roles: '*', max_connection_lifetime: '1s',
    }), 204);
    expectStatus(await srv.api('POST', 'database/roles/life', { db_name: 'my-life', creation_statements: `CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'` }), 204);
    const sessions = async () => (await mysqlAdmin('SELECT count(*) AS n FROM information_schema.processlist WHERE user = ?', [owner]))[0]!.n;
    const first = await srv.api('GET', 'database/creds/life');
    expectStatus(first, 200);
    assert.equal(Number(await sessions()), 1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = await srv.api('GET', 'database/creds/life');
    expectStatus(second, 200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(Number(await sessions()), 0);
    for (const r of [first, second]) expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: r.body.lease_id }), 204);
    await srv.api('DELETE', 'database/roles/life');
    await srv.api('DELETE', 'database/config/my-life');
  } finally {
    await mysqlAdmin('DROP USER IF EXISTS ?@?', [owner, '%']);
  }
});

test('a failed MariaDB creation drops the half-made user', async () => {
  await srv.api('POST', 'database/roles/broken', {
    db_name: 'my', creation_statements: [`CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'`, 'GRANT SELECT ON test.no_such_table_y TO \'{{name}}\'@\'%\''],
  });
  const r = await srv.api('GET', 'database/creds/broken');
  expectStatus(r, 500);
  assert.match(r.body.errors[0], /^failed to create user: /);
  assert.deepEqual(await mysqlAdmin("SELECT user FROM mysql.user WHERE user LIKE 'v-root-broken-%'"), []);
});

test('a static role takes over a user; rotate-role makes the old password fail and the new one work', async () => {
  const write = await srv.api('POST', 'database/static-roles/app', { db_name: 'my', username: appUser, rotation_period: '1h' });
  expectStatus(write, 204);
  assert.equal(await mysqlLogin(appUser, 'initial-pw'), 'ER_ACCESS_DENIED_ERROR');
  const first = (await srv.api('GET', 'database/static-creds/app')).body.data;
  assert.equal(first.username, appUser);
  assert.equal(first.rotation_period, 3600);
  assert.ok(first.ttl > 3590 && first.ttl <= 3600);
  assert.equal(await mysqlLogin(appUser, first.password), 'ok');
  expectStatus(await srv.api('POST', 'database/rotate-role/app'), 204);
  const second = (await srv.api('GET', 'database/static-creds/app')).body.data;
  assert.notEqual(second.password, first.password);
  assert.equal(await mysqlLogin(appUser, first.password), 'ER_ACCESS_DENIED_ERROR');
  assert.equal(await mysqlLogin(appUser, second.password), 'ok');
  assert.ok(!srv.log().includes(first.password) && !srv.log().includes(second.password), 'a static password reached the log');
  const role = (await srv.api('GET', 'database/static-roles/app')).body.data;
  assert.deepEqual(Object.keys(role).sort(), ['credential_type', 'db_name', 'last_vault_rotation', 'rotation_period', 'rotation_statements', 'skip_import_rotation', 'username']);
  assert.equal(role.last_vault_rotation, second.last_vault_rotation);
});

test('static role settings Vault refuses are refused', async () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ db_name: 'my', rotation_period: 60 }, 'username is a required field to create a static account'],
    [{ db_name: 'my', username: appUser }, 'one of rotation_schedule or rotation_period must be provided to create a static account'],
    [{ db_name: 'my', username: appUser, rotation_period: 2 }, 'rotation_period must be 5 seconds or more'],
    [{ db_name: 'my', username: appUser, rotation_schedule: '0 * * * *', rotation_period: 60 }, 'mutually exclusive fields rotation_period and rotation_schedule were both specified; only one of them can be provided'],
    [{ db_name: 'my', username: appUser, rotation_period: 60, rotation_window: 3600 }, 'rotation_window is invalid with use of rotation_period'],
    [{ db_name: 'my', username: appUser, rotation_schedule: '0 * * * *', rotation_window: 60 }, 'rotation_window must be 3600 seconds (1 hour) or more'],
    [{ db_name: 'my', username: appUser, rotation_schedule: '0 * * *' }, 'invalid rotation_schedule: expected 5 fields (minute hour day-of-month month day-of-week)'],
    [{ db_name: 'nope', username: appUser, rotation_period: 60 }, 'failed to find entry for connection with name: "nope"'],
  ];
  for (const [body, message] of cases) assert.deepEqual((await srv.api('POST', 'database/static-roles/refused', body)).body.errors, [message]);
  await srv.api('POST', 'database/static-roles/app', { db_name: 'my', username: appUser, rotation_period: '1h' });
  assert.deepEqual((await srv.api('POST', 'database/static-roles/app', { username: 'someone-else' })).body.errors, ['cannot update static account username']);
  assert.deepEqual((await srv.api('POST', 'database/rotate-role/none')).body.errors, ['no static role found for role name']);
});

test('rotate-root leaves only the server knowing the password, and it keeps issuing users', async () => {
  expectStatus(await srv.api('POST', 'database/rotate-root/my'), 204);
  assert.equal(await mysqlLogin(admin, adminPassword), 'ER_ACCESS_DENIED_ERROR');
  const creds = await srv.api('GET', 'database/creds/reader');
  expectStatus(creds, 200);
  assert.equal(await mysqlLogin(creds.body.data.username, creds.body.data.password), 'ok');
  expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: creds.body.lease_id }), 204);
});
