// password_authentication = "scram-sha-256" on a cluster that checks passwords: the engine
// hashes each password into a SCRAM verifier, PostgreSQL stores that as it is, and the plain
// password works for login without ever reaching the server (its statement log shows none).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import { scramVerifier, saslPrep } from '../../../src/engines/database/scram.js';
import { CANARY, closeDatabaseServer, expectStatus, pgAdmin, pgLogin } from './helpers.js';
import { startClusterEngine, type ScramCluster } from './scram-cluster.js';

let srv: TestServer;
let db: ScramCluster;
const ROOT = 'lockbox_scram_root';
const ROOT_PASSWORD = `${CANARY}-scram-root`;
const BAD_PASSWORD = '28P01';
const admin = (sql: string, values: unknown[] = []) => pgAdmin(sql, values, db.port, db.password);
const stored = async (role: string) =>
  (await admin('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role]))[0]?.rolpassword as string | undefined;
const VERIFIER = /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/;

before(async () => {
  ({ db, srv } = await startClusterEngine(ROOT, ROOT_PASSWORD, { logStatements: true, config: { password_authentication: 'scram-sha-256' } }));
});
after(async () => {
  await closeDatabaseServer(srv);
  await db.destroy();
});

test('the verifier is the one PostgreSQL computes for the same password and salt', async () => {
  // PostgreSQL hashes a plain password itself when it is given one: read its salt back and
  // compute ours with it; both must be the same string.
  await admin(`SET password_encryption = 'scram-sha-256'; CREATE ROLE scram_ref LOGIN PASSWORD 'Ref-pass-1234'`);
  const theirs = (await stored('scram_ref'))!;
  const salt = Buffer.from(/^SCRAM-SHA-256\$4096:([^$]+)\$/.exec(theirs)![1]!, 'base64');
  assert.equal(await scramVerifier('Ref-pass-1234', salt), theirs);
  assert.equal(saslPrep('abc\u00A0d\u00ADe'), 'abc de');
});

test('dynamic creds: the minted password logs in, the database holds only a verifier', async () => {
  const r = await srv.api('GET', 'database/creds/app');
  expectStatus(r, 200);
  const { username, password } = r.body.data as { username: string; password: string };
  assert.equal(await pgLogin(db.port, username, password), 'ok');
  assert.equal(await pgLogin(db.port, username, `${password}x`), BAD_PASSWORD);
  assert.match((await stored(username))!, VERIFIER);
  assert.ok(!db.log().includes(password), 'the plain password reached the database');
  assert.ok(!srv.log().includes(password), 'a generated password reached the server log');
  expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: r.body.lease_id }), 204);
});

test('static roles and rotate-role set verifiers; the current password logs in', async () => {
  await admin(`CREATE ROLE scram_svc LOGIN PASSWORD 'before-scram-svc'`);
  expectStatus(await srv.api('POST', 'database/static-roles/scram_svc', { db_name: 'pg', username: 'scram_svc', rotation_period: '1h' }), 204);
  const first = (await srv.api('GET', 'database/static-creds/scram_svc')).body.data.password as string;
  assert.equal(await pgLogin(db.port, 'scram_svc', first), 'ok');
  expectStatus(await srv.api('POST', 'database/rotate-role/scram_svc'), 204);
  const second = (await srv.api('GET', 'database/static-creds/scram_svc')).body.data.password as string;
  assert.equal(await pgLogin(db.port, 'scram_svc', first), BAD_PASSWORD);
  assert.equal(await pgLogin(db.port, 'scram_svc', second), 'ok');
  assert.match((await stored('scram_svc'))!, VERIFIER);
  for (const p of [first, second]) assert.ok(!db.log().includes(p), 'a static password reached the database');
});

test('rotate-root sets a verifier and the engine keeps working with the new password', async () => {
  expectStatus(await srv.api('POST', 'database/rotate-root/pg'), 204);
  assert.equal(await pgLogin(db.port, ROOT, ROOT_PASSWORD), BAD_PASSWORD);
  assert.match((await stored(ROOT))!, VERIFIER);
  const r = await srv.api('GET', 'database/creds/app');
  expectStatus(r, 200);
  assert.equal(await pgLogin(db.port, r.body.data.username, r.body.data.password), 'ok');
  expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: r.body.lease_id }), 204);
});

test('the setting reads back; unknown values and MySQL are refused with 400', async () => {
  const read = await srv.api('GET', 'database/config/pg');
  assert.equal(read.body.data.connection_details.password_authentication, 'scram-sha-256');
  const bad = await srv.api('POST', 'database/config/pg', { password_authentication: 'md5' });
  expectStatus(bad, 400);
  assert.deepEqual(bad.body.errors, ["error creating database object: 'md5' is not a valid password authentication type"]);
  const mysql = await srv.api('POST', 'database/config/my', {
    plugin_name: 'mysql-database-plugin', connection_url: '{{username}}:{{password}}@tcp(127.0.0.1:3306)/', username: 'root',
    password_authentication: 'scram-sha-256', verify_connection: false,
  });
  expectStatus(mysql, 400);
  assert.equal((await srv.api('GET', 'database/config/my')).status, 404);
});
