// PostgreSQL through `pg`: one pool per connection config. Our own SQL escapes identifiers
// and literals with pg's functions; configured statements are filled in as Vault does.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { BadRequest } from '../errors.js';
import { fillConnectionUrl, formatExpiration, renderStatements } from './statements.js';
import type { ConnectionSettings, DatabaseConnection, DatabaseDriver } from './types.js';
import { queryParams, withoutParams } from './url-query.js';

const { escapeIdentifier, escapeLiteral } = pg;

/** PostgreSQL statements keep their $$ bodies whole. */
const PG = { dollarQuoted: true };

/**
 * The URL parameters that say how TLS is used; read here, not by pg (sslinline is read by the
 * engine). Any other ssl* name (sslcrl, sslpassword, …) is refused: pg would ignore it.
 */
const TLS_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'uselibpqcompat', 'sslinline'];

/** A second TLS setting to connect with when the first fails as `when` says (libpq's allow and prefer). */
interface TlsFallback { ssl: pg.PoolConfig['ssl']; when: (err: unknown) => boolean }

/** pg's error when a server answers the TLS request with "no". */
const NO_SERVER_TLS = 'The server does not support SSL connections';

/**
 * The URL without its TLS parameters, and pg's TLS options for them, as libpq (and Vault's
 * pgx) read sslmode: node-postgres alone verifies the certificate under every mode, so
 * `sslmode=require` against a self-signed server would fail where Vault connects.
 *   disable: no TLS · allow: plain text, and TLS when that is refused · prefer: TLS without
 *   verifying, and plain text when the server has no TLS · require: encrypt without verifying
 *   (with a root certificate it checks the chain) · verify-ca: the chain · verify-full: the
 *   chain and the name.
 * Certificates come from the settings (tls_ca…, or sslinline's PEM) or else from the files
 * sslrootcert, sslcert and sslkey name; without sslmode, certificates mean verify-full and
 * no certificates mean plain text (pg's default; libpq's would be prefer).
 */
export function tlsOptions(url: string, tls: ConnectionSettings['tls']): { url: string; ssl: pg.PoolConfig['ssl']; fallback?: TlsFallback } {
  const params = queryParams(url);
  for (const key of params.keys()) {
    if (key.startsWith('ssl') && !TLS_PARAMS.includes(key)) throw new BadRequest(`unsupported TLS parameter in connection_url: ${key}`);
  }
  const file = (key: string) => {
    const path = params.get(key);
    if (!path) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch {
      throw new BadRequest(`cannot read the ${key} file named in connection_url`);
    }
  };
  const certs = {
    ca: tls.ca || file('sslrootcert'), cert: tls.certificate || file('sslcert'), key: tls.privateKey || file('sslkey'),
  };
  for (const k of Object.keys(certs) as Array<keyof typeof certs>) if (certs[k] === undefined) delete certs[k];
  // pg's own ssl=true (no sslmode) asks for a verified connection.
  const mode = params.get('sslmode') ?? (['true', '1'].includes(params.get('ssl') ?? '') ? 'verify-full' : undefined);
  const bare = withoutParams(url, TLS_PARAMS);
  const anyCert = Object.keys(certs).length > 0;
  const chainOnly = { ...certs, checkServerIdentity: () => undefined };
  const unverified = { ...certs, rejectUnauthorized: false };
  switch (mode) {
    case 'disable': return { url: bare, ssl: false };
    case 'allow': return { url: bare, ssl: false, fallback: { ssl: unverified, when: () => true } };
    case 'prefer': return { url: bare, ssl: unverified, fallback: { ssl: false, when: (err) => (err as Error).message === NO_SERVER_TLS } };
    case 'no-verify': return { url: bare, ssl: unverified };
    case 'require': return { url: bare, ssl: certs.ca ? chainOnly : unverified };
    case 'verify-ca': return { url: bare, ssl: chainOnly };
    case 'verify-full': return { url: bare, ssl: certs };
    case undefined: return { url: bare, ssl: anyCert ? certs : undefined };
    default: throw new BadRequest(`unsupported sslmode in connection_url: ${mode}`);
  }
}

function poolOptions(s: ConnectionSettings): { options: pg.PoolConfig; fallback?: TlsFallback } {
  const { url, ssl, fallback } = tlsOptions(fillConnectionUrl(s.connectionUrl, s.username, s.password, s.disableEscaping), s.tls);
  const options = {
    // Values in the URL win over these, as pg merges them: the URL may name its own user.
    user: s.username || undefined, password: s.password || undefined,
    connectionString: url, max: s.maxOpenConnections, ...(ssl === undefined ? {} : { ssl }),
    idleTimeoutMillis: 10_000, maxLifetimeSeconds: s.maxConnectionLifetime || undefined,
    connectionTimeoutMillis: 5_000, allowExitOnIdle: true,
  };
  return fallback ? { options, fallback } : { options };
}

/** A pool, wired as every pool here is. */
function newPool(options: pg.PoolConfig, maxIdle: number): pg.Pool {
  const pool = new pg.Pool(options);
  // An idle client's error (server restarted) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  if (maxIdle > 0 && maxIdle < (options.max ?? 10)) capIdle(pool, maxIdle);
  return pool;
}

/**
 * The pool for settings whose sslmode has a second choice (allow, prefer): the first
 * connection tries the first TLS setting, and if that fails as libpq would retry, the pool
 * uses the other one. libpq decides per connection; a server's TLS support is taken to hold
 * for the pool's life (a reset or config write asks again).
 */
async function probedPool(options: pg.PoolConfig, fallback: TlsFallback, maxIdle: number): Promise<pg.Pool> {
  const first = newPool(options, maxIdle);
  try {
    (await first.connect()).release();
    return first;
  } catch (err) {
    await first.end().catch(() => undefined);
    if (!fallback.when(err)) throw err;
  }
  return newPool({ ...options, ssl: fallback.ssl }, maxIdle);
}

/**
 * Keeps at most `maxIdle` idle connections, as Go's SetMaxIdleConns does for Vault's plugin:
 * pg's pool has no such bound, so each connection given back beyond it is taken out again and
 * closed. The idle timeout still closes the rest.
 */
function capIdle(pool: pg.Pool, maxIdle: number): void {
  let trimming = false;
  const trim = async () => {
    if (trimming) return;
    trimming = true;
    try {
      while (!pool.ended && pool.idleCount > maxIdle && pool.waitingCount === 0) (await pool.connect()).release(true);
    } catch {
      // A pool closing meanwhile has nothing left to trim.
    } finally {
      trimming = false;
    }
  };
  // 'release' fires before the pool files the connection as idle: look once it has.
  pool.on('release', () => { setImmediate(() => { void trim(); }); });
}

/** SQLSTATE of "role does not exist". */
const UNDEFINED_OBJECT = '42704';

function connect(settings: ConnectionSettings): DatabaseConnection {
  const { options, fallback } = poolOptions(settings);
  const maxIdle = settings.maxIdleConnections;
  let opened: Promise<pg.Pool> | undefined = fallback ? undefined : Promise.resolve(newPool(options, maxIdle));
  // A probe that failed (server down) is tried again by the next call.
  const poolOf = () => (opened ??= probedPool(options, fallback as TlsFallback, maxIdle).catch((err: unknown) => { opened = undefined; throw err; }));
  const query = async (sql: string) => { await (await poolOf()).query(sql); };
  // One multi-statement simple query: PostgreSQL runs it as one implicit transaction (all of
  // the queries happen, or none), in one round trip rather than one per query. The pieces of a
  // split statement are joined again here, so splitting changes only the text around a ';'
  // inside a string; that is why a dollar-quoted body is never split (statements.ts).
  const inTransaction = async (queries: string[]) => { if (queries.length > 0) await query(queries.join(';\n')); };
  return {
    async verify() { await query('SELECT 1'); },
    async createUser(statements, rollback, values) {
      try {
        await inTransaction(renderStatements(statements, values, PG));
      } catch (err) {
        // CREATE ROLE is transactional, so the rollback above already undid it; extra
        // rollback statements cover anything a statement did outside the transaction.
        if (rollback.length > 0) await inTransaction(renderStatements(rollback, values, PG)).catch(() => undefined);
        throw err;
      }
    },
    async renewUser(statements, values) {
      const queries = statements.length > 0
        ? renderStatements(statements, values, PG)
        : [`ALTER ROLE ${escapeIdentifier(values.username)} VALID UNTIL ${escapeLiteral(formatExpiration(values.expiration))}`];
      await inTransaction(queries);
    },
    async dropUser(statements, values) {
      if (statements.length > 0) return inTransaction(renderStatements(statements, values, PG));
      const who = escapeIdentifier(values.username);
      await inTransaction([
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ${escapeLiteral(values.username)} AND pid <> pg_backend_pid()`,
        `REASSIGN OWNED BY ${who} TO CURRENT_USER`,
        `DROP OWNED BY ${who}`,
        `DROP ROLE ${who}`,
      ]).catch((err: unknown) => {
        // Revoking twice is fine: a user that is already gone (undefined_object) has nothing left to drop.
        if ((err as { code?: string }).code !== UNDEFINED_OBJECT) throw err;
      });
    },
    async setPassword(statements, values) {
      const queries = statements.length > 0
        ? renderStatements(statements, values, PG)
        : [`ALTER ROLE ${escapeIdentifier(values.username)} WITH PASSWORD ${escapeLiteral(values.password)}`];
      await inTransaction(queries);
    },
    async close() {
      const pool = await opened?.catch(() => undefined);
      opened = undefined;
      await pool?.end();
    },
  };
}

/** postgresql-database-plugin. */
export const postgresDriver: DatabaseDriver = {
  usernameLimit: 63,
  defaultUsernameTemplate: '{{ printf "v-%s-%s-%s-%s" (.DisplayName | truncate 8) (.RoleName | truncate 8) (random 20) (unix_time) | truncate 63 }}',
  connect,
};

