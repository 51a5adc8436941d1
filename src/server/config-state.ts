// What sys/config/state/sanitized reports, from the options the server started with, in
// Vault's field names. Durations are whole seconds as Vault reports them. Storage shows its
// type and addresses only: its settings can hold a connection string with a password.
import type { SanitizedConfig } from '../sys/config-state.js';
import type { ListenerConfig } from '../http/server.js';
import type { StorageConfig } from '../storage/index.js';
import type { TelemetryOptions } from '../util/telemetry.js';
import { DEFAULT_LEASE_TTL } from './config.js';

/** The start-up options reported (start.ts's ServerOptions has them all). */
export type ReportedOptions = {
  storage: StorageConfig; listener: ListenerConfig; dev?: boolean; ui?: boolean; telemetry?: TelemetryOptions;
  apiAddr?: string; clusterAddr?: string; clusterName?: string; disableForwarding?: boolean;
  defaultLeaseTtl?: number; maxLeaseTtl?: number; logLevel?: string; logFormat?: string;
};

export function sanitizedConfig(opts: ReportedOptions, apiAddr: () => string): SanitizedConfig {
  return () => {
    const api = opts.apiAddr ?? apiAddr();
    const l = opts.listener;
    const listenerConfig: Record<string, unknown> = { address: l.address, tls_disable: l.tlsCertFile ? 0 : 1 };
    if (l.tlsCertFile) Object.assign(listenerConfig, { tls_cert_file: l.tlsCertFile, tls_key_file: l.tlsKeyFile });
    if (l.maxRequestSize !== undefined) listenerConfig.max_request_size = l.maxRequestSize;
    const t = opts.telemetry;
    return {
      api_addr: api, cache_size: 0, cluster_addr: opts.clusterAddr ?? '', cluster_cipher_suites: '',
      cluster_name: opts.clusterName ?? '', default_lease_ttl: opts.defaultLeaseTtl ?? DEFAULT_LEASE_TTL,
      default_max_request_duration: 0, disable_cache: false, disable_clustering: opts.disableForwarding === true,
      disable_indexing: false, disable_mlock: true, disable_performance_standby: true, disable_printable_check: false,
      disable_sealwrap: true, enable_ui: opts.ui ?? opts.dev === true,
      listeners: [{ type: 'tcp', config: listenerConfig }],
      log_format: opts.logFormat ?? '', log_level: opts.logLevel ?? '', max_lease_ttl: opts.maxLeaseTtl ?? DEFAULT_LEASE_TTL,
      pid_file: '', plugin_directory: '', raw_storage_endpoint: false,
      storage: {
        cluster_addr: opts.clusterAddr ?? '', disable_clustering: opts.disableForwarding === true, redirect_addr: api,
        type: opts.storage.type === 'memory' ? 'inmem' : opts.storage.type,
      },
      ...(t ? {
        telemetry: {
          disable_hostname: t.disableHostname, prometheus_retention_time: t.prometheusRetentionSeconds,
          unauthenticated_metrics_access: t.unauthenticatedMetricsAccess,
        },
      } : {}),
    };
  };
}
