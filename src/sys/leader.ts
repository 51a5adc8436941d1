// sys/leader: high-availability status. Lockbox has no HA yet, so like a Vault server without
// an HA backend it answers `ha_enabled: false` — unauthenticated, and sealed or not (Vault
// checks for HA before it checks the seal). node-vault's leader() and hvac's ha_status read it.
import { definePath } from '../core/path.js';

/** The sys/leader path of the system backend. */
export function leaderPaths() {
  return [
    definePath({
      pattern: 'leader', summary: 'High-availability status and the active node: HA is not enabled.',
      unauthenticated: true, whileSealed: true, fields: {},
      operations: {
        read: async () => ({
          raw: {
            status: 200,
            body: {
              ha_enabled: false, is_self: false, active_time: '0001-01-01T00:00:00Z', leader_address: '',
              leader_cluster_address: '', performance_standby: false, performance_standby_last_remote_wal: 0,
            },
          },
        }),
      },
    }),
  ];
}
