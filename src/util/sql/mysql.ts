// MySQL and MariaDB through `mysql2`: one pool per connection config. The connection URL is
// Go's DSN (`user:pass@tcp(host:port)/db?tls=true`), as Vault's plugin takes it; the template
// is parsed before the credentials go in, so a password may hold any character. Of Go's DSN
// parameters, tls, charset, collation and timeout are honoured, those that cannot change what
// Vault's statements do are taken, and every other one is refused (400) rather than ignored.
import mysql from 'mysql2/promise';
import { BadRequest } from '../errors.js';
import { renderStatements } from './statements.js';
import type { ConnectionSettings, DatabaseConnection, DatabaseDriver } from './types.js';

const DSN = /^(?:([^:@]*)(?::([^@]*))?@)?(?:(tcp|unix)\(([^)]*)\))?\/([^?]*)(?:\?(.*))?$/;
const TEMPLATE = /\{\{\s*(username|password)\s*\}\}/g;

/**
 * Go DSN parameters that change nothing for the statements Vault runs (no result rows are read,
 * and every statement is sent on its own), so they are taken and have no effect.
 */
const NO_EFFECT = new Set(['parseTime', 'loc', 'columnsWithAlias', 'clientFoundRows', 'interpolateParams', 'multiStatements', 'checkConnLiveness', 'rejectReadOnly', 'maxAllowedPacket', 'timeTruncate']);
const GO_BOOL = /^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/;
const GO_TRUE = /^(1|t|T|TRUE|true|True)$/;

/**
 * Milliseconds of a Go duration ("5s", "1m30s", "500ms"), as the DSN's timeout takes it. Not
 * util/duration.ts's parseDurationSeconds: that keeps whole seconds ("500ms" would be 0) and
 * takes Vault's extras (a bare number of seconds, "d") that Go's time.ParseDuration refuses.
 */
function goDurationMs(text: string): number | undefined {
  const re = /(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)/y;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };
  let total = 0;
  while (re.lastIndex < text.length) {
    const start = re.lastIndex;
    const m = re.exec(text);
    if (!m || m.index !== start) return undefined;
    total += Number(m[1]) * unit[m[2]!]!;
  }
  return text === '' || total <= 0 ? undefined : Math.ceil(total);
}

/** The charset and collation names mysql2 knows (upper case); it throws at connect for others. */
const CHARSETS = (mysql as unknown as { Charsets: Record<string, number> }).Charsets;

/** A charset or collation name mysql2 can use, or a 400 naming it. */
function knownCharset(key: 'charset' | 'collation', name: string): string {
  if (!Object.hasOwn(CHARSETS, name.toUpperCase())) throw new BadRequest(`unknown ${key} in connection_url: ${name}`);
  return name;
}

/** Turns a DSN template plus credentials into mysql2 pool options. */
export function dsnOptions(s: ConnectionSettings): mysql.PoolOptions {
  const m = DSN.exec(s.connectionUrl);
  if (!m) throw new BadRequest('connection_url is not a MySQL DSN such as "{{username}}:{{password}}@tcp(127.0.0.1:3306)/"');
  const fill = (part: string | undefined) =>
    part === undefined ? undefined : part.replace(TEMPLATE, (_w, key: string) => (key === 'username' ? s.username : s.password));
  const [, user, password, net, address = '', database, query] = m;
  const options: mysql.PoolOptions = {
    user: fill(user) || s.username, password: fill(password) ?? s.password, database: database || undefined,
    connectionLimit: s.maxOpenConnections, maxIdle: s.maxIdleConnections || s.maxOpenConnections, idleTimeout: 10_000,
    connectTimeout: 5_000, multipleStatements: false,
  };
  if (net === 'unix') options.socketPath = address;
  else {
    const [host, port] = address.includes(':') ? [address.slice(0, address.lastIndexOf(':')), address.slice(address.lastIndexOf(':') + 1)] : [address, '3306'];
    options.host = host || '127.0.0.1';
    options.port = Number(port);
  }
  const tls = s.tls.ca || s.tls.certificate || s.tls.privateKey ? { ca: s.tls.ca || undefined, cert: s.tls.certificate || undefined, key: s.tls.privateKey || undefined } : undefined;
  let charset: string | undefined;
  let collation: string | undefined;
  for (const [key, value] of new URLSearchParams(query ?? '')) {
    if (key === 'tls') {
      if (value === 'true' || value === 'skip-verify') options.ssl = { ...tls, rejectUnauthorized: value === 'true' };
      else if (value !== 'false') throw new BadRequest(`unsupported tls value in connection_url: ${value}`);
    } else if (key === 'charset') {
      // Go tries a comma list of charsets in turn; mysql2 takes one name.
      charset = knownCharset(key, value.split(',')[0]!);
    } else if (key === 'collation') {
      collation = knownCharset(key, value);
    } else if (key === 'timeout') {
      const ms = goDurationMs(value);
      if (ms === undefined) throw new BadRequest(`invalid timeout in connection_url: ${value}`);
      options.connectTimeout = ms;
    } else if (NO_EFFECT.has(key)) {
      if (!GO_BOOL.test(value) && key !== 'loc' && key !== 'maxAllowedPacket' && key !== 'timeTruncate') throw new BadRequest(`invalid bool value in connection_url: ${key}=${value}`);
    } else if (key === 'allowNativePasswords' && GO_TRUE.test(value)) {
      // The default: mysql2 speaks mysql_native_password.
    } else {
      // Go's driver would also take any other name as a session variable to SET; a typo would
      // then fail only at connect, so such names are refused here rather than guessed at.
      throw new BadRequest(`unsupported parameter in connection_url: ${key}`);
    }
  }
  if (tls && !options.ssl) options.ssl = tls;
  // A collation names its charset too and is the more exact of the two, so it wins, wherever it stands.
  const chosen = collation ?? charset;
  if (chosen !== undefined) options.charset = chosen;
  return options;
}

/** Vault's MySQL plugins create and drop users at host '%'. */
const HOST = '%';

/**
 * Closes a connection given back after `lifetimeMs`, as Go's SetConnMaxLifetime does for
 * Vault's plugin: mysql2's pool has no such setting.
 */
function limitLifetime(pool: mysql.Pool, lifetimeMs: number): void {
  const born = new WeakMap<object, number>();
  pool.on('connection', (c) => born.set(c, Date.now()));
  pool.on('release', (c) => {
    if (Date.now() - (born.get(c) ?? Date.now()) >= lifetimeMs) c.destroy();
  });
}

function connect(settings: ConnectionSettings): DatabaseConnection {
  const pool = mysql.createPool(dsnOptions(settings));
  pool.on('connection', (c) => c.on('error', () => undefined));
  if (settings.maxConnectionLifetime > 0) limitLifetime(pool, settings.maxConnectionLifetime * 1000);
  // DDL commits implicitly in MySQL: statements run one by one, not in a transaction.
  const run = async (queries: string[]) => { for (const q of queries) await pool.query(q); };
  const dropDefault = (username: string) => pool.query('DROP USER IF EXISTS ?@?', [username, HOST]);
  return {
    async verify() { await pool.query('SELECT 1'); },
    async createUser(statements, rollback, values) {
      try {
        await run(renderStatements(statements, values));
      } catch (err) {
        // Nothing may be left behind: the rollback statements, or else drop the half-made user.
        if (rollback.length > 0) await run(renderStatements(rollback, values)).catch(() => undefined);
        else await dropDefault(values.username).catch(() => undefined);
        throw err;
      }
    },
    async renewUser(statements, values) { await run(renderStatements(statements, values)); },
    async dropUser(statements, values) {
      if (statements.length > 0) await run(renderStatements(statements, values));
      else await dropDefault(values.username);
    },
    async setPassword(statements, values) {
      if (statements.length > 0) await run(renderStatements(statements, values));
      else await pool.query('ALTER USER ?@? IDENTIFIED BY ?', [values.username, HOST, values.password]);
    },
    async close() { await pool.end(); },
  };
}

const template = (display: number, role: number, limit: number) =>
  `{{ printf "v-%s-%s-%s-%s" (.DisplayName | truncate ${display}) (.RoleName | truncate ${role}) (random 20) (unix_time) | truncate ${limit} }}`;

/** mysql-database-plugin: MySQL 5.7+ and MariaDB, 32-character user names. */
export const mysqlDriver: DatabaseDriver = { usernameLimit: 32, defaultUsernameTemplate: template(10, 10, 32), connect };

/** The rds, aurora and legacy plugins: MySQL before 5.7, 16-character user names. */
export const mysqlLegacyDriver: DatabaseDriver = {
  usernameLimit: 16,
  defaultUsernameTemplate: '{{ printf "v-%s-%s" (.RoleName | truncate 4) (random 20) | truncate 16 }}',
  connect,
};

