// Picks the physical backend named by the server's `storage` config block.

import { BadRequest } from '../util/errors.js';
import { openMemoryStorage } from './memory.js';
import { openSqliteStorage } from './sqlite.js';
import { openPostgresStorage } from './postgres.js';
import { openEtcdStorage } from './etcd.js';
import type { PhysicalStorage } from './storage.js';

export type { ListOptions, PhysicalStorage, Storage, WriteOp } from './storage.js';
export { scopedView } from './view.js';

/** The HA settings both shared backends take. */
export type HaSettings = { haEnabled: boolean; lockTtlMs: number };

/** `storage "postgresql"`. */
export type PostgresConfig = HaSettings & {
  type: 'postgresql'; connectionUrl: string; table?: string; haTable?: string; maxParallel?: number;
};

/** `storage "etcd"` (v3 API). */
export type EtcdConfig = HaSettings & {
  type: 'etcd'; hosts: string[]; path: string; username?: string; password?: string;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
};

/** The `storage` block of the server config. */
export type StorageConfig = { type: 'memory' } | { type: 'sqlite'; path: string } | PostgresConfig | EtcdConfig;

/** What backends may tell the operator while opening (a table created). */
export type StorageNotices = { info(message: string, fields?: Record<string, unknown>): void };

/** Opens the backend `config` names; an unknown type is refused with its name. */
export async function openStorage(config: StorageConfig, notices?: StorageNotices): Promise<PhysicalStorage> {
  switch (config.type) {
    case 'memory':
      return openMemoryStorage();
    case 'postgresql':
      return openPostgresStorage({
        connectionUrl: config.connectionUrl, table: config.table, haTable: config.haTable,
        maxParallel: config.maxParallel, haEnabled: config.haEnabled, lockTtlMs: config.lockTtlMs,
        onCreated: (table) => notices?.info('postgresql storage: created table', { table }),
      });
    case 'etcd':
      return openEtcdStorage({
        hosts: config.hosts, path: config.path, username: config.username, password: config.password,
        tls: config.tls, haEnabled: config.haEnabled, lockTtlMs: config.lockTtlMs,
      });
    case 'sqlite':
      if (typeof config.path !== 'string' || config.path === '') {
        throw new BadRequest('sqlite storage: "path" is required');
      }
      return openSqliteStorage({ path: config.path });
    default: {
      // Config files are parsed at run time, so the type system's "never" can still happen.
      const type: unknown = (config as { type?: unknown }).type;
      throw new BadRequest(`unknown storage type ${JSON.stringify(type)}`);
    }
  }
}
