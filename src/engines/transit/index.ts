// The transit secrets engine: encryption as a service, with Vault's API.
import { defineBackend, type Backend } from '../../core/backend.js';
import { keyCache } from './cache.js';
import { backupPath, restorePaths } from './paths/backup.js';
import { cacheConfigPath, keyConfigPath, keysConfigPath } from './paths/config.js';
import { datakeyPath } from './paths/datakey.js';
import { decryptPath, encryptPath, rewrapPath } from './paths/encrypt.js';
import { exportPaths } from './paths/export.js';
import { hmacPaths } from './paths/hmac.js';
import { importPath, importVersionPath, wrappingKeyPath } from './paths/import.js';
import { keyListPath, keyPath, rotatePath, trimPath } from './paths/keys.js';
import { hashPaths, randomPaths } from './paths/misc.js';
import { signPaths, verifyPaths } from './paths/sign.js';

/** The transit backend (one for every mount; per-mount state is keyed by the mount's uuid). */
export const transitBackend: Backend = defineBackend({
  type: 'transit',
  summary: 'Encrypt, sign and HMAC data with named keys that never leave the server.',
  paths: [
    keyPath, keyListPath, keyConfigPath, rotatePath, trimPath, cacheConfigPath, keysConfigPath,
    encryptPath, decryptPath, rewrapPath, datakeyPath,
    ...hmacPaths, ...signPaths, ...verifyPaths, ...hashPaths, ...randomPaths,
    ...exportPaths, backupPath, ...restorePaths, wrappingKeyPath, importPath, importVersionPath,
  ],
  onSeal: async () => keyCache.clear(),
  // Key changes are rare (rotate, config): any change in the mount drops its cached keys.
  invalidate: (_key, mountUuid) => keyCache.forgetMount(mountUuid),
});
