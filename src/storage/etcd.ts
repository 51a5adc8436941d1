// etcd backend (v3 API through the etcd3 client), in the shape of Vault's `storage "etcd"`.
// Entries live under `<path>kv/`, the HA lock at `<path>ha/lock`, so no storage key can ever
// collide with the lock. etcd orders keys bytewise, which is the order listing needs.
//
// Writes go through group commit; each batch is one etcd transaction. etcd refuses a request
// above 1.5 MiB and a transaction above 128 operations, so a batch is cut to fit, and a single
// write or transaction that cannot fit is refused up front with a clear 400 — never sent in
// pieces, so never half-applied.
//
// With ha_enabled, the lock key is created with a lease of `lock_timeout`, renewed by the
// holder; its create revision is the hold's generation, and every batch of an active node
// carries a compare on it (fencing): once the lease lapses the key is gone and the compare fails.
import { Etcd3, type IOptions, type IRequestOp, type ICompare, type Lease } from 'etcd3';
import { BadRequest, Internal } from '../util/errors.js';
import { HaLock, LockLost, type LockHolder, type LockPrimitives, type Member } from './ha.js';
import { networkedStorage, type NetworkedStorage } from './networked.js';
import { FeedState } from './feed.js';
import { followPrefix } from './etcd-feed.js';
import type { WriteOp } from './storage.js';

/** etcd's default --max-request-bytes. */
export const ETCD_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
/** etcd's default --max-txn-ops. */
export const ETCD_MAX_TXN_OPS = 128;
// Room in a request for the compare, the op framing and the key.
const REQUEST_OVERHEAD = 8 * 1024;
/** The largest value one write may carry. */
export const ETCD_MAX_VALUE_BYTES = ETCD_MAX_REQUEST_BYTES - REQUEST_OVERHEAD;
// Keys are capped too, so that a value at the limit plus its key still fits one request.
const MAX_KEY_BYTES = 4 * 1024;
const PER_OP_OVERHEAD = 64;
// What a whole batch may add up to: the limit less room for the compare and the framing.
const MAX_BATCH_BYTES = ETCD_MAX_REQUEST_BYTES - 1024;

/** The `storage "etcd"` settings. */
export type EtcdOptions = {
  hosts: string[];
  /** Prefix of everything this cluster stores; ends in '/'. */
  path: string;
  username?: string;
  password?: string;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  haEnabled?: boolean;
  lockTtlMs?: number;
};

/** An etcd storage; `ha` is present when ha_enabled. */
export type EtcdStorage = NetworkedStorage;

/** Connects and checks that etcd answers. */
export async function openEtcdStorage(options: EtcdOptions): Promise<EtcdStorage> {
  if (!options.path.endsWith('/')) throw new BadRequest('etcd storage: path must end with "/"');
  const client = new Etcd3(clientOptions(options));
  const dataPrefix = `${options.path}kv/`;
  const lockKey = Buffer.from(`${options.path}ha/lock`);
  const data = client.namespace(dataPrefix);
  try {
    await data.get('core/keyring').exists();
  } catch (cause) {
    client.close();
    throw new BadRequest(`etcd storage: cannot reach ${options.hosts.join(', ')}`, { cause });
  }
  const lock = options.haEnabled ? etcdLock(client, lockKey, options.lockTtlMs ?? 15_000) : undefined;
  // HA nodes follow the data prefix (standby reads, X-Vault-Index).
  const feed = options.haEnabled ? new FeedState() : undefined;
  const stopFeed = feed ? await followPrefix(client, dataPrefix, feed) : undefined;
  const full = (key: string) => Buffer.from(dataPrefix + key);

  return networkedStorage({
    ha: lock?.ha,
    feed,
    async get(key) {
      return (await data.get(key).buffer()) ?? undefined;
    },
    // '\0' as the range end means "to the end of the namespace".
    scanPage: (from, inclusive, max) => data.getAll()
      .inRange({ start: inclusive ? from : `${from}\0`, end: '\0' }).sort('Key', 'Ascend').limit(max).keys(),
    async applyBatch(ops) {
      const generation = lock?.ha.fence.check();
      const compare: ICompare[] = generation === undefined ? []
        : [{ key: lockKey, target: 'Create', result: 'Equal', create_revision: generation }];
      const success: IRequestOp[] = ops.map(({ key, value }) => value === undefined
        ? { request_delete_range: { key: full(key) } }
        : { request_put: { key: full(key), value } });
      let result: Awaited<ReturnType<typeof client.kv.txn>>;
      try {
        result = await client.kv.txn({ compare, success });
      } catch (cause) {
        throw new Internal('storage commit failed', { cause });
      }
      if (!result.succeeded) throw new LockLost();
      feed?.committed(Number(result.header.revision));
    },
    fits: (batch, next) =>
      batch.length + next.length <= ETCD_MAX_TXN_OPS && requestBytes(batch) + requestBytes(next) <= MAX_BATCH_BYTES,
    admit: admitWrites,
    async close() {
      await stopFeed?.();
      await lock?.ha.release();
      client.close();
    },
  });
}

// Refused before queueing: what etcd would refuse is never partly sent.
function admitWrites(ops: WriteOp[]): void {
  if (ops.length > ETCD_MAX_TXN_OPS) {
    throw new BadRequest(`etcd storage: a transaction of ${ops.length} writes exceeds etcd's limit of ${ETCD_MAX_TXN_OPS}`);
  }
  for (const op of ops) {
    if (Buffer.byteLength(op.key) > MAX_KEY_BYTES) throw new BadRequest(`etcd storage: keys are limited to ${MAX_KEY_BYTES} bytes`);
    if ((op.value?.length ?? 0) > ETCD_MAX_VALUE_BYTES) {
      throw new BadRequest(`etcd storage: a value of ${op.value?.length} bytes exceeds the limit of ${ETCD_MAX_VALUE_BYTES}`);
    }
  }
  const bytes = requestBytes(ops);
  if (bytes > MAX_BATCH_BYTES) throw new BadRequest(`etcd storage: a transaction of ${bytes} bytes exceeds etcd's request limit`);
}

function requestBytes(ops: readonly WriteOp[]): number {
  let n = 0;
  for (const op of ops) n += Buffer.byteLength(op.key) + (op.value?.length ?? 0) + PER_OP_OVERHEAD;
  return n;
}

function clientOptions(options: EtcdOptions): IOptions {
  const opts: IOptions = {
    hosts: options.hosts,
    // A store that does not answer fails the request rather than hanging it.
    defaultCallOptions: () => ({ deadline: Date.now() + 10_000 }),
  };
  if (options.username !== undefined) opts.auth = { username: options.username, password: options.password ?? '' };
  if (options.tls?.ca) {
    opts.credentials = { rootCertificate: options.tls.ca, privateKey: options.tls.key, certChain: options.tls.cert };
  }
  return opts;
}

/** The lease-backed lock key. */
function etcdLock(client: Etcd3, lockKey: Buffer, ttlMs: number) {
  let lease: Lease | undefined;
  let memberLease: Lease | undefined;
  const membersPrefix = `${lockKey.toString().slice(0, -'lock'.length)}members/`;
  const ttlSeconds = Math.max(1, Math.ceil(ttlMs / 1000));
  const primitives: LockPrimitives = {
    async take(me) {
      const candidate = client.lease(ttlSeconds, { autoKeepAlive: false });
      const id = await candidate.grant();
      const result = await client.kv.txn({
        compare: [{ key: lockKey, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: lockKey, value: Buffer.from(JSON.stringify(me)), lease: id } }],
      });
      if (!result.succeeded) {
        await candidate.revoke().catch(() => undefined);
        return undefined;
      }
      lease = candidate;
      // The transaction's revision is the key's create revision: the hold's generation.
      return Number(result.header.revision);
    },
    async renew() {
      const response = await lease?.keepaliveOnce();
      return response !== undefined && Number(response.TTL) > 0;
    },
    async release() {
      const held = lease;
      lease = undefined;
      await held?.revoke();
    },
    // Each member's key lives on a short lease of its own, so a dead node's entry lapses.
    async announce(member, ttl) {
      const lease = client.lease(Math.max(1, Math.ceil(ttl / 1000)), { autoKeepAlive: false });
      const id = await lease.grant();
      await client.kv.put({ key: Buffer.from(`${membersPrefix}${member.nodeId}`), value: Buffer.from(JSON.stringify({ ...member, lastEcho: Date.now() })), lease: id });
      const previous = memberLease;
      memberLease = lease;
      await previous?.revoke().catch(() => undefined);
    },
    async members() {
      const found = await client.getAll().prefix(membersPrefix).sort('Key', 'Ascend').strings();
      return Object.values(found).map((json) => JSON.parse(json) as Member);
    },
    async holder() {
      const value = await client.get(lockKey.toString()).string();
      return value === null ? undefined : JSON.parse(value) as LockHolder;
    },
  };
  return { ha: new HaLock(primitives, ttlMs) };
}
