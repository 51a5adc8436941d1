// Auto-tidy (config/auto-tidy): the core's periodic hook calls runAutoTidy for each PKI mount;
// a tidy starts once `interval_duration` has passed since the last successful run. The time
// of that run is kept in storage (config/auto-tidy-last-run), so the schedule survives a
// restart. After a start-up, the first run waits a random delay between the two
// startup-backoff durations, so that many mounts do not all tidy at once, as in Vault.
import { randomInt } from 'node:crypto';
import type { Storage } from '../../storage/storage.js';
import { isTidyRunning, startTidy, type TidyOptions } from './tidy.js';
import { getJson, putJson } from './store.js';

/** Vault's auto-tidy settings; durations in seconds except pause_duration (Go form, "0s"). */
export type AutoTidyConfig = {
  enabled: boolean; interval_duration: number; min_startup_backoff_duration: number; max_startup_backoff_duration: number;
  tidy_cert_store: boolean; tidy_revoked_certs: boolean; tidy_revoked_cert_issuer_associations: boolean; tidy_expired_issuers: boolean;
  tidy_move_legacy_ca_bundle: boolean; tidy_revocation_queue: boolean; tidy_cross_cluster_revoked_certs: boolean; tidy_acme: boolean;
  tidy_cert_metadata: boolean; tidy_cmpv2_nonce_store: boolean; tidy_invalid_certs: boolean;
  safety_buffer: number; issuer_safety_buffer: number; revocation_queue_safety_buffer: number; acme_account_safety_buffer: number;
  revoked_safety_buffer: number; pause_duration: string; page_size: number;
  maintain_stored_certificate_counts: boolean; publish_stored_certificate_count_metrics: boolean;
};

export const DEFAULT_AUTO_TIDY: AutoTidyConfig = {
  enabled: false, interval_duration: 12 * 3600, min_startup_backoff_duration: 300, max_startup_backoff_duration: 900,
  tidy_cert_store: false, tidy_revoked_certs: false, tidy_revoked_cert_issuer_associations: false, tidy_expired_issuers: false,
  tidy_move_legacy_ca_bundle: false, tidy_revocation_queue: false, tidy_cross_cluster_revoked_certs: false, tidy_acme: false,
  tidy_cert_metadata: false, tidy_cmpv2_nonce_store: false, tidy_invalid_certs: false,
  safety_buffer: 72 * 3600, issuer_safety_buffer: 365 * 24 * 3600, revocation_queue_safety_buffer: 48 * 3600,
  acme_account_safety_buffer: 30 * 24 * 3600, revoked_safety_buffer: 72 * 3600, pause_duration: '0s', page_size: 1000,
  maintain_stored_certificate_counts: false, publish_stored_certificate_count_metrics: false,
};

const CONFIG_KEY = 'config/auto-tidy';
const LAST_RUN_KEY = 'config/auto-tidy-last-run';

export async function autoTidyConfig(storage: Storage): Promise<AutoTidyConfig> {
  return { ...DEFAULT_AUTO_TIDY, ...(await getJson<Partial<AutoTidyConfig>>(storage, CONFIG_KEY)) };
}

export const writeAutoTidyConfig = (storage: Storage, config: AutoTidyConfig) => putJson(storage, CONFIG_KEY, config);

/** When the last tidy (manual or auto) finished or an auto-tidy was enabled, in ms; 0 if never. */
export async function lastAutoTidy(storage: Storage): Promise<number> {
  return (await getJson<{ time: number }>(storage, LAST_RUN_KEY))?.time ?? 0;
}

export const recordAutoTidy = (storage: Storage, timeMs: number) => putJson(storage, LAST_RUN_KEY, { time: timeMs });

/** Whether a configuration selects any operation that does work. */
export function anyTidySelected(c: Pick<AutoTidyConfig, 'tidy_cert_store' | 'tidy_revoked_certs' | 'tidy_revoked_cert_issuer_associations' | 'tidy_expired_issuers' | 'tidy_move_legacy_ca_bundle' | 'tidy_revocation_queue' | 'tidy_cross_cluster_revoked_certs' | 'tidy_acme' | 'tidy_cert_metadata' | 'tidy_cmpv2_nonce_store' | 'tidy_invalid_certs'>): boolean {
  return c.tidy_cert_store || c.tidy_revoked_certs || c.tidy_revoked_cert_issuer_associations || c.tidy_expired_issuers || c.tidy_move_legacy_ca_bundle
    || c.tidy_revocation_queue || c.tidy_cross_cluster_revoked_certs || c.tidy_acme || c.tidy_cert_metadata || c.tidy_cmpv2_nonce_store || c.tidy_invalid_certs;
}

/** The run options an auto-tidy configuration stands for. */
export function optionsOf(c: AutoTidyConfig, pauseSeconds: number): TidyOptions {
  return {
    tidy_cert_store: c.tidy_cert_store, tidy_revoked_certs: c.tidy_revoked_certs, tidy_invalid_certs: c.tidy_invalid_certs,
    tidy_revoked_cert_issuer_associations: c.tidy_revoked_cert_issuer_associations, tidy_expired_issuers: c.tidy_expired_issuers,
    tidy_acme: c.tidy_acme, safety_buffer: c.safety_buffer, revoked_safety_buffer: c.revoked_safety_buffer,
    issuer_safety_buffer: c.issuer_safety_buffer, acme_account_safety_buffer: c.acme_account_safety_buffer,
    pause_duration: pauseSeconds, page_size: c.page_size,
  };
}

// Per mount, in this process: the earliest time the first auto-tidy after start-up may run.
const startupGate = new Map<string, number>();

/**
 * The periodic step: starts an auto-tidy when one is due. `pauseSeconds` parses the stored
 * pause (it was validated when written). The run goes on in the background.
 */
export async function runAutoTidy(storage: Storage, mountUuid: string, nowMs: number, pauseSeconds: (d: string) => number): Promise<boolean> {
  const config = await autoTidyConfig(storage);
  if (!startupGate.has(mountUuid)) {
    const min = config.min_startup_backoff_duration;
    const spread = config.max_startup_backoff_duration - min;
    startupGate.set(mountUuid, nowMs + (min + (spread > 0 ? randomInt(spread + 1) : 0)) * 1000);
  }
  if (!config.enabled || config.interval_duration <= 0 || isTidyRunning(mountUuid)) return false;
  let last = await lastAutoTidy(storage);
  if (last === 0) {
    // Enabled before any run was recorded: the interval counts from now.
    await recordAutoTidy(storage, nowMs);
    last = nowMs;
  }
  if (nowMs < last + config.interval_duration * 1000 || nowMs < startupGate.get(mountUuid)!) return false;
  // The run's clock advances from the periodic `now` with real time.
  const startedReal = Date.now();
  const clock = () => nowMs + (Date.now() - startedReal);
  void startTidy(mountUuid, storage, optionsOf(config, pauseSeconds(config.pause_duration)), clock, (finished) => recordAutoTidy(storage, finished));
  return true;
}

/** Forgets a mount's start-up gate (tests restart mounts in one process). */
export function forgetAutoTidy(mountUuid: string): void {
  startupGate.delete(mountUuid);
}
