// The path every request takes through a core: seal check → token → route → ACL → audit →
// handler → lease, wrap and audit of the answer. Core (core.ts) owns the state — seal, mount
// table, token store — and hands each logical request here.
import { Internal, InvalidCredentials, LockboxError, NotFound, PermissionDenied, Sealed } from '../util/errors.js';
import type { Storage } from '../storage/storage.js';
import { telemetry } from '../util/telemetry.js';
import type { TokenEntry } from './tokens/store.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from './log.js';
import type { BackendResolver, MountEntry } from './mounts.js';
import { resolveWriteOperation, runPath, type PathDef } from './path.js';
import { parametersForAcl } from './fields.js';
import type { Caller, LogicalRequest, MountInfo, Response } from './request.js';
import { aclPolicies, type AccessControl } from './access.js';
import { withResponse, type AuditBroker, type AuditInput } from './audit.js';
import { revokeTree } from './tokens/lifecycle.js';
import { wrap } from './wrapping.js';
import { envelopeOf } from './envelope.js';
import { helpFor, wantsHelp } from './help.js';
import { issueLoginToken, type MountTokenType } from './tokens/login.js';
import type { TokenTtls } from './tokens/deps.js';
import type { effectiveLockout } from './lockout.js';
import type { Backend } from './backend.js';
import type { Unsealed } from './unsealed-state.js';

/** The outcome of a request: the handler's response plus the warnings core adds. */
export type Outcome = { response: Response | undefined; warnings: string[]; mountType: string; operation: string };

/** What the pipeline reads from its core (core.ts's Core is one). */
export type PipelineHost = {
  readonly seal: { readonly barrier: Storage };
  readonly clock: Clock;
  readonly log: Logger;
  readonly config: { defaultLeaseTtl: number; maxLeaseTtl: number };
  /** The audit broker in use; read on every record (src/audit installs one after start). */
  readonly audit: AuditBroker;
  readonly unsealed: Unsealed;
  resolveCaller(token: string, remoteAddress: string): Caller | undefined | Promise<Caller | undefined>;
  lockoutOf(entry: MountEntry): ReturnType<typeof effectiveLockout>;
  mountTtls(entry: Pick<MountEntry, 'config'> | undefined): TokenTtls;
};

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

/** Runs logical requests for one core. */
export class RequestPipeline {
  readonly #host: PipelineHost;
  readonly #access: AccessControl;
  readonly #resolve: BackendResolver;

  constructor(host: PipelineHost, access: AccessControl, resolve: BackendResolver) {
    this.#host = host;
    this.#access = access;
    this.#resolve = resolve;
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
    // Timed here rather than in a wrapper: each async layer costs every request a promise.
    const started = telemetry.handleRequest.start();
    try {
      const early = this.#sealedPath(req.path);
      if (early) {
        await this.#readBody(req, false);
        const base = { operation: req.operation, path: req.path.slice(4), storage: this.#host.seal.barrier, request: req,
          mount: SYSTEM_MOUNT, caller: undefined, clock: this.#host.clock, defaults: this.#host.config, passwords: sealedPasswords };
        const { response, warnings } = await runPath(early.def, early.params, base);
        return { response, warnings, mountType: 'system', operation: req.operation };
      }
      // Unauthenticated paths still see a caller when a token is sent (sys/internal/ui/mounts).
      // A token known in memory is resolved without an await.
      const resolving = this.#host.resolveCaller(req.clientToken, req.remoteAddress);
      const caller = resolving instanceof Promise ? await resolving : resolving;
      const audit: AuditInput = { request: req, caller, mount: undefined, operation: req.operation };
      let prepared: Prepared;
      try {
        const preparing = this.#prepare(req, caller, audit);
        prepared = preparing instanceof Promise ? await preparing : preparing;
      } catch (err) {
        // Refusals are audited too; if even that cannot be recorded, the caller learns only of that.
        await this.#auditOrFail('request', { ...audit, error: auditableError(err) });
        throw err;
      }
      if (this.#host.audit.enabled()) await this.#auditOrFail('request', audit);
      const spent = caller && prepared.authenticated && !this.#unlimited(caller) ? await this.#spendUse(caller) : undefined;
      try {
        return await this.#execute(req, prepared, audit);
      } finally {
        // Vault: the last use is served, then the token is revoked.
        if (spent) await revokeTree(this.#host.unsealed.tokenDeps, spent);
      }
    } finally {
      telemetry.handleRequest.stop(started);
    }
  }

  /**
   * Routes, resolves create/update and checks the ACL (for help: any capability on the path).
   * A request without a body, whose token's ACL is compiled, is prepared without an async
   * step (each costs every request a promise and a suspended frame): most reads answer
   * Prepared itself, the rest a promise of it.
   */
  #prepare(req: LogicalRequest, caller: Caller | undefined, audit: AuditInput): Prepared | Promise<Prepared> {
    const { mounts } = this.#host.unsealed;
    const route = mounts.route(req.path);
    if (!route) throw new NotFound(`no handler for route "${req.path}". route entry not found.`);
    audit.mount = route.entry;
    const match = route.backend.table.match(route.rest);
    if (!match) throw new NotFound('1 error occurred:\n\t* unsupported path\n\n');
    const authenticated = !match.def.unauthenticated;
    if (authenticated && !caller) throw new PermissionDenied();
    const base = {
      operation: req.operation, path: route.rest, storage: mounts.viewOf(route.entry), request: req, mount: route.entry, caller,
      clock: this.#host.clock, defaults: this.#host.config, passwords: this.#host.unsealed.passwordPolicies.generate, log: this.#host.log,
    };
    const routed: Prepared = { match, base, mount: route.entry, authenticated };
    if (req.operation === 'read' && wantsHelp(req.query)) return this.#prepareHelp(caller, req.path, { ...routed, help: true });
    const sudo = match.def.sudo === true;
    if (req.readBody !== undefined || base.operation === 'create' || base.operation === 'update') return this.#prepareWrite(req, caller, audit, routed, sudo);
    // No body to read and no create-or-update to resolve: the operation is the request's own.
    audit.operation = base.operation;
    if (!caller || !authenticated) return routed;
    const data = parametersForAcl(match.def.fields, req.data);
    const checking = this.#access.authorize(caller, { path: req.path, operation: base.operation, data, sudo, wrapTtl: req.wrapTtl });
    return checking ? checking.then(() => routed) : routed;
  }

  async #prepareHelp(caller: Caller | undefined, path: string, prepared: Prepared): Promise<Prepared> {
    await this.#authorizeHelp(caller, path);
    return prepared;
  }

  /** The rest of `#prepare` for a request with a body, or a write whose create-or-update the path decides. */
  async #prepareWrite(req: LogicalRequest, caller: Caller | undefined, audit: AuditInput, routed: Prepared, sudo: boolean): Promise<Prepared> {
    const { match, base, authenticated } = routed;
    // What the path and operation allow is decided before the body is read (parameters and
    // create-vs-update need it): a refused request never has its body buffered or parsed.
    if (caller && authenticated && req.readBody !== undefined) {
      const checking = this.#access.authorize(caller, { path: req.path, operation: req.operation, data: {}, sudo, wrapTtl: req.wrapTtl, beforeBody: true });
      if (checking) await checking;
    }
    if (req.readBody !== undefined) await this.#readBody(req, caller !== undefined);
    const operation = base.operation === 'create' || base.operation === 'update' ? await resolveWriteOperation(match.def, match.params, base) : base.operation;
    audit.operation = operation;
    if (caller && authenticated) {
      const data = parametersForAcl(match.def.fields, req.data);
      const checking = this.#access.authorize(caller, { path: req.path, operation, data, sudo, wrapTtl: req.wrapTtl });
      if (checking) await checking;
    }
    return operation === base.operation ? routed : { ...routed, base: { ...base, operation } };
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
      ? { wrapInfo: await wrap(this.#host.unsealed.wrapDeps, envelopeOf(response, warnings, mountType), req.wrapTtl, req.path) }
      : response;
    if (this.#host.audit.enabled()) await this.#auditOrFail('response', withResponse(audit, final ?? undefined));
    return { response: final, warnings: final === response ? warnings : [], mountType, operation: prepared.base.operation };
  }

  /** Gives a returned secret its lease: the id and granted TTL go back into the response. */
  async #registerLease(req: LogicalRequest, mount: MountEntry, caller: Caller | undefined, response: Response): Promise<void> {
    const secret = response.secret!;
    const { leaseId, ttl } = await this.#host.unsealed.leases.register({
      path: req.path, mount, tokenId: caller?.tokenId ?? '', secret, data: response.data ?? {},
    });
    response.leaseId = leaseId;
    response.secret = { ...secret, ttl };
  }

  /** Runs the handler (timed as Vault's vault.route.*); a failure is still audited as the response before it propagates. */
  async #runAudited(prepared: Prepared, audit: AuditInput) {
    const started = telemetry.route.start();
    try {
      const backend = this.#host.unsealed.mounts.backendOf(prepared.mount);
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
    const lockout = alias ? this.#host.lockoutOf(mount) : undefined;
    const { lockout: locks } = this.#host.unsealed;
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
    const { entity, created } = await this.#host.unsealed.identity.login({
      accessor: mount.accessor, alias: grant.alias, metadata: grant.aliasMetadata ?? {}, groupAliases: grant.groupAliases ?? [],
    });
    const identity = this.#host.unsealed.identity.forToken(entity.id);
    if (!identity || identity.disabled) throw new PermissionDenied();
    const { auth, warnings } = await issueLoginToken(this.#host.unsealed.tokenDeps, {
      path: mount.path, uuid: mount.uuid, ttls: this.#host.mountTtls(mount), requestPath: base.request.path,
      tokenType: (mount.tune.token_type as MountTokenType | undefined) ?? 'default-service',
    }, grant, { entityId: identity.entityId, policies: identity.policies });
    const { login: _login, ...response } = result.response!;
    const audited = created ? { entityCreated: true as const } : {};
    return { response: { ...response, ...audited, auth, warnings: [...(response.warnings ?? []), ...warnings] }, warnings: result.warnings };
  }

  async #auditOrFail(kind: 'request' | 'response', input: AuditInput): Promise<void> {
    if (!this.#host.audit.enabled()) return;
    const timer = kind === 'request' ? telemetry.audit.logRequest : telemetry.audit.logResponse;
    const started = timer.start();
    try {
      await (kind === 'request' ? this.#host.audit.logRequest(input) : this.#host.audit.logResponse(input));
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
    const acl = await this.#host.unsealed.policies.acl(aclPolicies(caller), caller.identity);
    if (acl.capabilities(path)[0] === 'deny') throw new PermissionDenied();
  }

  /**
   * Whether a use of the caller's token needs no counting, known without a storage turn: a
   * batch token (no stored entry, no use count) or an unlimited token the store can vouch for.
   */
  #unlimited(caller: Caller): boolean {
    return caller.tokenType === 'batch' || this.#host.unsealed.tokens.unlimitedNow(caller.tokenId);
  }

  /** Counts one use of a limited-use token; returns the entry when that was its last use. */
  async #spendUse(caller: Caller): Promise<TokenEntry | undefined> {
    // A batch token has no stored entry and no use count.
    if (caller.tokenType === 'batch') return undefined;
    // Serialised per token in the store: concurrent requests cannot share one remaining use.
    const spent = await this.#host.unsealed.tokens.spendUse(caller.tokenId);
    if (spent.outcome === 'refused') throw new PermissionDenied();
    return spent.outcome === 'last' ? spent.entry : undefined;
  }
}
