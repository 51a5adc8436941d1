// Assembles one server: storage → seal/barrier → core (with its backends) → HTTP listener.
// `lockbox server` and the integration tests both start servers through here.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../core/backend.js';
import { systemClock, type Clock } from '../util/clock.js';
import { Core } from '../core/core.js';
import { createLogger, type Logger, type LogLevel, type LogSink } from '../core/log.js';
import type { MountTableKind } from '../core/mounts.js';
import { mountAliases, secretEngines, type EngineFactory } from '../engines/registry.js';
import { destroyCubbyhole } from '../engines/cubbyhole/index.js';
import { startHttpServer, type HttpServer, type ListenerConfig } from '../http/server.js';
import { loadStaticSite, type StaticSite } from '../http/static-site.js';
import { openStorage } from '../storage/index.js';
import { feedOf } from '../storage/feed.js';
import { IndexTokens } from '../core/consistency.js';
import { BadRequest } from '../util/errors.js';
import { systemBackend } from '../sys/index.js';
import { tokenBackend } from '../auth/token/index.js';
import { identityBackend } from '../core/identity/backend.js';
import { authMethods } from '../auth/registry.js';
import { sigv4Backend } from '../auth/sigv4/index.js';
import { awsSmEngine, awsWireHandler } from '../engines/aws-sm/index.js';
import type { LockoutTune } from '../core/lockout.js';
import { newTokenValue } from '../core/tokens/store.js';
import { policyAccess } from '../core/policy-access.js';
import { DEFAULT_LEASE_TTL, type StorageConfig } from './config.js';
import { AuditDevices } from '../audit/index.js';
import { loadClusterIdentity } from './cluster.js';
import { telemetry, type TelemetryOptions } from '../util/telemetry.js';
import type { SealBlock } from './seal-config.js';
import { sealSetupOf, startAutoUnseal } from './auto-unseal.js';
import { sanitizedConfig } from './config-state.js';

/** What it takes to start a server. */
export type ServerOptions = {
  storage: StorageConfig;
  listener: ListenerConfig;
  /** The config's auto seal blocks; none means Shamir. Ignored in dev mode. */
  seal?: SealBlock[];
  /** Test hook: auto-unseal's retry pauses. */
  autoUnsealDelays?: { firstDelayMs?: number; maxDelayMs?: number };
  /** Initialise with one key share, unseal, and create a root token. */
  dev?: boolean;
  devRootTokenId?: string;
  defaultLeaseTtl?: number;
  /** The config file's `user_lockout` blocks, by label ("all" or an auth type). */
  userLockout?: Record<string, LockoutTune>;
  maxLeaseTtl?: number;
  clusterName?: string;
  /** HA: the address other nodes send clients to (Vault's api_addr); the listener's URL by default. */
  apiAddr?: string;
  /** HA: reported as leader_cluster_address (Vault's cluster_addr). */
  clusterAddr?: string;
  /** HA: standbys answer 307 to the active node instead of forwarding (Vault's disable_clustering). */
  disableForwarding?: boolean;
  /** HA: standbys serve KV reads, token lookups and transit from the shared store (`standby_reads`). */
  standbyReads?: boolean;
  logLevel?: LogLevel;
  /** Vault's log_format: standard (text lines) or json. */
  logFormat?: 'standard' | 'json';
  logSink?: LogSink;
  clock?: Clock;
  /** Serve the web UI at /ui/ (dev mode: on). */
  ui?: boolean;
  /** The config's telemetry settings (sys/metrics). */
  telemetry?: TelemetryOptions;
  /** Hosts aws-sm rotation may call as `lockbox:webhook:<url>` (the config's aws_sm_rotation_webhook_hosts). */
  awsSmWebhookHosts?: string[];
  /** More mountable engine types, by type name (tests mount fixtures this way). */
  extraEngines?: ReadonlyMap<string, EngineFactory>;
};

/** A running server. */
export type RunningServer = {
  url: string;
  core: Core;
  /** Dev mode only. */
  rootToken: string;
  unsealKey: string;
  /** Graceful stop: see HttpServer.close; after `graceMs` open connections are cut. */
  close(graceMs?: number): Promise<void>;
  /** Cuts open connections now, so a pending close() finishes as soon as handlers do. */
  forceClose(): void;
};

/** Starts a server; in dev mode it is ready for requests when this resolves. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = createLogger({ level: opts.logLevel ?? 'info', sink: opts.logSink, format: opts.logFormat === 'json' ? 'json' : 'text' });
  const physical = await openStorage(opts.storage, log);
  const feed = feedOf(physical);
  if (opts.standbyReads && !feed) {
    await physical.close();
    throw new BadRequest('standby_reads needs a postgresql or etcd storage with ha_enabled');
  }
  const clock = opts.clock ?? systemClock;
  const backends = new Map<string, Backend>();
  const resolve = (table: MountTableKind, type: string, options: Record<string, string> = {}) =>
    table === 'auth' ? backends.get(`auth:${type}`) ?? authMethods.get(type)?.(options) : backends.get(type) ?? (secretEngines.get(mountAliases.get(type) ?? type) ?? opts.extraEngines?.get(type))?.(options);
  const sealSetup = opts.dev ? {} : sealSetupOf(opts.seal ?? [], log);
  const core = await Core.open(physical, {
    clock, log, resolve, access: policyAccess(() => core.unsealed.policies), seal: sealSetup,
    config: { defaultLeaseTtl: opts.defaultLeaseTtl ?? DEFAULT_LEASE_TTL, maxLeaseTtl: opts.maxLeaseTtl ?? DEFAULT_LEASE_TTL, userLockout: opts.userLockout, standbyReads: opts.standbyReads },
  });
  // Filled in at each unseal from storage (reported only while unsealed, as in Vault).
  const cluster = { cluster_name: '', cluster_id: '', storage_type: opts.storage.type === 'memory' ? 'inmem' : opts.storage.type };
  core.onUnsealed(async () => { Object.assign(cluster, await loadClusterIdentity(core.barrier, opts.clusterName)); });
  // HA: X-Vault-Index on responses, checked by read-serving standbys.
  const indexTokens = feed && new IndexTokens(feed);
  if (indexTokens) {
    core.onUnsealed(async () => indexTokens.unsealed(cluster.cluster_id, await core.barrier.get('core/token-salt')));
    core.onSealing(async () => indexTokens.sealed());
  }
  let listenerUrl = '';
  backends.set('system', systemBackend(core, cluster, opts.telemetry, sanitizedConfig(opts, () => listenerUrl)));
  telemetry.gauge('vault.core.unsealed', 'Whether the server is unsealed (1) or sealed (0).', () => (core.seal.barrier.sealed ? 0 : 1));
  backends.set('auth:token', tokenBackend(core));
  backends.set('identity', identityBackend(() => core.unsealed.identity));
  backends.set('auth:sigv4', sigv4Backend(core));
  if (opts.awsSmWebhookHosts?.length) backends.set('aws-sm', awsSmEngine({ webhookHosts: opts.awsSmWebhookHosts }));
  const audit = new AuditDevices(core);
  core.audit = audit;
  core.onUnsealed(() => audit.load());
  core.onSealing(() => audit.unload());
  // The expiry path revokes tokens with no leases and no cubbyhole in bulk without calling
  // this hook (core/tokens/expiry.ts): a hook that does more must teach that path first.
  core.onTokenRevoked(async (entry) => {
    const { mounts, leases } = core.unsealed;
    await leases.revokeByToken(entry.id);
    const cubbyhole = mounts.get('mounts', 'cubbyhole/');
    if (cubbyhole) await destroyCubbyhole(mounts.viewOf(cubbyhole), entry.id);
  });

  let rootToken = '';
  let unsealKey = '';
  if (opts.dev) {
    const { keys } = await core.seal.initialize({ secret_shares: 1, secret_threshold: 1 });
    const key = keys[0] as Buffer;
    await core.seal.unseal(key);
    unsealKey = key.toString('base64');
  }
  let http: HttpServer;
  try {
    const ui = (opts.ui ?? opts.dev) ? loadUi(log) : undefined;
    http = await startHttpServer(core, { ...opts.listener, ...(ui ? { ui } : {}), forwarding: !opts.disableForwarding, otherProtocol: awsWireHandler(core), ...(indexTokens ? { indexTokens } : {}) }, log);
  } catch (err) {
    // A port in use or an unreadable certificate: release the database before failing.
    await core.seal.seal().finally(() => Promise.all([core.seal.close(), physical.close()]));
    throw err;
  }
  listenerUrl = http.url;
  // With an auto seal the server unseals itself, retrying while the seal is unavailable.
  const autoUnseal = sealSetup.wrapper || sealSetup.previous ? startAutoUnseal(core.seal, log, opts.autoUnsealDelays) : undefined;
  // HA: the node competes for the lock once it can tell others where it listens.
  core.ha?.start({ nodeId: randomUUID(), apiAddr: opts.apiAddr ?? http.url, clusterAddr: opts.clusterAddr ?? defaultClusterAddr(opts.apiAddr ?? http.url) });
  if (opts.dev) {
    await core.ha?.whenActive();
    rootToken = await core.createRootToken(opts.devRootTokenId ?? newTokenValue());
    // Like Vault's dev server: a kv-v2 engine at secret/, ready for a first `kv put`.
    await core.unsealed.mounts.mount({ table: 'mounts', path: 'secret/', type: 'kv', options: { version: '2' }, description: 'key/value secret storage' });
  }
  log.info('server started', { address: http.url, storage: opts.storage.type, ...(core.ha ? { ha_enabled: true } : {}) });
  return {
    url: http.url, core, rootToken, unsealKey,
    // In-flight requests finish first; sealing then stops what runs while unsealed (and
    // forgets the keys) before storage closes under it, as Vault's shutdown does.
    close: async (graceMs?: number) => {
      autoUnseal?.stop();
      await http.close(graceMs);
      try {
        await autoUnseal?.done;
        await core.seal.seal();
      } finally {
        await core.seal.close().catch(() => undefined);
        await physical.close(); // even if a seal listener failed: the database must be released
      }
    },
    forceClose: () => http.force(),
  };
}

/** Vault's default cluster address: the API host on the next port, over TLS. */
function defaultClusterAddr(apiAddr: string): string {
  const url = new URL(apiAddr);
  return `https://${url.hostname}:${Number(url.port || (url.protocol === 'https:' ? 443 : 80)) + 1}`;
}

/** `npm run build` puts the UI beside the compiled server: dist/ui/ next to dist/src/. */
const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

function loadUi(log: Logger): StaticSite | undefined {
  const site = loadStaticSite(UI_DIR);
  if (!site) log.warn('ui = true, but the web UI is not built (npm run build); /ui/ is not served');
  return site;
}
