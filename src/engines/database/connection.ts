// Open connections of every database mount, one pool per stored connection config. A pool is
// named by the config's random connection_id, so rewriting a config (or rotating its root
// password) starts a new pool and closes the old; seal closes them all.
import { BadRequest, LockboxError } from '../../util/errors.js';
import { driverFor, scrubMessage, type ConnectionSettings, type DatabaseConnection, type DatabaseDriver } from '../../util/sql/index.js';
import type { Storage } from '../../storage/storage.js';
import { connections, type ConnectionConfig } from './store.js';
import { isKeywordString, keywordsToUrl } from './pg-keywords.js';
import { takeInlineCertificates } from './ssl-inline.js';

/** A database's own failure, told to the caller with every credential removed. */
export class DatabaseFailure extends LockboxError {
  override readonly status: number;
  constructor(status: number, what: string, cause: unknown, secrets: string[]) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`${what}: ${scrubMessage(detail, secrets)}`);
    this.status = status;
  }
}

/**
 * A failure Vault's engine answers with 500 and its own text (a missing connection, a role the
 * connection does not allow): the message is shown, unlike core's Internal.
 */
export class EngineFailure extends LockboxError {
  override readonly status = 500;
}

/** Vault's error for a connection name with no stored config. */
export const missingConnection = (name: string) => new EngineFailure(`failed to find entry for connection with name: "${name}"`);

/** A stored connection, or Vault's error for a name without one. */
export async function storedConnection(storage: Storage, name: string): Promise<ConnectionConfig> {
  const config = await connections(storage).get(name);
  if (!config) throw missingConnection(name);
  return config;
}

const pools = new Map<string, DatabaseConnection>();

/** The driver of a config, or Vault's error for a plugin we do not have. */
export function driverOf(config: Pick<ConnectionConfig, 'plugin_name'>): DatabaseDriver {
  const driver = driverFor(config.plugin_name);
  if (!driver) throw new BadRequest(`unknown plugin_name "${config.plugin_name}"`);
  return driver;
}

/** Vault's name of the PostgreSQL plugin. */
export const POSTGRES = 'postgresql-database-plugin';

/** The connection URL in the form the driver reads: a PostgreSQL keyword/value string becomes a URL. */
export function driverUrl(config: Pick<ConnectionConfig, 'plugin_name' | 'connection_url'>): string {
  return config.plugin_name === POSTGRES && isKeywordString(config.connection_url) ? keywordsToUrl(config.connection_url) : config.connection_url;
}

type SettingsSource = Omit<ConnectionConfig, 'connection_id' | 'pending_password'>;

/** The driver's settings for a config; a PostgreSQL URL's sslinline PEM becomes its TLS settings. */
export function settingsOf(config: SettingsSource, password = config.password): ConnectionSettings {
  const url = driverUrl(config);
  const inline = config.plugin_name === POSTGRES ? takeInlineCertificates(url) : undefined;
  return {
    connectionUrl: inline?.url ?? url, username: config.username, password,
    disableEscaping: config.disable_escaping, maxOpenConnections: config.max_open_connections,
    maxIdleConnections: config.max_idle_connections, maxConnectionLifetime: config.max_connection_lifetime,
    tls: inline?.tls ?? { ca: config.tls_ca, certificate: config.tls_certificate, privateKey: config.private_key },
  };
}

/** Opens a pool for a config that is not stored yet, or with another password. */
export function openUncached(config: ConnectionConfig, password = config.password): DatabaseConnection {
  return driverOf(config).connect(settingsOf(config, password));
}

/** The pool of a stored config, opened on first use. */
export function connectionOf(config: ConnectionConfig): DatabaseConnection {
  let conn = pools.get(config.connection_id);
  if (!conn) {
    conn = openUncached(config);
    pools.set(config.connection_id, conn);
  }
  return conn;
}

/** Closes one config's pool (config rewritten, deleted or reset). */
export async function closeConnection(connectionId: string): Promise<void> {
  const conn = pools.get(connectionId);
  pools.delete(connectionId);
  await conn?.close().catch(() => undefined);
}

/** Closes every pool (before seal). */
export async function closeAllConnections(): Promise<void> {
  await Promise.all([...pools.keys()].map(closeConnection));
}

/** Runs a database call; its failure becomes a DatabaseFailure that names no credential. */
export async function talk<T>(what: string, secrets: string[], fn: () => Promise<T>, status = 500): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LockboxError) throw err;
    throw new DatabaseFailure(status, what, err, secrets);
  }
}
