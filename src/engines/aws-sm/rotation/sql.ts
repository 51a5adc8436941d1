// Logins to the databases the built-in rotators manage, over `pg` and `mysql2`: one short
// connection per step (a rotation is rare; pools would only keep old passwords alive). Every
// identifier and literal goes through the driver's escaping, never string pasting.
import pg from 'pg';
import mysql from 'mysql2/promise';

/** The AWS secret JSON of a database user (as AWS's rotation templates read it). */
export type DbSecret = {
  engine: string;
  host: string;
  port?: number;
  username: string;
  password: string;
  dbname?: string;
  ssl?: boolean;
  masterarn?: string;
};

/** A logged-in session: just the statements rotation needs. */
export type Session = {
  /** testSecret's check: `SELECT NOW()`. */
  now(): Promise<void>;
  /** Single user: the logged-in user changes its own password. */
  setOwnPassword(username: string, password: string): Promise<void>;
  userExists(username: string): Promise<boolean>;
  /** Alternating users: a new user with the privileges of `from`; nothing is left if it fails. */
  createClone(from: string, to: string, password: string): Promise<void>;
  setPassword(username: string, password: string): Promise<void>;
  close(): Promise<void>;
};

/** A database product: how to log in. */
export type Dialect = { login(c: DbSecret): Promise<Session> };

const CONNECT_TIMEOUT_MS = 5_000;
const { escapeIdentifier: ident, escapeLiteral: literal } = pg;

export const postgres: Dialect = {
  async login(c) {
    const client = new pg.Client({
      host: c.host, port: c.port ?? 5432, user: c.username, password: c.password, database: c.dbname || 'postgres',
      ssl: c.ssl === true ? true : false, connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    return {
      async now() { await client.query('SELECT NOW()'); },
      async setOwnPassword(username, password) { await client.query(`ALTER USER ${ident(username)} WITH PASSWORD ${literal(password)}`); },
      async userExists(username) { return (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])).rowCount! > 0; },
      async createClone(from, to, password) {
        // One simple query is one transaction: the role and its grant exist together or not at all.
        await client.query(`CREATE ROLE ${ident(to)} WITH LOGIN PASSWORD ${literal(password)}; GRANT ${ident(from)} TO ${ident(to)}`);
      },
      async setPassword(username, password) { await client.query(`ALTER ROLE ${ident(username)} WITH PASSWORD ${literal(password)}`); },
      async close() { await client.end().catch(() => undefined); },
    };
  },
};

/** AWS's MySQL templates manage users at host '%'. */
const HOST = '%';

export const mysqlDialect: Dialect = {
  async login(c) {
    const conn = await mysql.createConnection({
      host: c.host, port: c.port ?? 3306, user: c.username, password: c.password, database: c.dbname || undefined,
      ...(c.ssl === true ? { ssl: {} } : {}), connectTimeout: CONNECT_TIMEOUT_MS, multipleStatements: false,
    });
    conn.on('error', () => undefined);
    const drop = (user: string) => conn.query('DROP USER IF EXISTS ?@?', [user, HOST]);
    return {
      async now() { await conn.query('SELECT NOW()'); },
      async setOwnPassword(_username, password) {
        // Changing one's own password needs no privilege only this way: MariaDB's ALTER USER
        // wants CREATE USER, and MySQL 8 has no PASSWORD().
        const [rows] = await conn.query('SELECT VERSION() AS v');
        const mariadb = /mariadb/i.test(String((rows as Array<{ v: unknown }>)[0]?.v));
        await conn.query(mariadb ? 'SET PASSWORD = PASSWORD(?)' : 'ALTER USER USER() IDENTIFIED BY ?', [password]);
      },
      async userExists(username) {
        const [rows] = await conn.query('SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?', [username, HOST]);
        return (rows as unknown[]).length > 0;
      },
      async createClone(from, to, password) {
        await conn.query('CREATE USER ?@? IDENTIFIED BY ?', [to, HOST, password]);
        try {
          const [grants] = await conn.query('SHOW GRANTS FOR ?@?', [from, HOST]);
          const target = `TO ${conn.escapeId(from)}@`;
          for (const row of grants as Array<Record<string, string>>) {
            const grant = Object.values(row)[0] ?? '';
            // The same grants for the clone; a password hash in the line is not copied.
            const copy = grant.split(target).join(`TO ${conn.escapeId(to)}@`).replace(/ IDENTIFIED BY PASSWORD '[^']*'/, '');
            if (copy !== grant) await conn.query(copy);
          }
          const [users] = await conn.query('SELECT ssl_type FROM mysql.user WHERE User = ? AND Host = ?', [from, HOST]);
          const tls = String((users as Array<{ ssl_type?: unknown }>)[0]?.ssl_type ?? '').toUpperCase();
          if (tls === 'ANY') await conn.query('ALTER USER ?@? REQUIRE SSL', [to, HOST]);
          else if (tls === 'X509') await conn.query('ALTER USER ?@? REQUIRE X509', [to, HOST]);
        } catch (err) {
          // Half a clone would be taken for a whole one next time: drop it so the retry starts over.
          await drop(to).catch(() => undefined);
          throw err;
        }
      },
      async setPassword(username, password) { await conn.query('ALTER USER ?@? IDENTIFIED BY ?', [username, HOST, password]); },
      async close() { await conn.end().catch(() => undefined); },
    };
  },
};

/** Logs in, runs `fn`, always closes. */
export async function withLogin<T>(dialect: Dialect, c: DbSecret, fn: (s: Session) => Promise<T>): Promise<T> {
  const session = await dialect.login(c);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/** Whether these credentials log in (and can run a query). */
export async function logsIn(dialect: Dialect, c: DbSecret): Promise<boolean> {
  try {
    await withLogin(dialect, c, (s) => s.now());
    return true;
  } catch {
    return false;
  }
}
