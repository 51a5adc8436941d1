// tidy (202, background), tidy-status, tidy-cancel and config/auto-tidy.
import { definePath, field, type HandlerContext } from '../../../core/path.js';
import type { FieldValues } from '../../../core/fields.js';
import { BadRequest } from '../../../util/errors.js';
import { formatDuration, parseDurationSeconds } from '../../../util/duration.js';
import { DEFAULT_AUTO_TIDY, anyTidySelected, autoTidyConfig, lastAutoTidy, optionsOf, recordAutoTidy, writeAutoTidyConfig, type AutoTidyConfig } from '../auto-tidy.js';
import { cancelTidy, isTidyRunning, startTidy, tidyStatus, type TidyStatus } from '../tidy.js';
import { rfc3339Nano } from '../validity.js';

/** Fields of pki/tidy and config/auto-tidy alike; no defaults, so auto-tidy can tell what was sent. */
const operationFields = {
  tidy_cert_store: field.bool({ description: 'Remove expired certificates.' }),
  tidy_revoked_certs: field.bool({ description: 'Remove expired revocations.' }),
  tidy_revocation_list: field.bool({ description: 'Deprecated name of tidy_revoked_certs.' }),
  tidy_invalid_certs: field.bool({ description: 'Remove unparseable certificates.' }),
  tidy_revoked_cert_issuer_associations: field.bool({ description: 'Link revocations to their issuers.' }),
  tidy_expired_issuers: field.bool({ description: 'Remove expired issuers.' }),
  tidy_move_legacy_ca_bundle: field.bool({ description: 'Move a pre-1.11 CA bundle aside (Lockbox never has one).' }),
  tidy_revocation_queue: field.bool({ description: 'Tidy the cross-cluster revocation queue (empty without replication).' }),
  tidy_cross_cluster_revoked_certs: field.bool({ description: 'Tidy cross-cluster revocations (empty without replication).' }),
  tidy_acme: field.bool({ description: 'Remove stale ACME accounts, orders and EAB keys.' }),
  tidy_cert_metadata: field.bool({ description: 'Enterprise only; refused.' }),
  tidy_cmpv2_nonce_store: field.bool({ description: 'Tidy the CMPv2 nonces (Lockbox keeps none).' }),
  safety_buffer: field.signedDuration({ description: 'Keep certificates this long past expiry (72h).' }),
  revoked_safety_buffer: field.signedDuration({ description: 'Keep revocations this long past expiry (default: safety_buffer).' }),
  issuer_safety_buffer: field.signedDuration({ description: 'Keep issuers this long past expiry (8760h).' }),
  revocation_queue_safety_buffer: field.signedDuration({ description: 'Keep revocation requests this long (48h).' }),
  acme_account_safety_buffer: field.signedDuration({ description: 'Keep idle ACME accounts this long (720h).' }),
  pause_duration: field.string({ description: 'Pause between pages ("0s").' }),
  page_size: field.int({ description: 'Entries per page (1000).' }),
};
type OperationValues = FieldValues<typeof operationFields>;

const ANY_TIDY = 'tidy_cert_store / tidy_revoked_certs / tidy_revoked_cert_issuer_associations / tidy_expired_issuers / tidy_move_legacy_ca_bundle / tidy_revocation_queue / tidy_cross_cluster_revoked_certs / tidy_acme';

/** Parses pause_duration; a negative one gets Vault's text. */
function parsePause(value: string, prefix: string): number {
  if (value.trim().startsWith('-')) throw new BadRequest('received invalid, negative pause_duration');
  const s = parseDurationSeconds(value);
  if (s === undefined) throw new BadRequest(`${prefix}: time: invalid duration "${value}"`);
  return s;
}

/** The fields sent, over `base`; the deprecated tidy_revocation_list counts as tidy_revoked_certs. */
function merged(ctx: HandlerContext<OperationValues>, base: AutoTidyConfig): AutoTidyConfig {
  const next = { ...base } as Record<string, unknown>;
  for (const name of Object.keys(operationFields)) if (ctx.sent.has(name) && name in base) next[name] = ctx.fields[name as keyof OperationValues];
  if (ctx.sent.has('tidy_revocation_list') && ctx.fields.tidy_revocation_list) next.tidy_revoked_certs = true;
  if (!ctx.sent.has('revoked_safety_buffer') && ctx.sent.has('safety_buffer')) next.revoked_safety_buffer = ctx.fields.safety_buffer;
  return next as AutoTidyConfig;
}

async function tidy(ctx: HandlerContext<OperationValues>) {
  const c = merged(ctx, DEFAULT_AUTO_TIDY);
  if (c.safety_buffer < 1) throw new BadRequest('safety_buffer must be greater than zero');
  if (c.revoked_safety_buffer < 1) throw new BadRequest('revokedSafetyBuffer must be greater than zero');
  if (c.issuer_safety_buffer < 1) throw new BadRequest('issuer_safety_buffer must be greater than zero');
  if (c.revocation_queue_safety_buffer < 1) throw new BadRequest('revocation_queue_safety_buffer must be greater than zero');
  if (c.acme_account_safety_buffer < 1) throw new BadRequest('acme_account_safety_buffer must be greater than zero');
  const pause = parsePause(c.pause_duration, 'Error parsing pause_duration');
  if (c.page_size < 5) throw new BadRequest('page_size must be greater than five');
  if (c.tidy_cert_metadata) throw new BadRequest('certificate metadata is only supported on Vault Enterprise');
  const mountId = ctx.mount.uuid;
  if (isTidyRunning(mountId)) return { data: {}, warnings: ['Tidy operation already in progress.'], status: 202 };
  // As in Vault, a manual run also counts as the last auto-tidy.
  const now = () => ctx.clock.now();
  await recordAutoTidy(ctx.storage, now());
  void startTidy(mountId, ctx.storage, optionsOf(c, pause), now, (finished) => recordAutoTidy(ctx.storage, finished));
  const warning = anyTidySelected(c)
    ? "Tidy operation successfully started. Any information from the operation will be printed to Lockbox's server logs."
    : `Manual tidy requested but no tidy operations were set. Enable at least one tidy operation to be run (${ANY_TIDY}).`;
  return { data: {}, warnings: [warning], status: 202 };
}

/** Go's zero time, which Vault shows before any auto-tidy. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** Vault's tidy-status shape: every field null while Inactive. */
function statusView(s: TidyStatus, mountUuid: string, lastAuto: number): Record<string, unknown> {
  const o = s.options;
  const view: Record<string, unknown> = {
    safety_buffer: null, issuer_safety_buffer: null, revoked_safety_buffer: null, tidy_cert_store: null, tidy_revoked_certs: null,
    tidy_invalid_certs: null, tidy_revoked_cert_issuer_associations: null, tidy_expired_issuers: null, tidy_move_legacy_ca_bundle: null,
    tidy_revocation_queue: null, tidy_cross_cluster_revoked_certs: null, tidy_acme: null, tidy_cert_metadata: null,
    tidy_cmpv2_nonce_store: null, pause_duration: null, page_size: null, state: s.state, error: null, time_started: null,
    time_finished: null, message: null, cert_store_deleted_count: null, revoked_cert_deleted_count: null,
    missing_issuer_cert_count: null, current_cert_store_count: null, current_revoked_cert_count: null,
    internal_backend_uuid: mountUuid, revocation_queue_deleted_count: null, cross_revoked_cert_deleted_count: null,
    total_acme_account_count: null, acme_account_deleted_count: null, acme_account_revoked_count: null,
    acme_orders_deleted_count: null, acme_account_safety_buffer: null, cert_metadata_deleted_count: null,
    cmpv2_nonce_deleted_count: null, last_auto_tidy_finished: lastAuto > 0 ? rfc3339Nano(lastAuto) : GO_ZERO_TIME,
  };
  if (s.state === 'Inactive' || !o) return view;
  const ended = s.state === 'Finished' || s.state === 'Error' || s.state === 'Cancelled';
  return {
    ...view,
    safety_buffer: o.safety_buffer, issuer_safety_buffer: o.issuer_safety_buffer, revoked_safety_buffer: o.revoked_safety_buffer,
    tidy_cert_store: o.tidy_cert_store, tidy_revoked_certs: o.tidy_revoked_certs, tidy_invalid_certs: o.tidy_invalid_certs,
    tidy_revoked_cert_issuer_associations: o.tidy_revoked_cert_issuer_associations, tidy_expired_issuers: o.tidy_expired_issuers,
    tidy_move_legacy_ca_bundle: false, tidy_revocation_queue: false, tidy_cross_cluster_revoked_certs: false,
    tidy_acme: o.tidy_acme, tidy_cert_metadata: false, tidy_cmpv2_nonce_store: false,
    pause_duration: formatDuration(o.pause_duration), page_size: o.page_size, error: s.error,
    time_started: s.time_started, time_finished: ended ? s.time_finished : null, message: s.message,
    cert_store_deleted_count: s.cert_store_deleted_count, revoked_cert_deleted_count: s.revoked_cert_deleted_count,
    missing_issuer_cert_count: s.missing_issuer_cert_count, revocation_queue_deleted_count: 0, cross_revoked_cert_deleted_count: 0,
    revocation_queue_safety_buffer: null, total_acme_account_count: s.total_acme_account_count,
    acme_account_deleted_count: s.acme_account_deleted_count, acme_account_revoked_count: s.acme_account_revoked_count,
    acme_orders_deleted_count: s.acme_orders_deleted_count, acme_account_safety_buffer: o.acme_account_safety_buffer,
    cert_metadata_deleted_count: 0, cmpv2_nonce_deleted_count: 0,
  };
}

const readStatus = async (ctx: HandlerContext<unknown>) => ({ data: statusView(tidyStatus(ctx.mount.uuid), ctx.mount.uuid, await lastAutoTidy(ctx.storage)) });

const autoTidyFields = {
  ...operationFields,
  enabled: field.bool({ description: 'Run tidy on its interval.' }),
  interval_duration: field.signedDuration({ description: 'Time between the end of one auto-tidy and the next (12h).' }),
  min_startup_backoff_duration: field.signedDuration({ description: 'Least delay of the first auto-tidy after start-up (5m).' }),
  max_startup_backoff_duration: field.signedDuration({ description: 'Largest delay of the first auto-tidy after start-up (15m).' }),
  maintain_stored_certificate_counts: field.bool({ description: 'Keep a running count of stored certificates (refused).' }),
  publish_stored_certificate_count_metrics: field.bool({ description: 'Publish that count as metrics.' }),
};

/** Vault's read shape of config/auto-tidy. */
function autoTidyView(c: AutoTidyConfig): Record<string, unknown> {
  return { ...c, pause_duration: formatDuration(parseDurationSeconds(c.pause_duration) ?? 0) };
}

async function writeAutoTidy(ctx: HandlerContext<FieldValues<typeof autoTidyFields>>) {
  const current = await autoTidyConfig(ctx.storage);
  const f = ctx.fields;
  const next = merged(ctx as unknown as HandlerContext<OperationValues>, current);
  const turningOn = ctx.sent.has('enabled') && f.enabled && !current.enabled;
  for (const name of ['enabled', 'interval_duration', 'min_startup_backoff_duration', 'max_startup_backoff_duration', 'maintain_stored_certificate_counts', 'publish_stored_certificate_count_metrics'] as const) {
    if (ctx.sent.has(name)) (next as Record<string, unknown>)[name] = f[name];
  }
  for (const name of ['min_startup_backoff_duration', 'max_startup_backoff_duration'] as const) {
    if (ctx.sent.has(name) && f[name] < 1) throw new BadRequest(`${name} must be at least 1 second: parsed: ${formatDuration(Math.max(0, f[name]))}`);
  }
  if (next.min_startup_backoff_duration > next.max_startup_backoff_duration) {
    throw new BadRequest(`max_startup_backoff_duration ${formatDuration(next.max_startup_backoff_duration)} must be greater or equal to min_startup_backoff_duration ${formatDuration(next.min_startup_backoff_duration)}`);
  }
  if (next.interval_duration < 0) throw new BadRequest(`given interval_duration must be greater than or equal to zero seconds; got: ${f.interval_duration}`);
  for (const name of ['safety_buffer', 'issuer_safety_buffer', 'revocation_queue_safety_buffer', 'acme_account_safety_buffer', 'revoked_safety_buffer'] as const) {
    if (ctx.sent.has(name) && f[name] < 1) throw new BadRequest(`given ${name === 'issuer_safety_buffer' ? 'safety_buffer' : name} must be at least one second; got: ${f[name]}`);
  }
  if (ctx.sent.has('pause_duration')) parsePause(f.pause_duration, 'unable to parse given pause_duration');
  if (ctx.sent.has('page_size') && f.page_size < 5) throw new BadRequest('page_size must be greater than five');
  if (next.tidy_cert_metadata) throw new BadRequest('certificate metadata is only supported on Vault Enterprise');
  if (next.enabled && !anyTidySelected(next)) {
    throw new BadRequest(`Auto-tidy enabled but no tidy operations were requested. Enable at least one tidy operation to be run (${ANY_TIDY}).`);
  }
  // Lockbox keeps no running certificate count (a million entries are never counted at start).
  if (next.maintain_stored_certificate_counts) throw new BadRequest('maintain_stored_certificate_counts is not supported by this server: certificates are not counted');
  if (next.publish_stored_certificate_count_metrics) {
    throw new BadRequest('Can not publish a running storage metrics count to metrics without first maintaining that count.  Enable `maintain_stored_certificate_counts` to enable `publish_stored_certificate_count_metrics`.');
  }
  await writeAutoTidyConfig(ctx.storage, next);
  // Turning auto-tidy on starts its interval now, as in Vault.
  if (turningOn) await recordAutoTidy(ctx.storage, ctx.clock.now());
  return { data: autoTidyView(next) };
}

export const tidyPaths = [
  definePath({ pattern: 'tidy', fields: operationFields, summary: 'Remove expired certificates, revocations, issuers and ACME state.', operations: { update: tidy } }),
  definePath({ pattern: 'tidy-status', fields: {}, summary: 'The last tidy run.', operations: { read: readStatus } }),
  definePath({
    pattern: 'tidy-cancel', fields: {}, summary: 'Stop the running tidy.',
    operations: {
      update: async (ctx) => {
        const status = cancelTidy(ctx.mount.uuid);
        if (!status) return { data: {}, warnings: ['Tidy operation cannot be cancelled as none is currently running.'] };
        return { data: statusView(status, ctx.mount.uuid, await lastAutoTidy(ctx.storage)) };
      },
    },
  }),
  definePath({
    pattern: 'config/auto-tidy', fields: autoTidyFields, summary: 'Run tidy automatically on an interval.',
    operations: {
      read: async (ctx) => ({ data: autoTidyView(await autoTidyConfig(ctx.storage)) }),
      update: writeAutoTidy,
    },
  }),
];
