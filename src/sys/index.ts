// The system backend, mounted at sys/: seal lifecycle, keyring, and (as they land) mounts,
// policies, leases and audit.
import { defineBackend, type Backend } from '../core/backend.js';
import type { Core } from '../core/core.js';
import { keyPaths } from './keys.js';
import { sealPaths, type ClusterInfo } from './seal.js';

/** Builds the system backend for one core. */
export function systemBackend(core: Core, cluster: ClusterInfo): Backend {
  return defineBackend({
    type: 'system',
    summary: 'System endpoints used for control, policy and debugging.',
    paths: [...sealPaths(core, cluster), ...keyPaths(core)],
  });
}
