// The PKI mount's share of the core's periodic hook (every few seconds): auto-tidy when due,
// CRL auto-rebuild, and resuming ACME validations that a restart interrupted. Each step reads
// only small configuration entries unless it has work to do.
import type { Storage } from '../../storage/storage.js';
import { parseDurationSeconds } from '../../util/duration.js';
import { resumeValidations } from './acme/validate.js';
import { runAutoTidy } from './auto-tidy.js';
import { crlConfig, rebuildCrls, type StoredCrl } from './crl.js';
import { allIssuers } from './issuers.js';
import { getJson } from './store.js';

/** CRL expiry is checked once a minute per mount, as Vault's periodic function does. */
const CRL_CHECK_MS = 60_000;
const lastCrlCheck = new Map<string, number>();

/** With auto_rebuild, rebuilds the CRLs once one is within its grace period of NextUpdate. */
async function autoRebuildCrls(storage: Storage, mountUuid: string, nowMs: number): Promise<void> {
  const last = lastCrlCheck.get(mountUuid);
  if (last !== undefined && nowMs - last < CRL_CHECK_MS && nowMs >= last) return;
  lastCrlCheck.set(mountUuid, nowMs);
  const config = await crlConfig(storage);
  if (!config.auto_rebuild) return;
  const grace = (parseDurationSeconds(config.auto_rebuild_grace_period) ?? 0) * 1000;
  for (const issuer of await allIssuers(storage)) {
    if (issuer.key_id === '') continue;
    const crl = await getJson<Pick<StoredCrl, 'next_update'>>(storage, `crl/${issuer.id}`);
    if (!crl || crl.next_update - grace <= nowMs) {
      await rebuildCrls(storage, nowMs);
      return;
    }
  }
}

export async function pkiPeriodic(ctx: { storage: Storage; now: number; mountUuid: string }): Promise<void> {
  await runAutoTidy(ctx.storage, ctx.mountUuid, ctx.now, (d) => parseDurationSeconds(d) ?? 0);
  await autoRebuildCrls(ctx.storage, ctx.mountUuid, ctx.now);
  await resumeValidations(ctx.storage, () => Date.now());
}
