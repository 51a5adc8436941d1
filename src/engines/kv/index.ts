// The KV secrets engine, versions 1 and 2. One mount type, `kv`; options.version picks the
// backend, as in Vault (`kv-v2` is an alias of `kv` with version 2).
import { BadRequest } from '../../util/errors.js';
import { defineBackend, type Backend } from '../../core/backend.js';
import { configPath } from './paths/config.js';
import { dataPath } from './paths/data.js';
import { invalidPaths } from './paths/invalid.js';
import { metadataPath, metadataRootPath } from './paths/metadata.js';
import { subkeysPath } from './paths/subkeys.js';
import { versionPaths } from './paths/versions.js';
import { upgradeKvV1ToV2 } from './upgrade.js';
import { v1Paths } from './v1.js';

// The v1 → v2 conversion, for callers outside a tune.
export { upgradeKvV1ToV2 } from './upgrade.js';

/** The KV version options ask for: absent or "" is 1; anything but 1 or 2 is refused. */
export function kvVersionOf(options: Record<string, string>): 1 | 2 {
  const raw = (options.version ?? '').trim();
  if (raw === '') return 1;
  const n = Number(raw);
  if (n === 1 || n === 2) return n;
  throw new BadRequest(`invalid version provided: ${raw}`);
}

/** KV version 1: unversioned secrets. */
export const kvV1Backend: Backend = defineBackend({
  type: 'kv',
  summary: 'Unversioned key/value secret storage.',
  paths: v1Paths,
  // Vault: a tune to version 2 upgrades the data in place.
  onOptionsChange: async ({ storage, to, now }) => {
    if (kvVersionOf(to) === 2) await upgradeKvV1ToV2(storage, now);
  },
});

/** KV version 2: versioned secrets with metadata, check-and-set and soft delete. */
export const kvV2Backend: Backend = defineBackend({
  type: 'kv',
  summary: 'Versioned key/value secret storage.',
  paths: [configPath, dataPath, metadataPath, metadataRootPath, subkeysPath, ...versionPaths, ...invalidPaths],
  onOptionsChange: async ({ to }) => {
    if (kvVersionOf(to) === 1) throw new BadRequest('cannot downgrade mount from version 2');
  },
});

/** Picks the backend for a `kv` mount from its options. */
export const kvEngine = (options: Record<string, string>): Backend => (kvVersionOf(options) === 2 ? kvV2Backend : kvV1Backend);
