// Tidy: removes expired certificates (through the expiry index, so only expired entries are
// visited), expired revocations (then rebuilds the CRLs), expired issuers and stale ACME state.
// One run per mount at a time, in the background; its status is kept in memory, as Vault does.
// Manual runs (pki/tidy) and auto-tidy (auto-tidy.ts) both start here.
import { X509Certificate as NodeCertificate } from 'node:crypto';
import type { Storage } from '../../storage/storage.js';
import { tidyAcme, type AcmeTidyCounts } from './acme/tidy.js';
import { rebuildCrls } from './crl.js';
import { allIssuers, issuersConfig } from './issuers.js';
import { getJson, type RevokedEntry } from './store.js';
import { rfc3339Nano } from './validity.js';

/** One run's settings; buffers and the pause in seconds. */
export type TidyOptions = {
  tidy_cert_store: boolean; tidy_revoked_certs: boolean; tidy_invalid_certs: boolean;
  tidy_revoked_cert_issuer_associations: boolean; tidy_expired_issuers: boolean; tidy_acme: boolean;
  safety_buffer: number; revoked_safety_buffer: number; issuer_safety_buffer: number; acme_account_safety_buffer: number;
  pause_duration: number; page_size: number;
};

export type TidyState = 'Inactive' | 'Running' | 'Finished' | 'Error' | 'Cancelling' | 'Cancelled';

export type TidyStatus = AcmeTidyCounts & {
  options: TidyOptions | undefined; state: TidyState; error: string | null; message: string | null;
  time_started: string | null; time_finished: string | null;
  cert_store_deleted_count: number; revoked_cert_deleted_count: number; missing_issuer_cert_count: number;
  expired_issuers_deleted_count: number;
};

type Run = { status: TidyStatus; cancel: boolean };

// Per mount (by uuid): the last or current run.
const runs = new Map<string, Run>();

const fresh = (): TidyStatus => ({
  options: undefined, state: 'Inactive', error: null, message: null, time_started: null, time_finished: null,
  cert_store_deleted_count: 0, revoked_cert_deleted_count: 0, missing_issuer_cert_count: 0, expired_issuers_deleted_count: 0,
  total_acme_account_count: 0, acme_account_deleted_count: 0, acme_account_revoked_count: 0, acme_orders_deleted_count: 0,
});

export function tidyStatus(mountUuid: string): TidyStatus {
  return runs.get(mountUuid)?.status ?? fresh();
}

export function isTidyRunning(mountUuid: string): boolean {
  const state = runs.get(mountUuid)?.status.state;
  return state === 'Running' || state === 'Cancelling';
}

/** Asks a running tidy to stop at its next page; answers the status. */
export function cancelTidy(mountUuid: string): TidyStatus | undefined {
  const run = runs.get(mountUuid);
  if (!run || run.status.state !== 'Running') return undefined;
  run.cancel = true;
  run.status.state = 'Cancelling';
  return run.status;
}

/** Forgets a mount's run (the mount was removed). */
export function forgetTidy(mountUuid: string): void {
  runs.delete(mountUuid);
}

class Cancelled extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a tidy in the background; the caller has checked none is running. `onSuccess` runs
 * once it finished without error (auto-tidy records the time then, as Vault does).
 */
export function startTidy(mountUuid: string, storage: Storage, options: TidyOptions, now: () => number, onSuccess?: (finishedMs: number) => Promise<void>): Promise<void> {
  const run: Run = { status: { ...fresh(), options, state: 'Running', time_started: rfc3339Nano(now()) }, cancel: false };
  runs.set(mountUuid, run);
  return tidy(run, storage, options, now).then(
    async () => {
      run.status.state = 'Finished';
      run.status.message = null;
      await onSuccess?.(now());
    },
    (err: unknown) => {
      if (err instanceof Cancelled) run.status.state = 'Cancelled';
      else { run.status.state = 'Error'; run.status.error = 'tidy failed; see the server log'; }
    },
  ).catch(() => undefined).finally(() => { run.status.time_finished = rfc3339Nano(now()); });
}

async function checkpoint(run: Run, options: TidyOptions): Promise<void> {
  if (run.cancel) throw new Cancelled();
  if (options.pause_duration > 0) await sleep(options.pause_duration * 1000);
}

async function tidy(run: Run, storage: Storage, o: TidyOptions, now: () => number): Promise<void> {
  const nowS = Math.floor(now() / 1000);
  if (o.tidy_cert_store) await tidyCertStore(run, storage, o, nowS - o.safety_buffer);
  if (o.tidy_invalid_certs) await tidyInvalid(run, storage, o);
  let revokedChanged = false;
  if (o.tidy_revoked_certs || o.tidy_revoked_cert_issuer_associations) revokedChanged = await tidyRevoked(run, storage, o, nowS);
  if (o.tidy_expired_issuers) revokedChanged = (await tidyIssuers(run, storage, o, nowS)) || revokedChanged;
  if (revokedChanged) await rebuildCrls(storage, now());
  if (o.tidy_acme) {
    run.status.message = 'Tidying ACME accounts, orders and authorizations';
    const opts = { safetyBufferMs: o.safety_buffer * 1000, accountBufferMs: o.acme_account_safety_buffer * 1000, nowMs: nowS * 1000 };
    await tidyAcme(storage, opts, run.status, () => checkpoint(run, o));
  }
}

/**
 * Deletions per storage transaction: one commit (one fsync on SQLite) per batch instead of per
 * certificate. With a pause_duration, Vault pauses after every certificate, so batches are of one.
 */
const batchSize = (o: TidyOptions) => (o.pause_duration > 0 ? 1 : 100);

/** Deletes `keys` in transactions of `batchSize`, calling `done` with each batch's size. */
async function deleteInBatches(run: Run, storage: Storage, o: TidyOptions, keys: string[][], done: (n: number) => void): Promise<void> {
  const size = batchSize(o);
  for (let i = 0; i < keys.length; i += size) {
    const batch = keys.slice(i, i + size);
    await storage.transaction(async (tx) => { for (const group of batch) for (const key of group) await tx.delete(key); });
    done(batch.length);
    await checkpoint(run, o);
  }
}

/**
 * Walks the expiry index from the oldest time up to `cutoff`: only expired entries are read,
 * each time bucket a page at a time (one second can hold any number of certificates).
 */
async function tidyCertStore(run: Run, storage: Storage, o: TidyOptions, cutoff: number): Promise<void> {
  run.status.message = 'Tidying certificate store';
  let after: string | undefined;
  for (;;) {
    const folders = await storage.list('expiry/', { after, limit: o.page_size });
    for (const folder of folders) {
      if (Number(folder.slice(0, -1)) >= cutoff) return;
      for (;;) {
        // Everything listed is deleted, so each page starts at the bucket's (new) beginning.
        const serials = await storage.list(`expiry/${folder}`, { limit: o.page_size });
        await deleteInBatches(run, storage, o, serials.map((hex) => [`certs/${hex}`, `expiry/${folder}${hex}`]), (n) => { run.status.cert_store_deleted_count += n; });
        if (serials.length < o.page_size) break;
      }
      await checkpoint(run, o);
    }
    if (folders.length < o.page_size) return;
    after = folders[folders.length - 1];
  }
}

/** Pages through the whole cert store, removing entries that are not a parseable certificate. */
async function tidyInvalid(run: Run, storage: Storage, o: TidyOptions): Promise<void> {
  run.status.message = 'Tidying invalid certificates';
  let after: string | undefined;
  for (;;) {
    const page = await storage.list('certs/', { after, limit: o.page_size });
    for (const hex of page) {
      const entry = await getJson<{ certificate?: string }>(storage, `certs/${hex}`).catch(() => undefined);
      let valid = false;
      try { valid = entry?.certificate !== undefined && new NodeCertificate(entry.certificate).serialNumber !== ''; } catch { valid = false; }
      if (!valid) {
        await storage.delete(`certs/${hex}`);
        run.status.cert_store_deleted_count++;
      }
    }
    await checkpoint(run, o);
    if (page.length < o.page_size) return;
    after = page[page.length - 1];
  }
}

/** Removes revocations of certificates expired past the buffer; fills missing issuer links. */
async function tidyRevoked(run: Run, storage: Storage, o: TidyOptions, nowS: number): Promise<boolean> {
  run.status.message = 'Tidying revoked certificates';
  const issuers = await allIssuers(storage);
  let changed = false;
  let after: string | undefined;
  for (;;) {
    const page = await storage.list('revoked/', { after, limit: o.page_size });
    // The page's entries are read together (storage answers them side by side), the expired
    // ones deleted in batches.
    const entries = await Promise.all(page.map((hex) => getJson<RevokedEntry>(storage, `revoked/${hex}`)));
    const expired: string[][] = [];
    for (const [i, hex] of page.entries()) {
      const entry = entries[i];
      if (!entry) continue;
      if (o.tidy_revoked_certs && entry.not_after + o.revoked_safety_buffer < nowS) {
        expired.push([`revoked/${hex}`]);
        continue;
      }      if (o.tidy_revoked_cert_issuer_associations && !issuers.some((i) => i.id === entry.issuer_id)) {
        const cert = new NodeCertificate(entry.certificate);
        const parent = issuers.find((i) => { const c = new NodeCertificate(i.certificate); return cert.checkIssued(c) && cert.verify(c.publicKey); });
        if (parent) {
          await storage.put(`revoked/${hex}`, Buffer.from(JSON.stringify({ ...entry, issuer_id: parent.id })));
          changed = true;
        } else {
          run.status.missing_issuer_cert_count++;
        }
      }
    }
    await deleteInBatches(run, storage, o, expired, (n) => { run.status.revoked_cert_deleted_count += n; });
    if (expired.length > 0) changed = true;
    await checkpoint(run, o);
    if (page.length < o.page_size) return changed;
    after = page[page.length - 1];
  }
}

/** Deletes issuers expired past issuer_safety_buffer, never the default one. */
async function tidyIssuers(run: Run, storage: Storage, o: TidyOptions, nowS: number): Promise<boolean> {
  run.status.message = 'Tidying expired issuers';
  const { default: defaultId } = await issuersConfig(storage);
  let changed = false;
  for (const issuer of await allIssuers(storage)) {
    const notAfter = Math.floor(new Date(new NodeCertificate(issuer.certificate).validTo).getTime() / 1000);
    if (issuer.id === defaultId || notAfter + o.issuer_safety_buffer >= nowS) continue;
    await storage.delete(`issuer/${issuer.id}`);
    await storage.delete(`crl/${issuer.id}`);
    run.status.expired_issuers_deleted_count++;
    changed = true;
  }
  return changed;
}
