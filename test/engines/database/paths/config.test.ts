// config/:name, reset and the checks on connection settings, against the shared PostgreSQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../../helpers/server.js';
import { CANARY, PG_URL, closeDatabaseServer, expectStatus, startDatabaseServer } from '../helpers.js';

let srv: TestServer;
before(async () => { srv = await startDatabaseServer(); });
after(async () => closeDatabaseServer(srv));

const pgConfig = { plugin_name: 'postgresql-database-plugin', connection_url: PG_URL, username: 'postgres', password: CANARY, allowed_roles: 'a,b' };

test('a connection reads back without its password, with Vault\'s shape', async () => {
  expectStatus(await srv.api('POST', 'database/config/pg', pgConfig), 204);
  const read = await srv.api('GET', 'database/config/pg');
  expectStatus(read, 200);
  assert.ok(!JSON.stringify(read.body).includes(CANARY));
  assert.deepEqual(read.body.data, {
    plugin_name: 'postgresql-database-plugin', plugin_version: '', allowed_roles: ['a', 'b'],
    connection_details: {
      connection_url: PG_URL, username: 'postgres', max_open_connections: 4, max_idle_connections: 0,
      max_connection_lifetime: '0s', disable_escaping: false, password_authentication: 'password',
    },
    root_credentials_rotate_statements: [], password_policy: '', verify_connection: true,
    skip_static_role_import_rotation: false, rotation_period: 0, rotation_schedule: '', rotation_window: 0, disable_automated_rotation: false,
  });
  assert.deepEqual((await srv.api('LIST', 'database/config')).body.data.keys, ['pg']);
});

test('an update changes only what it sends and keeps the password', async () => {
  await srv.api('POST', 'database/config/keep', pgConfig);
  expectStatus(await srv.api('POST', 'database/config/keep', { allowed_roles: ['*'], max_open_connections: 2 }), 204);
  const { data } = (await srv.api('GET', 'database/config/keep')).body;
  assert.deepEqual([data.allowed_roles, data.connection_details.max_open_connections, data.connection_details.username], [['*'], 2, 'postgres']);
  expectStatus(await srv.api('POST', 'database/reset/keep'), 204);
});

test('a connection that cannot log in is refused with a message that names no credential', async () => {
  const bad = await srv.api('POST', 'database/config/down', {
    ...pgConfig, connection_url: `postgresql://{{username}}:{{password}}@127.0.0.1:1/test`,
  });
  expectStatus(bad, 400);
  assert.match(bad.body.errors[0], /^error creating database object: error verifying connection: /);
  assert.ok(!JSON.stringify(bad.body).includes(CANARY));
  expectStatus(await srv.api('GET', 'database/config/down'), 404);
  // verify_connection=false stores it anyway, as Vault does.
  expectStatus(await srv.api('POST', 'database/config/down', { ...pgConfig, connection_url: 'postgresql://{{username}}:{{password}}@127.0.0.1:1/test', verify_connection: false }), 204);
  expectStatus(await srv.api('POST', 'database/reset/down'), 500);
});

test('bad settings are refused before anything is stored', async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...pgConfig, plugin_name: '' }, /empty plugin name/],
    [{ ...pgConfig, plugin_name: 'oracle-database-plugin' }, /unknown plugin_name/],
    [{ ...pgConfig, password_policy: 'strong' }, /^unable to generate password: password policy "strong" not found$/],
    [{ ...pgConfig, username_template: '{{ nope 3 }}' }, /function "nope" not defined/],
    [{ ...pgConfig, max_open_connections: -1 }, /max_open_connections cannot be negative/],
    [{ ...pgConfig, connection_url: '' }, /connection_url/],
    [{ ...pgConfig, password_authentication: 'md5' }, /^error creating database object: 'md5' is not a valid password authentication type$/],
  ];
  for (const [body, message] of cases) {
    const r = await srv.api('POST', 'database/config/refused', body);
    expectStatus(r, 400);
    assert.match(r.body.errors[0], message);
  }
  expectStatus(await srv.api('GET', 'database/config/refused'), 404);
});

test('a deleted connection is gone', async () => {
  await srv.api('POST', 'database/config/gone', pgConfig);
  expectStatus(await srv.api('DELETE', 'database/config/gone'), 204);
  expectStatus(await srv.api('GET', 'database/config/gone'), 404);
});

test('sslinline=true keeps {{username}}/{{password}} in the query fillable', async () => {
  // The templates sit in the query here; the inline TLS pairs are taken out around them.
  const connection_url = 'postgresql://127.0.0.1:5432/test?user={{username}}&password={{password}}&sslinline=true&sslmode=disable';
  expectStatus(await srv.api('POST', 'database/config/inline-q', { ...pgConfig, connection_url }), 204);
  expectStatus(await srv.api('DELETE', 'database/config/inline-q'), 204);
});

test('sslmode=prefer and allow connect to a server without TLS in plain text, as libpq does', async () => {
  // The shared PostgreSQL has no TLS: prefer falls back to plain text, allow starts there.
  for (const mode of ['prefer', 'allow']) {
    const connection_url = `postgresql://{{username}}:{{password}}@127.0.0.1:5432/test?sslmode=${mode}`;
    expectStatus(await srv.api('POST', `database/config/${mode}`, { ...pgConfig, connection_url, allowed_roles: '*' }), 204);
    expectStatus(await srv.api('POST', `database/roles/${mode}`, { db_name: mode, creation_statements: `CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}'` }), 204);
    const creds = await srv.api('GET', `database/creds/${mode}`);
    expectStatus(creds, 200);
    expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: creds.body.lease_id }), 204);
    expectStatus(await srv.api('DELETE', `database/roles/${mode}`), 204);
    expectStatus(await srv.api('DELETE', `database/config/${mode}`), 204);
  }
});

test('TLS settings are read at write even without verification: a bad one is a 400, naming no secret', async () => {
  const base = 'postgresql://{{username}}:{{password}}@127.0.0.1:5432/test?';
  const write = (query: string, extra: Record<string, unknown> = {}) =>
    srv.api('POST', 'database/config/tlsbad', { ...pgConfig, connection_url: base + query, verify_connection: false, ...extra });
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['sslmode=sometimes', {}, 'unsupported sslmode in connection_url: sometimes'],
    ['sslmode=verify-full&sslrootcert=/nonexistent/ca.pem', {}, 'cannot read the sslrootcert file named in connection_url'],
    ['sslmode=require&sslcrl=/tmp/crl.pem', {}, 'unsupported TLS parameter in connection_url: sslcrl'],
    ['sslmode=require&sslcrldir=/tmp', {}, 'unsupported TLS parameter in connection_url: sslcrldir'],
    [`sslmode=require&sslpassword=${CANARY}`, {}, 'unsupported TLS parameter in connection_url: sslpassword'],
    ['sslmode=require&sslinline=true', { tls_ca: 'x' }, 'sslinline=true in connection_url cannot be combined with tls_ca, tls_certificate or private_key'],
    ['sslmode=require&sslinline=true', { private_key: CANARY }, 'sslinline=true in connection_url cannot be combined with tls_ca, tls_certificate or private_key'],
  ];
  for (const [query, extra, error] of cases) {
    const r = await write(query, extra);
    assert.deepEqual([r.status, r.body.errors], [400, [error]], query);
  }
  expectStatus(await srv.api('GET', 'database/config/tlsbad'), 404);
});
