// The system backend, mounted at sys/: seal lifecycle, keyring, mounts, policies and (as they
// land) leases and audit.
import { defineBackend, type Backend } from '../core/backend.js';
import type { Core } from '../core/core.js';
import { keyPaths } from './keys.js';
import { mountPaths } from './mounts.js';
import { policyPaths } from './policies.js';
import { passwordPolicyPaths } from './password-policies.js';
import { capabilityPaths } from './capabilities.js';
import { leasePaths } from './leases.js';
import { wrappingPaths } from './wrapping.js';
import { sealPaths, type ClusterInfo } from './seal.js';
import { generateRootPaths, rekeyPaths } from './rekey.js';
import { metricsPaths } from './metrics.js';
import { DEFAULT_TELEMETRY, type TelemetryOptions } from '../util/telemetry.js';
import { auditPaths } from '../audit/index.js';
import { leaderPaths } from './leader.js';
import { versionHistoryPaths } from './version-history.js';
import { lockedUserPaths } from './locked-users.js';
import { hostInfoPaths } from './host-info.js';
import { inFlightPaths } from './in-flight.js';
import { configStatePaths, type SanitizedConfig } from './config-state.js';

/** Builds the system backend for one core. */
export function systemBackend(core: Core, cluster: ClusterInfo, telemetry: TelemetryOptions = DEFAULT_TELEMETRY,
  config: SanitizedConfig = () => ({})): Backend {
  return defineBackend({
    type: 'system',
    summary: 'System endpoints used for control, policy and debugging.',
    paths: [
      ...sealPaths(core, cluster), ...keyPaths(core), ...mountPaths(core), ...policyPaths(core), ...passwordPolicyPaths(core), ...capabilityPaths(core),
      ...leasePaths(core), ...wrappingPaths(core), ...auditPaths(core), ...leaderPaths(core), ...versionHistoryPaths(core),
      ...rekeyPaths(core), ...generateRootPaths(core), ...lockedUserPaths(core), ...metricsPaths(telemetry),
      ...hostInfoPaths(core), ...configStatePaths(core, config), ...inFlightPaths(core),
    ],
  });
}
