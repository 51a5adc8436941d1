// Lease records, persisted through the barrier: the entry under its id, plus an index by
// owning token so that revoking a token finds its leases without a scan.
import type { Storage } from '../../storage/storage.js';
import { schedule, unschedule } from './queue.js';

/** A stored lease. Times are milliseconds since the epoch. */
export type LeaseEntry = {
  lease_id: string;
  /** The request path that created it (the lease id less its random suffix). */
  path: string;
  /** Which mount's backend revokes and renews it. */
  mount_uuid: string;
  /** Id of the token that created it; '' when none (it then outlives every token). */
  token_id: string;
  /** The engine's own record of what to revoke (e.g. a database user name). */
  internal: Record<string, unknown>;
  /** The secret's data as first returned, for engines whose renew or revoke needs it. */
  data: Record<string, unknown>;
  issue_time: number;
  expire_time: number;
  last_renewal: number | null;
  renewable: boolean;
  /** Latest moment any renewal may reach (issue time + the effective max TTL). */
  max_expire_time: number;
  /** Failed revocation attempts so far; the next one is scheduled with backoff. */
  revoke_attempts: number;
};

const idKey = (leaseId: string) => `id/${leaseId}`;
const tokenKey = (tokenId: string, leaseId: string) => `by-token/${tokenId}/${Buffer.from(leaseId).toString('base64url')}`;

/** Typed access to the lease records under the expiration manager's storage. */
export const leaseRecords = {
  /** The lease with this id. */
  async get(storage: Storage, leaseId: string): Promise<LeaseEntry | undefined> {
    const raw = await storage.get(idKey(leaseId));
    return raw ? (JSON.parse(raw.toString('utf8')) as LeaseEntry) : undefined;
  },

  /** Stores a new lease with its indexes, in one transaction. */
  async create(storage: Storage, lease: LeaseEntry): Promise<void> {
    await storage.transaction(async (tx) => {
      await tx.put(idKey(lease.lease_id), Buffer.from(JSON.stringify(lease)));
      if (lease.token_id) await tx.put(tokenKey(lease.token_id, lease.lease_id), Buffer.alloc(0));
      await schedule(tx, { at: lease.expire_time, kind: 'lease', id: lease.lease_id });
    });
  },

  /** Rewrites a lease whose expiry moved (renewal, retry backoff). */
  async reschedule(storage: Storage, before: LeaseEntry, after: LeaseEntry): Promise<void> {
    await storage.transaction(async (tx) => {
      await unschedule(tx, { at: before.expire_time, kind: 'lease', id: before.lease_id });
      await tx.put(idKey(after.lease_id), Buffer.from(JSON.stringify(after)));
      await schedule(tx, { at: after.expire_time, kind: 'lease', id: after.lease_id });
    });
  },

  /** Removes a lease and its indexes. */
  async remove(storage: Storage, lease: LeaseEntry): Promise<void> {
    await storage.transaction(async (tx) => {
      await tx.delete(idKey(lease.lease_id));
      if (lease.token_id) await tx.delete(tokenKey(lease.token_id, lease.lease_id));
      await unschedule(tx, { at: lease.expire_time, kind: 'lease', id: lease.lease_id });
    });
  },

  /** Ids of the leases a token created. */
  async ofToken(storage: Storage, tokenId: string): Promise<string[]> {
    const names = await storage.list(`by-token/${tokenId}/`);
    return names.map((n) => Buffer.from(n, 'base64url').toString('utf8'));
  },

  /** Every lease id under a prefix of lease ids, depth first, in key order. */
  async idsUnder(storage: Storage, prefix: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (folder: string) => {
      for (const child of await storage.list(`id/${folder}`)) {
        if (child.endsWith('/')) await walk(folder + child);
        else out.push(folder + child);
      }
    };
    const folder = prefix.endsWith('/') || prefix === '' ? prefix : prefix.slice(0, prefix.lastIndexOf('/') + 1);
    await walk(folder);
    return out.filter((id) => id.startsWith(prefix));
  },

  /** Direct children of a folder of lease ids (sys/leases/lookup/:prefix). */
  async children(storage: Storage, folder: string): Promise<string[]> {
    return storage.list(`id/${folder}`);
  },
};
