// tidy (202, background), tidy-status and tidy-cancel.
import { definePath, field, type HandlerContext } from '../../../core/path.js';
import type { FieldValues } from '../../../core/fields.js';
import { BadRequest } from '../../../util/errors.js';
import { formatDuration, parseDurationSeconds } from '../../../util/duration.js';
import { cancelTidy, isTidyRunning, startTidy, tidyStatus, type TidyStatus } from '../tidy.js';

const tidyFields = {
  tidy_cert_store: field.bool({ description: 'Remove expired certificates.', default: false }),
  tidy_revoked_certs: field.bool({ description: 'Remove expired revocations.', default: false }),
  tidy_invalid_certs: field.bool({ description: 'Remove unparseable certificates.', default: false }),
  tidy_revoked_cert_issuer_associations: field.bool({ description: 'Link revocations to their issuers.', default: false }),
  tidy_expired_issuers: field.bool({ description: 'Remove expired issuers.', default: false }),
  tidy_acme: field.bool({ description: 'Remove stale ACME accounts and orders.', default: false }),
  safety_buffer: field.duration({ description: 'Keep certificates this long past expiry.', default: 72 * 3600 }),
  revoked_safety_buffer: field.duration({ description: 'Keep revocations this long past expiry (default: safety_buffer).' }),
  issuer_safety_buffer: field.duration({ description: 'Keep issuers this long past expiry.', default: 8760 * 3600 }),
  acme_account_safety_buffer: field.duration({ description: 'Keep idle ACME accounts this long.', default: 720 * 3600 }),
  pause_duration: field.string({ description: 'Pause between pages.', default: '0s' }),
  page_size: field.int({ description: 'Entries per page.', default: 1000 }),
};

const OPERATIONS = 'tidy_cert_store, tidy_revoked_certs, tidy_invalid_certs, tidy_revoked_cert_issuer_associations, tidy_expired_issuers';

async function tidy(ctx: HandlerContext<FieldValues<typeof tidyFields>>) {
  const f = ctx.fields;
  if (f.safety_buffer < 1) throw new BadRequest('safety_buffer must be greater than zero');
  if (ctx.sent.has('revoked_safety_buffer') && f.revoked_safety_buffer < 1) throw new BadRequest('revokedSafetyBuffer must be greater than zero');
  if (f.issuer_safety_buffer < 1) throw new BadRequest('issuer_safety_buffer must be greater than zero');
  if (f.acme_account_safety_buffer < 1) throw new BadRequest('acme_account_safety_buffer must be greater than zero');
  const pause = f.pause_duration.trim().startsWith('-') ? -1 : parseDurationSeconds(f.pause_duration);
  if (pause === undefined) throw new BadRequest(`Error parsing pause_duration: time: invalid duration "${f.pause_duration}"`);
  if (pause < 0) throw new BadRequest('received invalid, negative pause_duration');
  if (f.page_size < 5) throw new BadRequest('page_size must be greater than five');
  // ACME is not served by this engine yet: there is nothing for tidy_acme to do, so it is refused.
  if (f.tidy_acme) throw new BadRequest('tidy_acme is not supported: this server has no ACME state to tidy');
  const mountId = ctx.mount.uuid;
  if (isTidyRunning(mountId)) return { data: {}, warnings: ['Tidy operation already in progress.'], status: 202 };
  const any = f.tidy_cert_store || f.tidy_revoked_certs || f.tidy_invalid_certs || f.tidy_revoked_cert_issuer_associations || f.tidy_expired_issuers;
  if (!any) return { data: {}, warnings: [`Manual tidy requested but no tidy operations were set. Enable at least one tidy operation to be run (${OPERATIONS}).`], status: 202 };
  startTidy(mountId, ctx.storage, {
    ...f, revoked_safety_buffer: ctx.sent.has('revoked_safety_buffer') ? f.revoked_safety_buffer : f.safety_buffer, pause_duration: pause,
  }, () => ctx.clock.now());
  return { data: {}, warnings: ["Tidy operation successfully started. Any information from the operation will be printed to Lockbox's server logs."], status: 202 };
}

/** Vault's tidy-status shape. */
function statusView(s: TidyStatus, mountUuid: string): Record<string, unknown> {
  const o = s.options;
  return {
    safety_buffer: o?.safety_buffer ?? null, revoked_safety_buffer: o?.revoked_safety_buffer ?? null, issuer_safety_buffer: o?.issuer_safety_buffer ?? null,
    tidy_cert_store: o?.tidy_cert_store ?? null, tidy_revoked_certs: o?.tidy_revoked_certs ?? null, tidy_invalid_certs: o?.tidy_invalid_certs ?? null,
    tidy_revoked_cert_issuer_associations: o?.tidy_revoked_cert_issuer_associations ?? null, tidy_expired_issuers: o?.tidy_expired_issuers ?? null,
    tidy_move_legacy_ca_bundle: null, tidy_acme: o ? false : null, pause_duration: o ? formatDuration(o.pause_duration) : null, page_size: o?.page_size ?? null,
    state: s.state, error: s.error, time_started: s.time_started, time_finished: s.time_finished, message: s.message,
    cert_store_deleted_count: s.cert_store_deleted_count, revoked_cert_deleted_count: s.revoked_cert_deleted_count,
    missing_issuer_cert_count: s.missing_issuer_cert_count, current_cert_store_count: null, current_revoked_cert_count: null,
    internal_backend_uuid: mountUuid, total_acme_account_count: 0, acme_account_deleted_count: 0, acme_account_revoked_count: 0,
    acme_orders_deleted_count: 0, acme_account_safety_buffer: null,
  };
}

export const tidyPaths = [
  definePath({ pattern: 'tidy', fields: tidyFields, summary: 'Remove expired certificates, revocations and issuers.', operations: { update: tidy } }),
  definePath({ pattern: 'tidy-status', fields: {}, summary: 'The last tidy run.', operations: { read: async (ctx) => ({ data: statusView(tidyStatus(ctx.mount.uuid), ctx.mount.uuid) }) } }),
  definePath({
    pattern: 'tidy-cancel', fields: {}, summary: 'Stop the running tidy.',
    operations: {
      update: async (ctx) => {
        const status = cancelTidy(ctx.mount.uuid);
        if (!status) throw new BadRequest('Tidy operation cannot be cancelled as none is currently running.');
        return { data: statusView(status, ctx.mount.uuid) };
      },
    },
  }),
];
