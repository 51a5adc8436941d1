// The cluster's name and id, made once and kept in storage (behind the barrier, as Vault keeps
// core/cluster/local/info), so sys/health and seal-status report the same identity after every
// restart. A cluster_name in the config file wins over the stored name, as in Vault.
import { randomUUID } from 'node:crypto';
import type { Storage } from '../storage/storage.js';

const CLUSTER_INFO_PATH = 'core/cluster/local/info';

export type ClusterIdentity = { cluster_name: string; cluster_id: string };

/** Reads the stored identity, creating (and storing) it on the first unseal. */
export async function loadClusterIdentity(barrier: Storage, configuredName: string | undefined): Promise<ClusterIdentity> {
  const raw = await barrier.get(CLUSTER_INFO_PATH);
  let stored: Partial<ClusterIdentity> = {};
  if (raw !== undefined) {
    try { stored = JSON.parse(raw.toString('utf8')) as Partial<ClusterIdentity>; } catch { stored = {}; }
  }
  const identity: ClusterIdentity = {
    cluster_id: typeof stored.cluster_id === 'string' && stored.cluster_id !== '' ? stored.cluster_id : randomUUID(),
    cluster_name: configuredName ?? (typeof stored.cluster_name === 'string' && stored.cluster_name !== ''
      ? stored.cluster_name : `lockbox-cluster-${randomUUID().slice(0, 8)}`),
  };
  if (identity.cluster_id !== stored.cluster_id || identity.cluster_name !== stored.cluster_name) {
    await barrier.put(CLUSTER_INFO_PATH, Buffer.from(JSON.stringify(identity), 'utf8'));
  }
  return identity;
}
