// Database drivers by Vault plugin name: the connection layer shared by every engine that talks to databases.
import { mysqlDriver, mysqlLegacyDriver } from './mysql.js';
import { postgresDriver } from './postgres.js';
import type { DatabaseDriver } from './types.js';

export type { ConnectionSettings, DatabaseConnection, DatabaseDriver, StatementValues } from './types.js';
export { scrubMessage } from './statements.js';
export { queryParams, withoutParams } from './url-query.js';

const DRIVERS: ReadonlyMap<string, DatabaseDriver> = new Map([
  ['postgresql-database-plugin', postgresDriver],
  ['mysql-database-plugin', mysqlDriver],
  ['mysql-rds-database-plugin', mysqlLegacyDriver],
  ['mysql-aurora-database-plugin', mysqlLegacyDriver],
  ['mysql-legacy-database-plugin', mysqlLegacyDriver],
]);

/** The driver for a plugin name, or undefined for one we do not have. */
export const driverFor = (pluginName: string): DatabaseDriver | undefined => DRIVERS.get(pluginName);

/** Every plugin name we serve. */
export const pluginNames = (): string[] => [...DRIVERS.keys()];
