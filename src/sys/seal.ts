// Seal lifecycle endpoints: sys/init, sys/unseal, sys/seal, sys/seal-status and sys/health.
// All but sys/seal answer unauthenticated and while sealed, outside Vault's envelope.
import { BadRequest } from '../util/errors.js';
import { definePath, field } from '../core/path.js';
import type { Core } from '../core/core.js';
import { BUILD_DATE, VAULT_API_VERSION } from '../core/version.js';
import type { SealStatus } from '../barrier/seal.js';

/** Identity of this server that sys/health and sys/seal-status report once unsealed. */
export type ClusterInfo = { cluster_name: string; cluster_id: string; storage_type: string };

/** Vault's sys/seal-status body. */
export function sealStatusBody(status: SealStatus, cluster: ClusterInfo): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: status.type, initialized: status.initialized, sealed: status.sealed, t: status.t, n: status.n,
    progress: status.progress, nonce: status.nonce, version: VAULT_API_VERSION, build_date: BUILD_DATE,
    migration: status.migration, recovery_seal: status.recovery_seal, storage_type: cluster.storage_type,
  };
  // Vault reports the cluster identity only once unsealed.
  if (!status.sealed) Object.assign(body, { cluster_name: cluster.cluster_name, cluster_id: cluster.cluster_id });
  return body;
}

/** Decodes an unseal key share given as hex or base64. */
export function decodeKey(text: string): Buffer {
  if (/^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0) return Buffer.from(text, 'hex');
  const b = Buffer.from(text, 'base64');
  if (b.length === 0 || !/^[A-Za-z0-9+/_-]+=*$/.test(text)) {
    throw new BadRequest("'key' must be a valid hex or base64 string");
  }
  return b;
}

/** Query parameters of sys/health that override a status code. */
const healthCodeFields = {
  standbyok: field.bool({ description: 'Answer 200 rather than 429 on a standby.' }),
  perfstandbyok: field.bool({ description: 'Answer 200 rather than 473 on a performance standby.' }),
  activecode: field.int({ description: 'Status when active.', default: 200 }),
  standbycode: field.int({ description: 'Status when standby.', default: 429 }),
  drsecondarycode: field.int({ description: 'Status when a DR secondary.', default: 472 }),
  performancestandbycode: field.int({ description: 'Status when a performance standby.', default: 473 }),
  sealedcode: field.int({ description: 'Status when sealed.', default: 503 }),
  uninitcode: field.int({ description: 'Status when not initialised.', default: 501 }),
};

/** The health parameters that are status codes. */
const STATUS_CODE_FIELDS = ['activecode', 'standbycode', 'drsecondarycode', 'performancestandbycode', 'sealedcode', 'uninitcode'] as const;

/** The seal lifecycle paths of the system backend. */
export function sealPaths(core: Core, cluster: ClusterInfo) {
  const status = () => sealStatusBody(core.seal.status(), cluster);
  // A node that shares its store may have been initialised through another node.
  const refreshed = async () => { await core.seal.refresh(); return status(); };
  return [
    definePath({
      pattern: 'init', summary: 'Initialise a new server: create the root key and split it into key shares.',
      unauthenticated: true, whileSealed: true,
      fields: {
        secret_shares: field.int({ description: 'Number of key shares to split the root key into (Shamir seal).' }),
        secret_threshold: field.int({ description: 'Number of key shares needed to unseal (Shamir seal).' }),
        pgp_keys: field.strings({ description: 'Not supported: key shares are returned in clear.' }),
        root_token_pgp_key: field.string({ description: 'Not supported.' }),
        stored_shares: field.int({ description: 'Accepted for compatibility; must be 0.' }),
        recovery_shares: field.int({ description: 'Number of recovery key shares (auto seal).' }),
        recovery_threshold: field.int({ description: 'Number of recovery key shares needed to authorise (auto seal).' }),
        recovery_pgp_keys: field.strings({ description: 'Not supported: recovery key shares are returned in clear.' }),
      },
      operations: {
        read: async () => ({ raw: { status: 200, body: { initialized: (await refreshed()).initialized } } }),
        update: async ({ fields }) => {
          core.seal.checkInitParameters({
            secret_shares: fields.secret_shares !== 0, secret_threshold: fields.secret_threshold !== 0, pgp_keys: fields.pgp_keys.length > 0,
            recovery_shares: fields.recovery_shares !== 0, recovery_threshold: fields.recovery_threshold !== 0,
            recovery_pgp_keys: fields.recovery_pgp_keys.length > 0,
          });
          if (fields.pgp_keys.length > 0 || fields.recovery_pgp_keys.length > 0 || fields.root_token_pgp_key !== '') {
            throw new BadRequest('PGP-encrypted key shares are not supported');
          }
          const auto = core.seal.recoverySeal;
          const shares = auto ? fields.recovery_shares : fields.secret_shares;
          const threshold = auto ? fields.recovery_threshold : fields.secret_threshold;
          if (!auto && shares === 0) throw new BadRequest('missing required field "secret_shares"');
          if (!auto && threshold === 0) throw new BadRequest('missing required field "secret_threshold"');
          const { keys, recoveryKeys, rootToken } = await core.initialize(shares, threshold);
          const body: Record<string, unknown> = { keys: keys.map((k) => k.toString('hex')), keys_base64: keys.map((k) => k.toString('base64')), root_token: rootToken };
          if (auto) Object.assign(body, { recovery_keys: recoveryKeys.map((k) => k.toString('hex')), recovery_keys_base64: recoveryKeys.map((k) => k.toString('base64')) });
          for (const k of [...keys, ...recoveryKeys]) k.fill(0);
          return { raw: { status: 200, body } };
        },
      },
    }),
    definePath({
      pattern: 'seal-status', summary: 'Seal state, key-share threshold and unseal progress.',
      unauthenticated: true, whileSealed: true, fields: {},
      operations: { read: async () => ({ raw: { status: 200, body: await refreshed() } }) },
    }),
    definePath({
      pattern: 'unseal', summary: 'Submit one unseal key share, or reset the unseal attempt.',
      unauthenticated: true, whileSealed: true,
      fields: {
        key: field.string({ description: 'One key share, hex or base64.', sensitive: true }),
        reset: field.bool({ description: 'Discard the key shares given so far.' }),
        migrate: field.bool({ description: 'The key is for a pending seal migration (Shamir to auto seal or back).' }),
      },
      operations: {
        update: async ({ fields }) => {
          if (fields.reset) core.seal.resetUnseal();
          else if (fields.key === '') {
            throw new BadRequest("'key' must be specified in request body as JSON, or 'reset' set to true");
          } else await core.seal.unseal(decodeKey(fields.key), fields.migrate);
          return { raw: { status: 200, body: status() } };
        },
      },
    }),
    definePath({
      pattern: 'seal', summary: 'Seal the server: drop the keys from memory.', sudo: true, fields: {},
      operations: { update: async () => { await core.seal.seal(); } },
    }),
    definePath({
      pattern: 'health', summary: 'Health for load balancers: the status code tells the state.',
      unauthenticated: true, whileSealed: true, fields: healthCodeFields,
      operations: {
        read: async ({ fields }) => {
          // Every override is checked, used or not: a 1xx would break the connection's framing
          // (the client reads it as an interim answer), and Node refuses anything past 599.
          for (const name of STATUS_CODE_FIELDS) {
            const code = fields[name];
            if (code < 200 || code > 599) throw new BadRequest(`invalid status code ${code} for ${name}: must be between 200 and 599`);
          }
          await core.seal.refresh();
          const s = core.seal.status();
          // An HA standby answers standbycode (429) unless standbyok asks for the active code; one
          // that serves reads (standby_reads) is Vault's performance standby: 473 unless perfstandbyok.
          const standby = !s.sealed && core.ha !== undefined && !core.ha.serving;
          const perfStandby = standby && core.standbyReads?.ready === true;
          const code = !s.initialized ? fields.uninitcode : s.sealed ? fields.sealedcode
            : perfStandby ? (fields.perfstandbyok ? fields.activecode : fields.performancestandbycode)
              : standby && !fields.standbyok ? fields.standbycode : fields.activecode;
          const body = {
            initialized: s.initialized, sealed: s.sealed, standby, performance_standby: perfStandby,
            replication_performance_mode: 'disabled', replication_dr_mode: 'disabled',
            server_time_utc: Math.floor(core.clock.now() / 1000), version: VAULT_API_VERSION, enterprise: false,
            echo_duration_ms: 0, clock_skew_ms: 0, replication_primary_canary_age_ms: 0,
            ...(s.sealed ? {} : { cluster_name: cluster.cluster_name, cluster_id: cluster.cluster_id }),
          };
          return { raw: { status: code, body } };
        },
      },
    }),
  ];
}
