// Shared pieces of the database engine's tests: admin connections to the machine's PostgreSQL
// and MariaDB, unique names per run, and a mounted test server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { startTestServer, type TestServer, type TestServerOptions } from '../../helpers/server.js';

/** A secret value used in requests; it must never reach the server log or an error body. */
export const CANARY = 'canary-db-7c41e9';

/** A name unique to this run, safe as an unquoted SQL identifier. */
export const unique = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;

/** The shared PostgreSQL (trust auth: any password is accepted). */
export const PG_URL = 'postgresql://{{username}}:{{password}}@127.0.0.1:5432/test?sslmode=disable';
/** The shared MariaDB as a Go DSN, the form Vault's MySQL plugin takes. */
export const MYSQL_DSN = '{{username}}:{{password}}@tcp(127.0.0.1:3306)/test';

/** Runs SQL on the shared PostgreSQL as its superuser. */
export async function pgAdmin<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values: unknown[] = [], port = 5432, password?: string) {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: port === 5432 ? 'test' : 'postgres' });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Whether a PostgreSQL role exists. */
export const pgRoleExists = async (name: string, port = 5432, password?: string) =>
  (await pgAdmin('SELECT 1 FROM pg_roles WHERE rolname = $1', [name], port, password)).length > 0;

/** Tries to log in to PostgreSQL; answers the error code, or 'ok'. */
export async function pgLogin(port: number, user: string, password: string, database = 'postgres', sql = 'SELECT 1'): Promise<string> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, password, database });
  try {
    await client.connect();
    await client.query(sql);
    return 'ok';
  } catch (err) {
    return String((err as { code?: string }).code ?? 'error');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs SQL on the shared MariaDB as root. */
export async function mysqlAdmin(sql: string, values: unknown[] = []) {
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test' });
  try {
    const [rows] = await conn.query(sql, values);
    return rows as Array<Record<string, unknown>>;
  } finally {
    await conn.end();
  }
}

/** Tries to log in to MariaDB; answers the error code, or 'ok'. */
export async function mysqlLogin(user: string, password: string, sql = 'SELECT 1'): Promise<string> {
  try {
    const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user, password });
    try {
      await conn.query(sql);
      return 'ok';
    } finally {
      await conn.end();
    }
  } catch (err) {
    const code = String((err as { code?: string }).code ?? 'error');
    // mysql2 names error 1045 by whether a password was sent; both mean "refused".
    return code.startsWith('ER_ACCESS_DENIED') ? 'ER_ACCESS_DENIED_ERROR' : code;
  }
}

/** A test server with the database engine mounted at database/. */
export async function startDatabaseServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const srv = await startTestServer(opts);
  assert.equal((await srv.api('POST', 'sys/mounts/database', { type: 'database' })).status, 204);
  return srv;
}

/** Closes a server after checking the canary never reached its log. */
export async function closeDatabaseServer(srv: TestServer): Promise<void> {
  assert.ok(!srv.log().includes(CANARY), 'a request value reached the log');
  await srv.close();
}

/** Asserts a status, showing the body when it differs. */
export function expectStatus(res: { status: number; body: unknown }, status: number): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
}
