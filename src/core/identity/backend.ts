// The backend mounted at identity/ (always, like sys/): entities, aliases, groups, lookups.
import { defineBackend, type Backend } from '../backend.js';
import { aliasPaths } from './paths/alias.js';
import type { StoreRef } from './paths/common.js';
import { entityPaths } from './paths/entity.js';
import { groupPaths } from './paths/group.js';
import { lookupPaths } from './paths/lookup.js';

/** Builds the identity backend over the store core opens at each unseal. */
export function identityBackend(store: StoreRef): Backend {
  return defineBackend({
    type: 'identity',
    summary: 'Identity store: entities, entity aliases, groups and group aliases.',
    paths: [...entityPaths(store), ...aliasPaths(store), ...groupPaths(store), ...lookupPaths(store)],
  });
}
