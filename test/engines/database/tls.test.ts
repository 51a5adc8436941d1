// PostgreSQL over TLS on a throwaway cluster with its own CA: sslmode means what it means to
// libpq and Vault's pgx (require encrypts without verifying; verify-full checks the CA and the
// name), and sslinline=true takes the CA, client certificate and key as PEM inside
// connection_url, so a user may log in by certificate alone. The key is never shown.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import { CANARY, closeDatabaseServer, expectStatus, pgAdmin, startDatabaseServer } from './helpers.js';
import { startScramCluster, type ClusterTls, type ScramCluster } from './scram-cluster.js';

let srv: TestServer;
let db: ScramCluster;
let tls: ClusterTls;
const ROOT = 'lockbox_tls_root';
const ROOT_PASSWORD = `${CANARY}-tls-root`;
const admin = (sql: string) => pgAdmin(sql, [], db.port, db.password);
const url = (query: string) => `postgresql://{{username}}:{{password}}@127.0.0.1:${db.port}/postgres?${query}`;
const inline = (mode: string, pems: Record<string, string>) =>
  url(`sslmode=${mode}&sslinline=true${Object.entries(pems).map(([k, v]) => `&${k}=${encodeURIComponent(v)}`).join('')}`);
const config = (connection_url: string, extra: Record<string, unknown> = {}) => ({
  plugin_name: 'postgresql-database-plugin', connection_url, username: ROOT, password: ROOT_PASSWORD, allowed_roles: '*', ...extra,
});

before(async () => {
  const cluster = await startScramCluster({ tls: true });
  db = cluster;
  tls = cluster.tls!;
  await admin(`CREATE ROLE ${ROOT} SUPERUSER LOGIN PASSWORD '${ROOT_PASSWORD}'; CREATE ROLE ${tls.clientUser} SUPERUSER LOGIN`);
  srv = await startDatabaseServer();
});
after(async () => {
  await closeDatabaseServer(srv);
  await db.destroy();
});

/** Issues a user through connection `name` and answers whether that session was TLS. */
async function sessionUsedTls(name: string): Promise<string | undefined> {
  expectStatus(await srv.api('POST', `database/roles/${name}`, {
    db_name: name, default_ttl: '5m',
    creation_statements: `CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}'; DO $$ BEGIN EXECUTE format('COMMENT ON ROLE %I IS %L', '{{name}}', (SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid())); END $$`,
  }), 204);
  const r = await srv.api('GET', `database/creds/${name}`);
  expectStatus(r, 200);
  const rows = await pgAdmin<{ c: string }>(`SELECT shobj_description(oid, 'pg_authid') AS c FROM pg_roles WHERE rolname = '${r.body.data.username}'`, [], db.port, db.password);
  expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: r.body.lease_id }), 204);
  return rows[0]?.c;
}

test('sslmode=require encrypts without verifying the certificate, as Vault\'s plugin does', async () => {
  expectStatus(await srv.api('POST', 'database/config/req', config(url('sslmode=require'))), 204);
  assert.equal(await sessionUsedTls('req'), 'true');
  expectStatus(await srv.api('POST', 'database/config/plain', config(url('sslmode=disable'))), 204);
  assert.equal(await sessionUsedTls('plain'), 'false');
});

test('sslmode=prefer uses TLS where the server has it; allow starts in plain text, as libpq', async () => {
  expectStatus(await srv.api('POST', 'database/config/pref', config(url('sslmode=prefer'))), 204);
  assert.equal(await sessionUsedTls('pref'), 'true');
  expectStatus(await srv.api('POST', 'database/config/allow', config(url('sslmode=allow'))), 204);
  assert.equal(await sessionUsedTls('allow'), 'false');
});

test('verify-full needs the CA: without it, or with another, the connection is refused', async () => {
  const unknown = await srv.api('POST', 'database/config/vf', config(url('sslmode=verify-full')));
  expectStatus(unknown, 400);
  assert.match(unknown.body.errors[0], /^error creating database object: error verifying connection: /);
  const other = await srv.api('POST', 'database/config/vf', config(inline('verify-full', { sslrootcert: tls.otherCa })));
  expectStatus(other, 400);
  expectStatus(await srv.api('POST', 'database/config/vf', config(inline('verify-full', { sslrootcert: tls.ca }))), 204);
  assert.equal(await sessionUsedTls('vf'), 'true');
});

test('sslinline client certificate: a user logs in by certificate alone; the key is never shown', async () => {
  const conn = inline('verify-full', { sslrootcert: tls.ca, sslcert: tls.clientCert, sslkey: tls.clientKey });
  expectStatus(await srv.api('POST', 'database/config/cert', { ...config(conn), username: tls.clientUser, password: '' }), 204);
  assert.equal(await sessionUsedTls('cert'), 'true');
  const read = await srv.api('GET', 'database/config/cert');
  const shown = read.body.data.connection_details.connection_url as string;
  assert.match(shown, /[?&]sslkey=xxxxx(&|$)/);
  assert.ok(shown.includes('sslcert='), 'the certificate (no secret) is shown as written');
  const keyBody = tls.clientKey.split('\n')[1]!;
  assert.ok(!JSON.stringify(read.body).includes(keyBody), 'the private key reached a read');
  assert.ok(!srv.log().includes(keyBody), 'the private key reached the log');
});

test('inline PEM that cannot be read, or a bad sslinline or sslmode, is refused with 400 naming none of it', async () => {
  const bad = await srv.api('POST', 'database/config/bad', config(inline('verify-full', { sslkey: `-----BEGIN PRIVATE KEY-----\n${CANARY}\n-----END PRIVATE KEY-----` }), { verify_connection: false }));
  assert.deepEqual([bad.status, bad.body.errors], [400, ['sslinline: a certificate or the key in connection_url cannot be read as PEM']]);
  const flag = await srv.api('POST', 'database/config/bad', config(url('sslinline=yes'), { verify_connection: false }));
  assert.deepEqual([flag.status, flag.body.errors], [400, ['invalid sslinline in connection_url: yes']]);
  const mode = await srv.api('POST', 'database/config/bad', config(url('sslmode=sometimes')));
  assert.deepEqual([mode.status, mode.body.errors], [400, ['unsupported sslmode in connection_url: sometimes']]);
  expectStatus(await srv.api('GET', 'database/config/bad'), 404);
});
