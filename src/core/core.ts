// Core: the seal, the mount table and the token store of one server, and the path every
// request takes through them (seal check → token → route → ACL → handler).
import { randomBytes } from 'node:crypto';
import { BadRequest, Internal, InvalidCredentials, LockboxError, NotFound, PermissionDenied, Sealed } from '../util/errors.js';
import type { PhysicalStorage, Storage } from '../storage/storage.js';
import { scopedView } from '../storage/view.js';
import { cachedStorage } from '../storage/cache.js';
import { ShamirSeal, type SealSetup } from '../barrier/seal.js';
import { telemetry } from '../util/telemetry.js';
import { TokenStore, newTokenValue, type TokenEntry } from './tokens/store.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from './log.js';
import { MountTable, routePrefix, type BackendResolver, type MountEntry } from './mounts.js';
import { resolveWriteOperation, runPath, type PathDef } from './path.js';
import { parametersForAcl } from './fields.js';
import type { Caller, LogicalRequest, MountInfo, Response } from './request.js';
import { aclPolicies, callerOf, type AccessControl } from './access.js';
import { PolicyStore } from './policy-store.js';
import { noAudit, withResponse, type AuditBroker, type AuditInput } from './audit.js';
import { revokeTree } from './tokens/lifecycle.js';
import { remoteAllowed } from './tokens/cidr.js';
import { tokenLeases } from './tokens/leases.js';
import { ExpirationManager } from './expiration/manager.js';
import { Leases } from './expiration/leasing.js';
import { PeriodicWork } from './periodic.js';
import { PasswordPolicyStore } from './password-policy.js';
import { wrap, type WrapDeps } from './wrapping.js';
import type { TokenDeps } from './tokens/deps.js';
import { envelopeOf } from './envelope.js';
import { helpFor, wantsHelp } from './help.js';
import { BatchTokens } from './tokens/batch.js';
import { issueLoginToken, loginLimits, type MountTokenType } from './tokens/login.js';
import { Lockout, effectiveLockout, type LockoutTune } from './lockout.js';
import type { Backend } from './backend.js';
import { isHaStorage } from '../storage/ha.js';
import { HaRole, StandbyError } from './ha.js';
import { feedOf } from '../storage/feed.js';
import { StandbyCache } from './standby-cache.js';
import { IdentityStore, type TokenIdentity } from './identity/index.js';

/** Server-wide settings core needs. */
export type CoreConfig = {
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
  /** Server-wide user lockout settings by auth type or "all" (a config file's `user_lockout` blocks), under each mount's tune. */
  userLockout?: Record<string, LockoutTune>;
  /** HA: standbys serve reads from the shared store (standby-reads.ts). */
  standbyReads?: boolean;
};

/** The outcome of a request: the handler's response plus the warnings core adds. */
export type Outcome = { response: Response | undefined; warnings: string[]; mountType: string; operation: string };

/** Stands in for the sys/ mount entry while sealed, when the mount table is not loaded. */
const SYSTEM_MOUNT: MountInfo = {
  path: 'sys/', type: 'system', accessor: '', uuid: '', local: false, options: {},
  config: { default_lease_ttl: 0, max_lease_ttl: 0 },
};

/** Paths answered while sealed have no stored password policies to draw on. */
const sealedPasswords = async (): Promise<string> => { throw new Sealed(); };

/** The error text an audit record may carry: ours, or nothing that could quote input. */
const auditableError = (err: unknown) =>
  err instanceof LockboxError && !(err instanceof Internal) ? err.message : 'internal error';

/** A request routed and authorised, ready for its handler. */
type Prepared = {
  match: { def: PathDef; params: Record<string, string> };
  base: Parameters<typeof runPath>[2];
  mount: MountEntry;
  authenticated: boolean;
  /** `?help=1`: answered from the declaration instead of the handler, after audit and use count. */
  help?: true;
};

/** State that exists only while unsealed. */
type Unsealed = {
  mounts: MountTable; tokens: TokenStore; policies: PolicyStore; expiration: ExpirationManager; leases: Leases;
  periodic: PeriodicWork; passwordPolicies: PasswordPolicyStore; tokenDeps: TokenDeps; wrapDeps: WrapDeps; lockout: Lockout;
  identity: IdentityStore;
};

/** One Lockbox server's core. */
export class Core {
  readonly seal: ShamirSeal;
  readonly clock: Clock;
  readonly log: Logger;
  readonly config: CoreConfig;
  readonly #resolve: BackendResolver;
  readonly #access: AccessControl;
  #state: Unsealed | undefined;
  readonly #revocationHooks: Array<(entry: TokenEntry) => Promise<void>> = [];

  private constructor(seal: ShamirSeal, deps: { clock: Clock; log: Logger; config: CoreConfig; resolve: BackendResolver; access: AccessControl }) {
    this.seal = seal;
    this.clock = deps.clock;
    this.log = deps.log;
    this.config = deps.config;
    this.#resolve = deps.resolve;
    this.#access = deps.access;
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

  /**
   * Resolves the token of a request into a caller; undefined when there is no valid token, or
   * when the token is bound to networks the request does not come from (Vault checks a token's
   * bound CIDRs on every request).
   */
  async resolveCaller(token: string, remoteAddress: string): Promise<Caller | undefined> {
    const entry = await this.unsealed.tokens.lookup(token);
    if (!entry) return undefined;
    if (entry.bound_cidrs?.length && !remoteAllowed(remoteAddress, entry.bound_cidrs)) return undefined;
    // Identity is read as it is now: group changes reach tokens already issued, and a disabled
    // entity's tokens are refused (Vault's "permission denied") without being revoked.
    const identity = entry.entity_id ? this.unsealed.identity.forToken(entry.entity_id) : undefined;
    if (identity?.disabled) return undefined;
    return this.#callerOf(token, entry, identity);
  }

  /**
   * One caller object per token entry and identity, reused while both are the same objects
   * (the token store and the identity store replace, never mutate, what changed): the audit
   * devices keep the encoded `auth` block per caller object. Callers are read, never changed.
   */
  readonly #callers = new WeakMap<TokenEntry, { token: string; identity: TokenIdentity | undefined; caller: Caller }>();

  #callerOf(token: string, entry: TokenEntry, identity: TokenIdentity | undefined): Caller {
    const known = this.#callers.get(entry);
    if (known && known.token === token && known.identity === identity) return known.caller;
    const caller = callerOf(token, entry, identity);
    this.#callers.set(entry, { token, identity, caller });
    return caller;
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
    return this.#sealedPath(path) !== undefined;
  }

  /** The system paths that answer while sealed (sys/health, sys/unseal…), if `path` is one. */
  #sealedPath(path: string) {
    if (!path.startsWith('sys/')) return undefined;
    const system = this.#resolve('mounts', 'system');
    const match = system?.table.match(path.slice('sys/'.length));
    return match?.def.whileSealed ? match : undefined;
  }

  /** Runs one logical request through routing, ACL, audit and the handler. */
  async handle(req: LogicalRequest): Promise<Outcome> {
    const started = telemetry.handleRequest.start();
    try {
      return await this.#handle(req);
    } finally {
      telemetry.handleRequest.stop(started);
    }
  }

  async #handle(req: LogicalRequest): Promise<Outcome> {
    const early = this.#sealedPath(req.path);
    if (early) {
      await this.#readBody(req, false);
      const base = { operation: req.operation, path: req.path.slice(4), storage: this.seal.barrier, request: req,
        mount: SYSTEM_MOUNT, caller: undefined, clock: this.clock, defaults: this.config, passwords: sealedPasswords };
      const { response, warnings } = await runPath(early.def, early.params, base);
      return { response, warnings, mountType: 'system', operation: req.operation };
    }
    // Unauthenticated paths still see a caller when a token is sent (sys/internal/ui/mounts).
    const caller = await this.resolveCaller(req.clientToken, req.remoteAddress);
    const audit: AuditInput = { request: req, caller, mount: undefined, operation: req.operation };
    let prepared: Prepared;
    try {
      prepared = await this.#prepare(req, caller, audit);
    } catch (err) {
      // Refusals are audited too; if even that cannot be recorded, the caller learns only of that.
      await this.#auditOrFail('request', { ...audit, error: auditableError(err) });
      throw err;
    }
    await this.#auditOrFail('request', audit);
    const spent = caller && prepared.authenticated ? await this.#spendUse(caller) : undefined;
    try {
      return await this.#execute(req, prepared, audit);
    } finally {
      // Vault: the last use is served, then the token is revoked.
      if (spent) await revokeTree(this.unsealed.tokenDeps, spent);
    }
  }

  /** Routes, resolves create/update and checks the ACL (for help: any capability on the path). */
  async #prepare(req: LogicalRequest, caller: Caller | undefined, audit: AuditInput): Promise<Prepared> {
    const { mounts } = this.unsealed;
    const route = mounts.route(req.path);
    if (!route) throw new NotFound(`no handler for route "${req.path}". route entry not found.`);
    audit.mount = route.entry;
    const match = route.backend.table.match(route.rest);
    if (!match) throw new NotFound('1 error occurred:\n\t* unsupported path\n\n');
    const authenticated = !match.def.unauthenticated;
    if (authenticated && !caller) throw new PermissionDenied();
    const base = {
      operation: req.operation, path: route.rest, storage: mounts.viewOf(route.entry), request: req, mount: route.entry, caller,
      clock: this.clock, defaults: this.config, passwords: this.unsealed.passwordPolicies.generate, log: this.log,
    };
    if (req.operation === 'read' && wantsHelp(req.query)) {
      await this.#authorizeHelp(caller, req.path);
      return { match, base, mount: route.entry, authenticated, help: true };
    }
    const sudo = match.def.sudo === true;
    // What the path and operation allow is decided before the body is read (parameters and
    // create-vs-update need it): a refused request never has its body buffered or parsed.
    // A request with no body to read (GET, LIST) goes straight to the full check below.
    if (caller && authenticated && req.readBody !== undefined) {
      await this.#access.authorize(caller, { path: req.path, operation: req.operation, data: {}, sudo, wrapTtl: req.wrapTtl, beforeBody: true });
    }
    await this.#readBody(req, caller !== undefined);
    const operation = await resolveWriteOperation(match.def, match.params, base);
    audit.operation = operation;
    if (caller && authenticated) {
      const data = parametersForAcl(match.def.fields, req.data);
      await this.#access.authorize(caller, { path: req.path, operation, data, sudo, wrapTtl: req.wrapTtl });
    }
    return { match, base: operation === base.operation ? base : { ...base, operation }, mount: route.entry, authenticated };
  }

  /** Fills the request's data from its body, if it has one still unread. */
  async #readBody(req: LogicalRequest, withToken: boolean): Promise<void> {
    const read = req.readBody;
    if (!read) return;
    req.readBody = undefined;
    req.data = await read(withToken);
  }

  /** Runs the handler, then leases, wraps and audits what it returned. */
  async #execute(req: LogicalRequest, prepared: Prepared, audit: AuditInput): Promise<Outcome> {
    const { response, warnings } = prepared.help
      ? { response: { raw: { status: 200, body: helpFor(prepared.match.def, req.path) } }, warnings: [] }
      : await this.#runAudited(prepared, audit);
    if (response?.secret && response.secret.register !== false && !response.leaseId) {
      await this.#registerLease(req, prepared.mount, prepared.base.caller, response);
    }
    const mountType = prepared.mount.type;
    const final = response && req.wrapTtl !== undefined && !response.raw && !response.wrapInfo
      ? { wrapInfo: await wrap(this.unsealed.wrapDeps, envelopeOf(response, warnings, mountType), req.wrapTtl, req.path) }
      : response;
    if (this.audit.enabled()) await this.#auditOrFail('response', withResponse(audit, final ?? undefined));
    return { response: final, warnings: final === response ? warnings : [], mountType, operation: prepared.base.operation };
  }

  /** Gives a returned secret its lease: the id and granted TTL go back into the response. */
  async #registerLease(req: LogicalRequest, mount: MountEntry, caller: Caller | undefined, response: Response): Promise<void> {
    const secret = response.secret!;
    const { leaseId, ttl } = await this.unsealed.leases.register({
      path: req.path, mount, tokenId: caller?.tokenId ?? '', secret, data: response.data ?? {},
    });
    response.leaseId = leaseId;
    response.secret = { ...secret, ttl };
  }

  /** Runs the handler (timed as Vault's vault.route.*); a failure is still audited as the response before it propagates. */
  async #runAudited(prepared: Prepared, audit: AuditInput) {
    const started = telemetry.route.start();
    try {
      const backend = this.unsealed.mounts.backendOf(prepared.mount);
      if (prepared.mount.table === 'auth' && backend) return await this.#runLogin(prepared, backend);
      return await runPath(prepared.match.def, prepared.match.params, prepared.base);
    } catch (err) {
      await this.#auditOrFail('response', { ...audit, error: auditableError(err) });
      throw err;
    } finally {
      telemetry.route.stop(started, { mount: prepared.mount.path, operation: prepared.base.operation });
    }
  }

  /**
   * Runs a path of an auth method: a locked alias is refused before its method sees the
   * request (Vault's "permission denied", no hint), wrong credentials count towards the
   * lock, and a returned login grant becomes a token here.
   */
  async #runLogin(prepared: Prepared, backend: Backend) {
    const { mount, base } = prepared;
    const alias = backend.loginAlias?.(base.path, base.request.data);
    const lockout = alias ? this.lockoutOf(mount) : undefined;
    const { lockout: locks } = this.unsealed;
    if (alias && lockout && !lockout.disabled && (await locks.isLocked(mount.accessor, alias, lockout))) throw new PermissionDenied();
    let result: Awaited<ReturnType<typeof runPath>>;
    try {
      result = await runPath(prepared.match.def, prepared.match.params, base);
    } catch (err) {
      if (err instanceof InvalidCredentials && alias && lockout && !lockout.disabled) await locks.failed(mount.accessor, alias, lockout);
      throw err;
    }
    const grant = result.response?.login;
    if (!grant) return result;
    if (alias) await locks.succeeded(mount.accessor, alias);
    // Every login has an entity: found by its alias on this mount, or created with it.
    const { entity, created } = await this.unsealed.identity.login({
      accessor: mount.accessor, alias: grant.alias, metadata: grant.aliasMetadata ?? {}, groupAliases: grant.groupAliases ?? [],
    });
    const identity = this.unsealed.identity.forToken(entity.id);
    if (!identity || identity.disabled) throw new PermissionDenied();
    const { auth, warnings } = await issueLoginToken(this.unsealed.tokenDeps, {
      path: mount.path, uuid: mount.uuid, ttls: this.mountTtls(mount), requestPath: base.request.path,
      tokenType: (mount.tune.token_type as MountTokenType | undefined) ?? 'default-service',
    }, grant, { entityId: identity.entityId, policies: identity.policies });
    const { login: _login, ...response } = result.response!;
    const audited = created ? { entityCreated: true as const } : {};
    return { response: { ...response, ...audited, auth, warnings: [...(response.warnings ?? []), ...warnings] }, warnings: result.warnings };
  }

  /** The audit broker in use (src/audit installs one). */
  audit: AuditBroker = noAudit;

  async #auditOrFail(kind: 'request' | 'response', input: AuditInput): Promise<void> {
    if (!this.audit.enabled()) return;
    const timer = kind === 'request' ? telemetry.audit.logRequest : telemetry.audit.logResponse;
    const started = timer.start();
    try {
      await (kind === 'request' ? this.audit.logRequest(input) : this.audit.logResponse(input));
    } catch (cause) {
      // Fail closed: what cannot be audited does not happen (or is not answered).
      throw new Internal(`failed to audit ${kind}`, { cause });
    } finally {
      timer.stop(started);
    }
  }

  /** Vault: help on a path needs any capability on it (an unauthenticated path needs none). */
  async #authorizeHelp(caller: Caller | undefined, path: string): Promise<void> {
    if (!caller) return;
    const acl = await this.unsealed.policies.acl(aclPolicies(caller), caller.identity);
    if (acl.capabilities(path)[0] === 'deny') throw new PermissionDenied();
  }

  /** Counts one use of a limited-use token; returns the entry when that was its last use. */
  async #spendUse(caller: Caller): Promise<TokenEntry | undefined> {
    // A batch token has no stored entry and no use count.
    if (caller.tokenType === 'batch') return undefined;
    // Serialised per token in the store: concurrent requests cannot share one remaining use.
    const spent = await this.unsealed.tokens.spendUse(caller.tokenId);
    if (spent.outcome === 'refused') throw new PermissionDenied();
    return spent.outcome === 'last' ? spent.entry : undefined;
  }
}
