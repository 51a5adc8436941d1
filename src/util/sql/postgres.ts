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

/** The URL parameters that say how TLS is used; read here, not by pg. */
const TLS_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'uselibpqcompat'];

/**
 * The URL without its TLS parameters, and pg's TLS options for them, as libpq (and Vault's
 * pgx) read sslmode: node-postgres alone verifies the certificate under every mode, so
 * `sslmode=require` against a self-signed server would fail where Vault connects.
 *   disable: no TLS · allow, prefer, require: encrypt without verifying (require with a root
 *   certificate checks the chain) · verify-ca: the chain · verify-full: the chain and the name.
 * Certificates come from the settings (tls_ca…, or sslinline's PEM) or else from the files
 * sslrootcert, sslcert and sslkey name; without sslmode, certificates mean verify-full.
 */
export function tlsOptions(url: string, tls: ConnectionSettings['tls']): { url: string; ssl: pg.PoolConfig['ssl'] } {
  const params = queryParams(url);
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
  switch (mode) {
    case 'disable': return { url: bare, ssl: false };
    case 'allow': case 'prefer': case 'no-verify': return { url: bare, ssl: { ...certs, rejectUnauthorized: false } };
    case 'require': return { url: bare, ssl: certs.ca ? chainOnly : { ...certs, rejectUnauthorized: false } };
    case 'verify-ca': return { url: bare, ssl: chainOnly };
    case 'verify-full': return { url: bare, ssl: certs };
    case undefined: return { url: bare, ssl: anyCert ? certs : undefined };
    default: throw new BadRequest(`unsupported sslmode in connection_url: ${mode}`);
  }
}

function poolOptions(s: ConnectionSettings): pg.PoolConfig {
  const { url, ssl } = tlsOptions(fillConnectionUrl(s.connectionUrl, s.username, s.password, s.disableEscaping), s.tls);
  return {
    // Values in the URL win over these, as pg merges them: the URL may name its own user.
    user: s.username || undefined, password: s.password || undefined,
    connectionString: url, max: s.maxOpenConnections, ...(ssl === undefined ? {} : { ssl }),
    idleTimeoutMillis: 10_000, maxLifetimeSeconds: s.maxConnectionLifetime || undefined,
    connectionTimeoutMillis: 5_000, allowExitOnIdle: true,
  };
}

/**
 * Runs queries as one multi-statement simple query: PostgreSQL runs that as one implicit
 * transaction (all of them happen, or none) and it costs one round trip, not one per query.
 */
async function inTransaction(pool: pg.Pool, queries: string[]): Promise<void> {
  if (queries.length > 0) await pool.query(queries.join(';\n'));
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
  const pool = new pg.Pool(poolOptions(settings));
  // An idle client's error (server restarted) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  if (settings.maxIdleConnections > 0 && settings.maxIdleConnections < settings.maxOpenConnections) capIdle(pool, settings.maxIdleConnections);
  return {
    async verify() { await pool.query('SELECT 1'); },
    async createUser(statements, rollback, values) {
      try {
        await inTransaction(pool, renderStatements(statements, values, PG));
      } catch (err) {
        // CREATE ROLE is transactional, so the rollback above already undid it; extra
        // rollback statements cover anything a statement did outside the transaction.
        if (rollback.length > 0) await inTransaction(pool, renderStatements(rollback, values, PG)).catch(() => undefined);
        throw err;
      }
    },
    async renewUser(statements, values) {
      const queries = statements.length > 0
        ? renderStatements(statements, values, PG)
        : [`ALTER ROLE ${escapeIdentifier(values.username)} VALID UNTIL ${escapeLiteral(formatExpiration(values.expiration))}`];
      await inTransaction(pool, queries);
    },
    async dropUser(statements, values) {
      if (statements.length > 0) return inTransaction(pool, renderStatements(statements, values, PG));
      const who = escapeIdentifier(values.username);
      await inTransaction(pool, [
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
      await inTransaction(pool, queries);
    },
    async close() { await pool.end(); },
  };
}

/** postgresql-database-plugin. */
export const postgresDriver: DatabaseDriver = {
  usernameLimit: 63,
  defaultUsernameTemplate: '{{ printf "v-%s-%s-%s-%s" (.DisplayName | truncate 8) (.RoleName | truncate 8) (random 20) (unix_time) | truncate 63 }}',
  connect,
};

