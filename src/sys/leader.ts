// sys/leader and sys/step-down: high-availability status and hand-over. Without an HA backend
// a node answers `ha_enabled: false` like a Vault server without one, sealed or not (Vault
// checks for HA before it checks the seal). With HA, a sealed node answers Vault's 500
// "Vault is sealed"; an unsealed one names the active node, whichever node is asked.
// node-vault's leader() and hvac's read_leader_status read it.
import { definePath } from '../core/path.js';
import type { Core } from '../core/core.js';
import { BadRequest } from '../util/errors.js';

// Go's zero time, which Vault reports as active_time on a standby.
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The sys/leader and sys/step-down paths of the system backend. */
export function leaderPaths(core: Core) {
  return [
    definePath({
      pattern: 'leader', summary: 'High-availability status and the active node.',
      unauthenticated: true, whileSealed: true, fields: {},
      operations: {
        read: async () => {
          const ha = core.ha;
          // A read-serving standby is Vault's performance standby; its last remote WAL is the
          // store revision its change feed has reached.
          const reads = ha?.standby && core.standbyReads?.ready ? core.standbyReads : undefined;
          const common = { performance_standby: reads !== undefined, performance_standby_last_remote_wal: reads?.feed.revision ?? 0 };
          if (!ha) {
            return { raw: { status: 200, body: { ha_enabled: false, is_self: false, active_time: ZERO_TIME, leader_address: '', leader_cluster_address: '', ...common } } };
          }
          if (core.seal.status().sealed) return { raw: { status: 500, body: { errors: ['Vault is sealed'] } } };
          const leader = await ha.leader();
          return {
            raw: {
              status: 200,
              body: {
                ha_enabled: true, is_self: leader.isSelf,
                active_time: leader.activeTime === undefined ? ZERO_TIME : new Date(leader.activeTime).toISOString(),
                leader_address: leader.leaderAddress, leader_cluster_address: leader.leaderClusterAddress, ...common,
              },
            },
          };
        },
      },
    }),
    definePath({
      pattern: 'ha-status', summary: 'The nodes of the HA cluster: the active one and the standbys heard from lately.', fields: {},
      operations: {
        read: async () => {
          if (!core.ha) throw new BadRequest('high availability is not enabled');
          const nodes = (await core.ha.members()).map((m) => ({
            hostname: m.hostname, api_address: m.apiAddr, cluster_address: m.clusterAddr, active_node: m.active,
            // Vault: the active node does not echo to itself.
            last_echo: m.active ? null : new Date(m.lastEcho).toISOString(), version: m.version,
          }));
          return { raw: { status: 200, body: { Nodes: nodes } } };
        },
      },
    }),
    definePath({
      // Reaches only the active node: a standby forwards it there like any other request.
      pattern: 'step-down', summary: 'Give up the active role so that a standby takes over.', sudo: true, fields: {},
      operations: {
        update: async () => {
          if (!core.ha) throw new BadRequest('high availability is not enabled');
          // Answered first, handed over after: tearing down waits for requests in flight, this one included.
          setImmediate(() => void core.ha?.stepDown().catch((error: unknown) => core.log.error('ha: step-down failed', { error })));
        },
      },
    }),
  ];
}
