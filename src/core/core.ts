// Core: the seal, the mount table and the token store of one server — unsealing and sealing
// them, the hooks around that, and who a token's caller is. Each request goes through them on
// the path in pipeline.ts (seal check → token → route → ACL → handler).
import { randomBytes } from 'node:crypto';
import { BadRequest, Sealed } from '../util/errors.js';
import type { PhysicalStorage, Storage } from '../storage/storage.js';
import { scopedView } from '../storage/view.js';
import { cachedStorage } from '../storage/cache.js';
import { ShamirSeal, type SealSetup } from '../barrier/seal.js';
import { TokenStore, newTokenValue, type TokenEntry } from './tokens/store.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from './log.js';
import { MountTable, routePrefix, type BackendResolver, type MountEntry } from './mounts.js';
import type { Caller, LogicalRequest } from './request.js';
import type { AccessControl } from './access.js';
import { CallerResolver } from './callers.js';
import { PolicyStore } from './policy-store.js';
import { noAudit, type AuditBroker } from './audit.js';
import { revokeTree } from './tokens/lifecycle.js';
import { tokenLeases } from './tokens/leases.js';
import { ExpirationManager } from './expiration/manager.js';
import { Leases } from './expiration/leasing.js';
import { PeriodicWork } from './periodic.js';
import { PasswordPolicyStore } from './password-policy.js';
import type { WrapDeps } from './wrapping.js';
import type { TokenDeps } from './tokens/deps.js';
import { BatchTokens } from './tokens/batch.js';
import { loginLimits } from './tokens/login.js';
import { Lockout, effectiveLockout, type LockoutTune } from './lockout.js';
import { isHaStorage } from '../storage/ha.js';
import { HaRole, StandbyError } from './ha.js';
import { feedOf } from '../storage/feed.js';
import { StandbyCache } from './standby-cache.js';
import { IdentityStore } from './identity/index.js';
import type { Unsealed } from './unsealed-state.js';
import { RequestPipeline, type Outcome } from './pipeline.js';

export type { Outcome } from './pipeline.js';

/** Server-wide settings core needs. */
export type CoreConfig = {
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
  /** Server-wide user lockout settings by auth type or "all" (a config file's `user_lockout` blocks), under each mount's tune. */
  userLockout?: Record<string, LockoutTune>;
  /** HA: standbys serve reads from the shared store (standby-reads.ts). */
  standbyReads?: boolean;
};



/** One Lockbox server's core. */
export class Core {
  readonly seal: ShamirSeal;
  readonly clock: Clock;
  readonly log: Logger;
  readonly config: CoreConfig;
  readonly #resolve: BackendResolver;
  /** The request path through this core (pipeline.ts). */
  readonly #pipeline: RequestPipeline;
  #state: Unsealed | undefined;
  readonly #revocationHooks: Array<(entry: TokenEntry) => Promise<void>> = [];

  private constructor(seal: ShamirSeal, deps: { clock: Clock; log: Logger; config: CoreConfig; resolve: BackendResolver; access: AccessControl }) {
    this.seal = seal;
    this.clock = deps.clock;
    this.log = deps.log;
    this.config = deps.config;
    this.#resolve = deps.resolve;
    this.#pipeline = new RequestPipeline(this, deps.access, deps.resolve);
  }

  /** Opens core over a physical backend; the server starts sealed. */
  static async open(physical: PhysicalStorage, deps: { clock: Clock; log: Logger; config: CoreConfig; resolve: BackendResolver; access: AccessControl; seal?: SealSetup }): Promise<Core> {
    // Reads of hot entries (tokens, policies, secrets) skip the backend; the cache holds ciphertext.
    const cached = cachedStorage(physical, { cacheAbsent: !isHaStorage(physical) });
    const seal = await ShamirSeal.open(cached, deps.clock, deps.seal);
    const core = new Core(seal, deps);
    if (isHaStorage(physical)) {
      // HA: unsealing makes the node a standby that campaigns; only winning loads the state.
      const feed = feedOf(physical);
      const reads = deps.config.standbyReads && feed ? new StandbyCache(feed, cached, {
        load: () => core.#afterUnseal(false), unload: () => core.#tearDown(),
        state: () => core.#state, reloadBarrier: () => seal.barrier.reload(),
      }, deps.log) : undefined;
      core.standbyReads = reads;
      const ha = new HaRole(physical.ha, {
        reads,
        becomeActive: async () => {
          // Another node was active: nothing cached or read while standby is trusted.
          cached.clear();
          await seal.barrier.reload();
          await core.#afterUnseal();
        },
        becomeStandby: () => core.#tearDown(),
      }, deps.log);
      core.ha = ha;
      seal.on('unseal', () => ha.unsealed());
      seal.on('seal', () => ha.sealing());
    } else {
      seal.on('unseal', () => core.#afterUnseal());
      seal.on('seal', () => core.#tearDown());
    }
    return core;
  }

  /** Active/standby state when the storage elects an active node; undefined on a single node. */
  ha: HaRole | undefined;

  /** HA with standby_reads: the standby's read state and its change feed. */
  standbyReads: StandbyCache | undefined;

  /** Throws unless this node may act: always on a single node, only while active under HA. */
  #mustBeActive(): void {
    if (this.ha && !this.ha.active) throw new StandbyError();
  }

  /** Stops what runs while serving (seal, or an HA node turning standby). */
  async #tearDown(): Promise<void> {
    await this.#state?.expiration.stop();
    await this.#state?.periodic.stop();
    // Backends that cache secrets in memory (transit keys) forget them before the barrier closes.
    const mounts = this.#state?.mounts;
    const backends = new Set(mounts ? [...mounts.list('mounts'), ...mounts.list('auth')].map((e) => mounts.backendOf(e)) : []);
    for (const backend of backends) await backend?.onSeal?.();
    for (const hook of this.#sealHooks) await hook();
    this.#state = undefined;
  }

  /** The barrier-backed storage; throws Sealed while sealed. */
  get barrier(): Storage {
    return this.seal.barrier;
  }

  /** Live state, or Sealed. */
  get unsealed(): Unsealed {
    if (!this.#state) throw this.ha?.standby ? new StandbyError() : new Sealed();
    return this.#state;
  }

  /** Loads the live state; `serving` false (a read-serving standby) runs nothing scheduled. */
  async #afterUnseal(serving = true): Promise<void> {
    const barrier = this.seal.barrier;
    let salt = await barrier.get('core/token-salt');
    if (!salt) {
      salt = randomBytes(32);
      await barrier.put('core/token-salt', salt);
    }
    const mounts = new MountTable(barrier, this.#resolve);
    if (!(await mounts.load())) {
      await mounts.bootstrap([
        { table: 'mounts', path: 'cubbyhole/', type: 'cubbyhole', description: 'per-token private secret storage', local: true },
        { table: 'mounts', path: 'sys/', type: 'system', description: 'system endpoints used for control, policy and debugging' },
        { table: 'auth', path: 'token/', type: 'token', description: 'token based credentials' },
      ]);
    }
    // The identity store is always mounted; servers from before it existed get it now.
    if (!mounts.get('mounts', 'identity/')) {
      await mounts.bootstrap([{ table: 'mounts', path: 'identity/', type: 'identity', description: 'identity store' }]);
    }
    const identity = await IdentityStore.open(mounts.viewOf(mounts.get('mounts', 'identity/')!), this.clock, (accessor) => {
      const entry = [...mounts.list('auth'), ...mounts.list('mounts')].find((e) => e.accessor === accessor);
      return entry && { path: routePrefix(entry), type: entry.type, local: entry.local };
    });
    const tokens = new TokenStore(barrier, salt, this.clock);
    tokens.batch = new BatchTokens(await this.#batchKey());
    const policies = new PolicyStore(scopedView(barrier, 'sys/policy/'));
    await policies.bootstrap();
    const expiration: ExpirationManager = new ExpirationManager(scopedView(barrier, 'sys/expire/'), {
      clock: this.clock, log: this.log,
      actions: {
        // HA: a node that has just lost the lock (paused past its TTL, say) may wake with expiry
        // timers due before its heartbeat notices. Checked first, synchronously, so it never
        // revokes at a backend what the new active node revokes too.
        revokeLease: async (lease): Promise<void> => { this.#mustBeActive(); await leases.revokeSecret(lease); },
        revokeToken: async (id) => {
          this.#mustBeActive();
          const entry = await tokens.byId(id, true);
          if (entry) await revokeTree(tokenDeps, entry);
        },
      },
    });
    const leases: Leases = new Leases(expiration, mounts, this.clock, this.config);
    tokens.onExpiry = (at) => expiration.noteExpiry(at);
    const tokenDeps: TokenDeps = {
      clock: this.clock, store: tokens,
      tokenMountTtls: () => this.mountTtls(mounts.get('auth', 'token/')),
      renewalLimits: (entry) => this.#renewalLimits(mounts, entry),
      policyExists: async (name) => (await policies.get(name)) !== undefined,
      entityForAlias: (name) => identity.entityForAlias(mounts.get('auth', 'token/')!.accessor, name),
      revoked: (entry) => this.tokenRevoked(entry),
    };
    leases.tokens = tokenLeases(tokenDeps);
    const wrapDeps: WrapDeps = {
      clock: this.clock, store: tokens, maxLeaseTtl: this.config.maxLeaseTtl,
      cubbyhole: (tokenId) => {
        const entry = mounts.get('mounts', 'cubbyhole/');
        if (!entry) throw new BadRequest('cubbyhole is not mounted');
        return scopedView(mounts.viewOf(entry), `${tokenId}/`);
      },
    };
    const passwordPolicies = new PasswordPolicyStore(scopedView(barrier, 'sys/password-policy/'));
    const periodic = new PeriodicWork(() => this.#runPeriodic(mounts, passwordPolicies), this.log);
    const lockout = new Lockout(scopedView(barrier, 'core/locked-users/'), this.clock);
    this.#state = { mounts, tokens, policies, expiration, leases, periodic, passwordPolicies, tokenDeps, wrapDeps, lockout, identity };
    // Loads in the background: unseal does not wait for a large lease table.
    if (!serving) return this.#standbyHooks();
    expiration.start();
    periodic.start();
    for (const hook of this.#unsealHooks) await hook();
  }

  /** A standby runs the unseal hooks too (audit devices); one that needs to write cannot, and says so. */
  async #standbyHooks(): Promise<void> {
    for (const hook of this.#unsealHooks) {
      await hook().catch((error: unknown) => this.log.debug('ha: an unseal hook did not run on this standby', { error }));
    }
  }

  /** The key batch tokens are sealed with, made on the first unseal and kept in the barrier. */
  async #batchKey(): Promise<Buffer> {
    const barrier = this.seal.barrier;
    let key = await barrier.get('core/batch-token-key');
    if (!key) {
      key = randomBytes(32);
      await barrier.put('core/batch-token-key', key);
    }
    return key;
  }

  /** A mount's TTL limits, falling back to the server's. */
  mountTtls(entry: Pick<MountEntry, 'config'> | undefined): { defaultTtl: number; maxTtl: number } {
    return {
      defaultTtl: entry?.config.default_lease_ttl || this.config.defaultLeaseTtl,
      maxTtl: entry?.config.max_lease_ttl || this.config.maxLeaseTtl,
    };
  }

  /** Renewal limits of a token: a login token's go back to the method that issued it. */
  async #renewalLimits(mounts: MountTable, entry: TokenEntry) {
    if (!entry.login) return this.mountTtls(mounts.get('auth', 'token/'));
    const mount = mounts.byUuid(entry.login.mount_uuid);
    const backend = mount && mounts.backendOf(mount);
    if (!mount || !backend) throw new BadRequest('lease is not renewable');
    const limits = this.mountTtls(mount);
    if (!backend.renewLogin) return limits;
    const granted = await backend.renewLogin({ storage: mounts.viewOf(mount), internal: entry.login.internal, policies: entry.policies });
    return { ...loginLimits(limits, granted.maxTtl, granted.ttl), period: granted.period };
  }

  /** Revokes every token the logins of one auth mount issued (when the mount is disabled). */
  async revokeLoginTokens(mountUuid: string): Promise<void> {
    const { tokens, tokenDeps } = this.unsealed;
    for (const entry of await tokens.allEntries()) {
      if (entry.login?.mount_uuid === mountUuid) await revokeTree(tokenDeps, entry);
    }
  }

  /** The effective lockout settings of an auth mount. */
  lockoutOf(entry: MountEntry) {
    const server = this.config.userLockout ?? {};
    return effectiveLockout(entry.tune.user_lockout_config as LockoutTune | undefined, { ...server.all, ...server[entry.type] });
  }

  /** Runs every mount's periodic hook once; one mount's failure does not stop the others. */
  async #runPeriodic(mounts: MountTable, passwordPolicies: PasswordPolicyStore): Promise<void> {
    for (const entry of [...mounts.list('mounts'), ...mounts.list('auth')]) {
      const backend = mounts.backendOf(entry);
      if (!backend?.periodic) continue;
      try {
        await backend.periodic({ storage: mounts.viewOf(entry), now: this.clock.now(), passwords: passwordPolicies.generate, mountUuid: entry.uuid });
      } catch (err) {
        this.log.error('periodic work of a mount failed', { mount: entry.path, error: err });
      }
    }
  }

  /** Runs backends' periodic work now (tests move a clock and call this instead of waiting). */
  runPeriodicWork(): Promise<void> {
    return this.unsealed.periodic.runNow();
  }

  readonly #unsealHooks: Array<() => Promise<void>> = [];
  readonly #sealHooks: Array<() => Promise<void>> = [];

  /** What token issuing, renewal and revocation use (auth methods call core/tokens with it). */
  get tokenDeps(): TokenDeps {
    return this.unsealed.tokenDeps;
  }

  /** What response wrapping uses (sys/wrapping calls core/wrapping with it). */
  get wrapDeps(): WrapDeps {
    return this.unsealed.wrapDeps;
  }

  /** Registers a subsystem's start-up after each unseal (audit devices, expiration manager). */
  onUnsealed(hook: () => Promise<void>): void {
    this.#unsealHooks.push(hook);
  }

  /** Registers a subsystem's tear-down before each seal. */
  onSealing(hook: () => Promise<void>): void {
    this.#sealHooks.push(hook);
  }

  /** Creates a root token (at init, or for dev mode with a chosen id). */
  async createRootToken(value: string): Promise<string> {
    const now = this.clock.now();
    await this.unsealed.tokens.create(value, {
      parent: '', policies: ['root'], path: 'auth/token/root', meta: null, display_name: 'root',
      num_uses: 0, creation_time: Math.floor(now / 1000), ttl: 0, explicit_max_ttl: 0, period: 0,
      renewable: false, type: 'service', entity_id: '', role: '', expire_at: 0, issued_at: now,
    });
    return value;
  }

  /** Registers work to do when any token is revoked (destroy its cubbyhole, revoke its leases). */
  onTokenRevoked(hook: (entry: TokenEntry) => Promise<void>): void {
    this.#revocationHooks.push(hook);
  }

  /** Runs the revocation hooks for one token, before its entry is removed. */
  async tokenRevoked(entry: TokenEntry): Promise<void> {
    for (const hook of this.#revocationHooks) await hook(entry);
  }

  /** Lets a mount's backend convert its data before new options take effect. */
  async changeMountOptions(entry: MountEntry, to: Record<string, string>): Promise<void> {
    const backend = this.#resolve(entry.table, entry.type, entry.options);
    if (!backend?.onOptionsChange || JSON.stringify(entry.options) === JSON.stringify(to)) return;
    if (!this.#resolve(entry.table, entry.type, to)) throw new BadRequest('unsupported options for this mount type');
    await backend.onOptionsChange({ storage: this.unsealed.mounts.viewOf(entry), from: entry.options, to, now: this.clock.now() });
  }

  readonly #callers = new CallerResolver(() => this.unsealed);

  /** The caller of a request's token (see CallerResolver.resolve). */
  resolveCaller(token: string, remoteAddress: string): Caller | undefined | Promise<Caller | undefined> {
    return this.#callers.resolve(token, remoteAddress);
  }

  /**
   * Initialises the seal, then unseals once with the new shares to create the root token and
   * seals again: the operator unseals for real, as with Vault.
   */
  async initialize(shares: number, threshold: number): Promise<{ keys: Buffer[]; recoveryKeys: Buffer[]; rootToken: string }> {
    const { keys, recoveryKeys } = await this.seal.initialize({ secret_shares: shares, secret_threshold: threshold });
    const auto = this.seal.recoverySeal;
    if (auto) await this.seal.autoUnseal();
    else for (const key of keys.slice(0, threshold)) await this.seal.unseal(key);
    // HA: a fresh store has no active node, so this one wins the lock within one interval.
    await this.ha?.whenActive();
    const rootToken = await this.createRootToken(newTokenValue());
    // Vault: an auto seal stays unsealed after init; Shamir waits for the operator's keys.
    if (!auto) await this.seal.seal();
    return { keys, recoveryKeys, rootToken };
  }

  /** Whether `path` is answered by this node itself even while sealed or standby (sys/health…). */
  answersLocally(path: string): boolean {
    return this.#pipeline.answersLocally(path);
  }

  /** Runs one logical request through routing, ACL, audit and the handler (pipeline.ts). */
  handle(req: LogicalRequest): Promise<Outcome> {
    return this.#pipeline.handle(req);
  }

  /** The audit broker in use (src/audit installs one). */
  audit: AuditBroker = noAudit;

}
