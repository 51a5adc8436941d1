// Statement templating, message scrubbing and the MySQL DSN: the drivers' pure parts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillConnectionUrl, renderStatements, scrubMessage } from '../../../src/util/sql/statements.js';
import { dsnOptions } from '../../../src/util/sql/mysql.js';

const settings = {
  connectionUrl: '', username: 'admin', password: 'p@ss:w/rd;', disableEscaping: false,
  maxOpenConnections: 4, maxIdleConnections: 0, maxConnectionLifetime: 0, tls: { ca: '', certificate: '', privateKey: '' },
};

test('statements are split on ";" before values go in, so a value cannot add a query', () => {
  const out = renderStatements([`CREATE ROLE "{{name}}" PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT x TO "{{username}}";`], {
    username: 'u1', password: 'a;b', expiration: new Date(Date.UTC(2026, 4, 6, 7, 8, 9)),
  });
  assert.deepEqual(out, [`CREATE ROLE "u1" PASSWORD 'a;b' VALID UNTIL '2026-05-06 07:08:09+0000'`, 'GRANT x TO "u1"']);
});

test('driver messages lose passwords and URL credentials', () => {
  assert.equal(scrubMessage('failed for postgres://admin:hunter22@db/x with hunter22', ['hunter22']), 'failed for postgres://*****@db/x with *****');
});

test('connection URLs get escaped credentials unless escaping is disabled', () => {
  assert.equal(fillConnectionUrl('postgresql://{{username}}:{{password}}@h/db', 'a b', 'p@ss', false), 'postgresql://a%20b:p%40ss@h/db');
  assert.equal(fillConnectionUrl('postgresql://{{username}}:{{password}}@h/db', 'a', 'p%40', true), 'postgresql://a:p%40@h/db');
});

test('a Go DSN template becomes mysql2 options with the raw credentials', () => {
  const o = dsnOptions({ ...settings, connectionUrl: '{{username}}:{{password}}@tcp(db.example:3307)/app?charset=utf8mb4' });
  assert.deepEqual([o.user, o.password, o.host, o.port, o.database, o.charset], ['admin', 'p@ss:w/rd;', 'db.example', 3307, 'app', 'utf8mb4']);
  const bare = dsnOptions({ ...settings, connectionUrl: '/' });
  assert.deepEqual([bare.user, bare.host, bare.port], ['admin', '127.0.0.1', 3306]);
  assert.throws(() => dsnOptions({ ...settings, connectionUrl: 'mysql://x' }), { name: 'BadRequest' });
  assert.throws(() => dsnOptions({ ...settings, connectionUrl: '{{username}}@tcp(h)/?readTimeout=5s' }), /unsupported parameter/);
  assert.equal(dsnOptions({ ...settings, connectionUrl: '/?timeout=1m30s&parseTime=true' }).connectTimeout, 90_000);
});

test('a DSN\'s collation wins over its charset in either order; unknown names are refused', () => {
  for (const query of ['charset=latin1&collation=utf8mb4_bin', 'collation=utf8mb4_bin&charset=latin1']) {
    assert.equal(dsnOptions({ ...settings, connectionUrl: `/?${query}` }).charset, 'utf8mb4_bin', query);
  }
  assert.equal(dsnOptions({ ...settings, connectionUrl: '/?charset=latin1,utf8' }).charset, 'latin1');
  assert.throws(() => dsnOptions({ ...settings, connectionUrl: '/?collation=utf8mb4_nonesuch' }), { name: 'BadRequest', message: 'unknown collation in connection_url: utf8mb4_nonesuch' });
  assert.throws(() => dsnOptions({ ...settings, connectionUrl: '/?charset=klingon' }), { name: 'BadRequest', message: 'unknown charset in connection_url: klingon' });
});

test('a statement may be base64 or a JSON list, as Vault\'s plugins read it; PostgreSQL $$ bodies stay whole', () => {
  const values = { username: 'u1', password: 'pw' };
  const b64 = Buffer.from(`CREATE USER '{{name}}'; GRANT x TO '{{name}}'`).toString('base64');
  assert.deepEqual(renderStatements([b64], values), [`CREATE USER 'u1'`, `GRANT x TO 'u1'`]);
  assert.deepEqual(renderStatements(['["CREATE ROLE \\"{{name}}\\"", "GRANT y TO \\"{{name}}\\""]'], values), ['CREATE ROLE "u1"', 'GRANT y TO "u1"']);
  // A word that happens to be base64 but not of text stays SQL.
  for (const word of ['ROLLBACK', 'TEST', 'DROP']) assert.deepEqual(renderStatements([word], values), [word]);
  const body = `DO $$ BEGIN CREATE ROLE "{{name}}"; EXCEPTION WHEN duplicate_object THEN NULL; END $$`;
  assert.deepEqual(renderStatements([body], values, { dollarQuoted: true }), [body.replaceAll('{{name}}', 'u1')]);
  assert.equal(renderStatements([body], values).length, 3);
  const tagged = `CREATE FUNCTION f() RETURNS text AS $fn$ SELECT 'a; b'::text $fn$ LANGUAGE sql`;
  assert.deepEqual(renderStatements([tagged], values, { dollarQuoted: true }), [tagged]);
  // $1 is a parameter, not a tag; $$ inside a literal is no body.
  assert.equal(renderStatements([`SELECT '$$'; SELECT 2`], values, { dollarQuoted: true }).length, 2);
  assert.equal(renderStatements([`SELECT $1::text; SELECT $2::text`], values, { dollarQuoted: true }).length, 2);
});

test('PostgreSQL sslmode reads as libpq (and Vault\'s pgx) reads it: require encrypts without verifying', async () => {
  const { tlsOptions } = await import('../../../src/util/sql/postgres.js');
  const none = { ca: '', certificate: '', privateKey: '' };
  const ssl = (mode: string, tls = none) => tlsOptions(`postgresql://u@h/db?sslmode=${mode}&application_name=x`, tls).ssl;
  assert.equal(ssl('disable'), false);
  assert.deepEqual(ssl('require'), { rejectUnauthorized: false });
  assert.deepEqual(ssl('verify-full'), {});
  const chain = ssl('verify-ca', { ...none, ca: 'CA' }) as { ca: string; checkServerIdentity: () => undefined };
  assert.equal(chain.ca, 'CA');
  assert.equal(chain.checkServerIdentity(), undefined);
  assert.equal(typeof (ssl('require', { ...none, ca: 'CA' }) as { checkServerIdentity?: unknown }).checkServerIdentity, 'function');
  assert.equal(tlsOptions('postgresql://u@h/db?sslmode=require&application_name=x', none).url, 'postgresql://u@h/db?application_name=x');
  assert.deepEqual(tlsOptions('postgresql://u@h/db', none), { url: 'postgresql://u@h/db', ssl: undefined });
  assert.deepEqual(tlsOptions('postgresql://u@h/db', { ...none, ca: 'CA' }).ssl, { ca: 'CA' });
  assert.throws(() => tlsOptions('postgresql://u@h/db?sslmode=sometimes', none), /unsupported sslmode in connection_url: sometimes/);
  assert.throws(() => tlsOptions('postgresql://u@h/db?sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem', none), /cannot read the sslrootcert file/);
});
