// Picks the physical backend named by the server's `storage` config block.

import { BadRequest } from '../util/errors.js';
import { openMemoryStorage } from './memory.js';
import { openSqliteStorage } from './sqlite.js';
import type { PhysicalStorage } from './storage.js';

export type { ListOptions, PhysicalStorage, Storage, WriteOp } from './storage.js';
export { scopedView } from './view.js';

/** The `storage` block of the server config. */
export type StorageConfig = { type: 'memory' } | { type: 'sqlite'; path: string };

/** Opens the backend `config` names; an unknown type is refused with its name. */
export function openStorage(config: StorageConfig): PhysicalStorage {
  switch (config.type) {
    case 'memory':
      return openMemoryStorage();
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
