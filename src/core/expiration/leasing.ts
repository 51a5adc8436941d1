// Leases as the API sees them: registering the secret a handler returned, lookup, renewal
// within the maximum TTLs, and revocation one by one, by prefix or by owning token.
import { BadRequest, Internal } from '../../util/errors.js';
import { poolRandomBytes } from '../../util/random-pool.js';
import type { Clock } from '../../util/clock.js';
import { formatDuration } from '../../util/duration.js';
import type { MountEntry, MountTable } from '../mounts.js';
import type { SecretLease } from '../request.js';
import { leaseRecords, type LeaseEntry } from './leases.js';
import type { ExpirationManager } from './manager.js';
import type { TokenLeases } from '../tokens/leases.js';
import { namesWithFolders } from './folders.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// Lease ids are shown to clients and are no secret: their randomness comes from the pool.
const randomSuffix = () => [...poolRandomBytes(24)].map((b) => BASE62[b % 62]).join('');

/** Server-wide lease defaults. */
export type LeaseDefaults = { defaultLeaseTtl: number; maxLeaseTtl: number };

/** The lease half of the expiration manager. */
export class Leases {
  readonly #manager: ExpirationManager;
  readonly #mounts: MountTable;
  readonly #clock: Clock;
  readonly #defaults: LeaseDefaults;

  constructor(manager: ExpirationManager, mounts: MountTable, clock: Clock, defaults: LeaseDefaults) {
    this.#manager = manager;
    this.#mounts = mounts;
    this.#clock = clock;
    this.#defaults = defaults;
  }

  get #storage() {
    return this.#manager.storage;
  }

  /** Records the lease of a secret a handler returned; answers its id and granted TTL. */
  async register(input: { path: string; mount: MountEntry; tokenId: string; secret: SecretLease; data: Record<string, unknown> }) {
    const now = this.#clock.now();
    const mountMax = input.mount.config.max_lease_ttl || this.#defaults.maxLeaseTtl;
    const maxTtl = input.secret.maxTtl ? Math.min(input.secret.maxTtl, mountMax) : mountMax;
    const wanted = input.secret.ttl || input.mount.config.default_lease_ttl || this.#defaults.defaultLeaseTtl;
    const ttl = Math.min(wanted, maxTtl);
    const lease: LeaseEntry = {
      lease_id: `${input.path}/${randomSuffix()}`, path: input.path, mount_uuid: input.mount.uuid, token_id: input.tokenId,
      internal: input.secret.internal ?? {}, data: input.data, issue_time: now, expire_time: now + ttl * 1000,
      last_renewal: null, renewable: input.secret.renewable, max_expire_time: now + maxTtl * 1000, revoke_attempts: 0,
    };
    await leaseRecords.create(this.#storage, lease);
    this.#manager.noteExpiry(lease.expire_time);
    return { leaseId: lease.lease_id, ttl };
  }

  /** A lease by id, or a 400 as Vault answers for an unknown lease. */
  async get(leaseId: string): Promise<LeaseEntry> {
    const lease = leaseId ? await leaseRecords.get(this.#storage, leaseId) : undefined;
    if (!lease) throw new BadRequest('invalid lease');
    return lease;
  }

  /** Vault's sys/leases/lookup answer. */
  async lookup(leaseId: string): Promise<Record<string, unknown>> {
    const lease = await this.get(leaseId);
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      id: lease.lease_id, issue_time: iso(lease.issue_time), expire_time: iso(lease.expire_time),
      last_renewal: lease.last_renewal === null ? null : iso(lease.last_renewal), renewable: lease.renewable,
      ttl: Math.max(0, Math.round((lease.expire_time - this.#clock.now()) / 1000)),
    };
  }

  #tokens: TokenLeases | undefined;

  /** The tokens that count as leases (core sets this once the token store exists). */
  get tokens(): TokenLeases | undefined {
    return this.#tokens;
  }

  /** Also gives the manager the bulk expiry of tokens, which needs the leases and cubbyholes. */
  set tokens(tokens: TokenLeases | undefined) {
    this.#tokens = tokens;
    this.#manager.bulkTokens = tokens && ((items, submitted) => tokens.revokeDue(items, (ids) => this.#attached(ids), submitted));
  }

  /**
   * Which of these tokens have leases or a cubbyhole: their revocation runs the revocation
   * hooks (revoke the leases, destroy the cubbyhole), which for the others would do nothing.
   */
  async #attached(ids: string[]): Promise<Set<string>> {
    const cubbyhole = this.#mounts.get('mounts', 'cubbyhole/');
    const [leased, boxes] = await Promise.all([
      namesWithFolders(this.#storage, 'by-token/', ids),
      cubbyhole ? namesWithFolders(this.#mounts.viewOf(cubbyhole), '', ids) : new Set<string>(),
    ]);
    for (const id of boxes) leased.add(id);
    return leased;
  }

  /** Direct children of a folder of lease ids, token leases included. */
  async list(folder: string): Promise<string[]> {
    const names = new Set(await leaseRecords.children(this.#storage, folder));
    for (const id of (await this.tokens?.ids()) ?? []) {
      if (!id.startsWith(folder)) continue;
      const rest = id.slice(folder.length);
      const slash = rest.indexOf('/');
      names.add(slash === -1 ? rest : rest.slice(0, slash + 1));
    }
    return [...names].sort();
  }

  /** Extends a lease by `increment` (0: its original TTL), never past its maximum. */
  renew(leaseId: string, increment: number): Promise<{ lease: LeaseEntry; ttl: number; warnings: string[] }> {
    // Under the lease's lock, on a fresh read: see ExpirationManager.leaseLock.
    return this.#manager.leaseLock.run(leaseId, () => this.#renewNow(leaseId, increment));
  }

  async #renewNow(leaseId: string, increment: number): Promise<{ lease: LeaseEntry; ttl: number; warnings: string[] }> {
    const lease = await leaseRecords.get(this.#storage, leaseId);
    if (!lease) throw new BadRequest('lease not found');
    const now = this.#clock.now();
    // Vault's order: a lease past its expiry (not yet revoked by the expiry pass) is refused as
    // such before renewability is looked at; at its very end it is not past it yet.
    if (lease.expire_time < now) throw new BadRequest('lease expired');
    if (!lease.renewable) throw new BadRequest('lease is not renewable');
    const original = Math.round((lease.expire_time - (lease.last_renewal ?? lease.issue_time)) / 1000);
    const wanted = increment > 0 ? increment : original;
    const left = Math.max(0, Math.floor((lease.max_expire_time - now) / 1000));
    const warnings = wanted > left
      ? [`TTL of "${formatDuration(wanted)}" exceeded the effective max_ttl of "${formatDuration(left)}"; TTL value is capped accordingly`]
      : [];
    const ttl = Math.min(wanted, left);
    const { backend, entry } = this.#backendOf(lease);
    if (backend?.renewSecret && entry) {
      await backend.renewSecret({ storage: this.#mounts.viewOf(entry), internal: lease.internal, data: lease.data, leaseId, increment: ttl, now });
    }
    const renewed = { ...lease, expire_time: now + ttl * 1000, last_renewal: now };
    await leaseRecords.reschedule(this.#storage, lease, renewed);
    this.#manager.noteExpiry(renewed.expire_time);
    return { lease: renewed, ttl, warnings };
  }

  /** Revokes one lease now; an unknown lease is fine, a failing engine is an error (retried later). */
  async revoke(leaseId: string): Promise<void> {
    const lease = await leaseRecords.get(this.#storage, leaseId);
    if (lease && !(await this.#manager.revokeOrRetry(lease))) throw new Internal('failed to revoke lease');
  }

  /**
   * Revokes every lease under a prefix, tokens included; `force` forgets those whose engine
   * fails. As in Vault, a prefix without a trailing "/" is one lease's id when such a lease
   * exists, and a folder otherwise: `creds/app` does not reach `creds/application/...`.
   */
  async revokePrefix(given: string, force: boolean): Promise<void> {
    const exact = given !== '' && !given.endsWith('/') && (await leaseRecords.get(this.#storage, given)) !== undefined;
    const prefix = exact || given === '' || given.endsWith('/') ? given : `${given}/`;
    const tokenIds = ((await this.tokens?.ids()) ?? []).filter((id) => (exact ? id === prefix : id.startsWith(prefix)));
    await this.tokens?.revoke(tokenIds);
    let failed = 0;
    const ids = exact ? [prefix] : await leaseRecords.idsUnder(this.#storage, prefix);
    for (const id of ids) {
      const lease = await leaseRecords.get(this.#storage, id);
      if (!lease || (await this.#manager.revokeOrRetry(lease))) continue;
      if (force) {
        await this.#manager.leaseLock.run(id, async () => {
          const current = await leaseRecords.get(this.#storage, id);
          if (current) await leaseRecords.remove(this.#storage, current);
        });
      }
      else failed++;
    }
    if (failed > 0) throw new Internal(`failed to revoke ${failed} lease(s) under the prefix`);
  }

  /** Revokes the leases a token created (when the token is revoked or expires). */
  async revokeByToken(tokenId: string): Promise<void> {
    for (const id of await leaseRecords.ofToken(this.#storage, tokenId)) {
      const lease = await leaseRecords.get(this.#storage, id);
      if (lease) await this.#manager.revokeOrRetry(lease);
    }
  }

  /** Calls the issuing engine's revoke; a mount that no longer exists has nothing to revoke. */
  async revokeSecret(lease: LeaseEntry): Promise<void> {
    const { backend, entry } = this.#backendOf(lease);
    if (!backend?.revokeSecret || !entry) return;
    await backend.revokeSecret({ storage: this.#mounts.viewOf(entry), internal: lease.internal, data: lease.data, leaseId: lease.lease_id });
  }

  #backendOf(lease: LeaseEntry) {
    const entry = this.#mounts.byUuid(lease.mount_uuid);
    return { entry, backend: entry && this.#mounts.backendOf(entry) };
  }
}
