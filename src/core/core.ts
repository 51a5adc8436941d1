// Core: the seal, the mount table and the token store of one server, and the path every
// request takes through them (seal check → token → route → ACL → handler).
import { randomBytes } from 'node:crypto';
import { BadRequest, NotFound, PermissionDenied, Sealed } from '../errors.js';
import type { PhysicalStorage, Storage } from '../storage/storage.js';
import { scopedView } from '../storage/view.js';
import { ShamirSeal } from '../barrier/seal.js';
import { TokenStore, newTokenValue, type TokenEntry } from '../auth/token/store.js';
import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import { MountTable, type BackendResolver, type MountEntry } from './mounts.js';
import { resolveWriteOperation, runPath } from './path.js';
import type { Caller, LogicalRequest, MountInfo, Response } from './request.js';
import { callerOf, type AccessControl } from './access.js';
import { PolicyStore } from './policy-store.js';
import { revokeTree } from '../auth/token/lifecycle.js';

/** Server-wide settings core needs. */
export type CoreConfig = {
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
};

/** The outcome of a request: the handler's response plus the warnings core adds. */
export type Outcome = { response: Response | undefined; warnings: string[]; mountType: string; operation: string };

/** Stands in for the sys/ mount entry while sealed, when the mount table is not loaded. */
const SYSTEM_MOUNT: MountInfo = {
  path: 'sys/', type: 'system', accessor: '', uuid: '', local: false, options: {},
  config: { default_lease_ttl: 0, max_lease_ttl: 0 },
};

/** State that exists only while unsealed. */
type Unsealed = { mounts: MountTable; tokens: TokenStore; policies: PolicyStore };

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
  static async open(physical: PhysicalStorage, deps: { clock: Clock; log: Logger; config: CoreConfig; resolve: BackendResolver; access: AccessControl }): Promise<Core> {
    const seal = await ShamirSeal.open(physical, deps.clock);
    const core = new Core(seal, deps);
    seal.on('unseal', () => core.#afterUnseal());
    seal.on('seal', () => { core.#state = undefined; });
    return core;
  }

  /** The barrier-backed storage; throws Sealed while sealed. */
  get barrier(): Storage {
    return this.seal.barrier;
  }

  /** Live state, or Sealed. */
  get unsealed(): Unsealed {
    if (!this.#state) throw new Sealed();
    return this.#state;
  }

  async #afterUnseal(): Promise<void> {
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
    const tokens = new TokenStore(scopedView(barrier, 'sys/token/'), salt, this.clock);
    const policies = new PolicyStore(scopedView(barrier, 'sys/policy/'));
    await policies.bootstrap();
    this.#state = { mounts, tokens, policies };
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

  /** Resolves the token of a request into a caller; undefined when there is no valid token. */
  async resolveCaller(token: string): Promise<Caller | undefined> {
    const entry = await this.unsealed.tokens.lookup(token);
    return entry && callerOf(token, entry);
  }

  /**
   * Initialises the seal, then unseals once with the new shares to create the root token and
   * seals again: the operator unseals for real, as with Vault.
   */
  async initialize(shares: number, threshold: number): Promise<{ keys: Buffer[]; rootToken: string }> {
    const { keys } = await this.seal.initialize({ secret_shares: shares, secret_threshold: threshold });
    for (const key of keys.slice(0, threshold)) await this.seal.unseal(key);
    const rootToken = await this.createRootToken(newTokenValue());
    await this.seal.seal();
    return { keys, rootToken };
  }

  /** The system paths that answer while sealed (sys/health, sys/unseal…), if `path` is one. */
  #sealedPath(path: string) {
    if (!path.startsWith('sys/')) return undefined;
    const system = this.#resolve('mounts', 'system');
    const match = system?.table.match(path.slice('sys/'.length));
    return match?.def.whileSealed ? match : undefined;
  }

  /** Runs one logical request through routing, ACL and the handler. */
  async handle(req: LogicalRequest): Promise<Outcome> {
    const early = this.#sealedPath(req.path);
    if (early) {
      const base = { operation: req.operation, path: req.path.slice(4), storage: this.seal.barrier, request: req,
        mount: SYSTEM_MOUNT, caller: undefined, clock: this.clock };
      const { response, warnings } = await runPath(early.def, early.params, base);
      return { response, warnings, mountType: 'system', operation: req.operation };
    }
    const { mounts } = this.unsealed;
    const route = mounts.route(req.path);
    if (!route) throw new NotFound(`no handler for route "${req.path}". route entry not found.`);
    const match = route.backend.table.match(route.rest);
    if (!match) throw new NotFound('1 error occurred:\n\t* unsupported path\n\n');
    // Unauthenticated paths still see a caller when a token is sent (sys/internal/ui/mounts).
    const caller = await this.resolveCaller(req.clientToken);
    if (!match.def.unauthenticated && !caller) throw new PermissionDenied();
    const base = {
      operation: req.operation, path: route.rest, storage: mounts.viewOf(route.entry), request: req,
      mount: route.entry, caller, clock: this.clock,
    };
    const operation = await resolveWriteOperation(match.def, match.params, base);
    if (caller && !match.def.unauthenticated) await this.#access.authorize(caller, { path: req.path, operation, data: req.data, sudo: match.def.sudo === true });
    const spent = caller ? await this.#spendUse(caller) : undefined;
    try {
      const { response, warnings } = await runPath(match.def, match.params, { ...base, operation });
      return { response, warnings, mountType: route.entry.type, operation };
    } finally {
      // Vault: the last use is served, then the token is revoked.
      if (spent) await revokeTree(this, spent);
    }
  }

  /** Counts one use of a limited-use token; returns the entry when that was its last use. */
  async #spendUse(caller: Caller): Promise<TokenEntry | undefined> {
    const tokens = this.unsealed.tokens;
    const entry = await tokens.byId(caller.tokenId);
    if (!entry || entry.num_uses === 0) return undefined;
    if (entry.num_uses === 1) return entry;
    await tokens.save({ ...entry, num_uses: entry.num_uses - 1 });
    return undefined;
  }
}
