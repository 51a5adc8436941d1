// CRLs: one complete CRL per issuer (with an incrementing CRL number and the issuer's AKI),
// and optionally a delta CRL of revocations since the last complete one.
import type { Storage } from '../../storage/storage.js';
import { parseDurationSeconds } from '../../util/duration.js';
import { LockboxError } from '../../util/errors.js';
import { normalizeSerial } from './certs.js';
import { allIssuers, signerOf } from './issuers.js';
import { buildCrlOffLoop } from './crl-offload.js';
import { storedCrlEntry } from './crl-entry.js';
import { revocationAlgorithm } from './sign.js';
import { getJson, putJson, type IssuerEntry, type RevokedEntry } from './store.js';

/** Vault's config/crl, durations kept as written. */
export type CrlConfig = {
  expiry: string; disable: boolean; ocsp_disable: boolean; ocsp_expiry: string; auto_rebuild: boolean;
  auto_rebuild_grace_period: string; enable_delta: boolean; delta_rebuild_interval: string;
  /** Vault Enterprise's replication settings: always false here, stored and shown as Vault CE does. */
  cross_cluster_revocation: boolean; unified_crl: boolean; unified_crl_on_existing_paths: boolean;
  /** The most entries one issuer's CRL (complete or delta) may list; 0 means 100000, -1 no limit. */
  max_crl_entries: number;
};

export const DEFAULT_CRL_CONFIG: CrlConfig = {
  expiry: '72h', disable: false, ocsp_disable: false, ocsp_expiry: '12h', auto_rebuild: false,
  auto_rebuild_grace_period: '12h', enable_delta: false, delta_rebuild_interval: '15m',
  cross_cluster_revocation: false, unified_crl: false, unified_crl_on_existing_paths: false, max_crl_entries: 100_000,
};

export async function crlConfig(storage: Storage): Promise<CrlConfig> {
  return { ...DEFAULT_CRL_CONFIG, ...(await getJson<Partial<CrlConfig>>(storage, 'config/crl')) };
}

/** A built CRL as stored. */
export type StoredCrl = { number: number; der: string; this_update: number; next_update: number; delta_number?: number; delta_der?: string; delta_base_time?: number };

const seconds = (d: string) => parseDurationSeconds(d) ?? 0;

/** What a CRL needs of a revocation (the stored entry also holds the certificate). */
type Revocation = Omit<RevokedEntry, 'certificate'>;

/**
 * Every revocation, from the revoked/ prefix only (the cert store is never scanned), read a
 * page at a time and kept without its certificate, so 100,000 entries stay small in memory.
 * Entries stored before revoke wrote `crl_entry` are encoded here, in memory, at every build.
 * They are never written back: a build's write would race tidy's deletes and issuer fixes
 * (transactions are read-committed, last committer wins) and could bring back an entry tidy
 * removed, or an issuer_id it corrected. A build writes nothing under revoked/.
 */
export async function allRevoked(storage: Storage): Promise<Revocation[]> {
  const out: Revocation[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await storage.list('revoked/', { after, limit: 1000 });
    const entries = await Promise.all(page.map((s) => getJson<RevokedEntry>(storage, `revoked/${s}`)));
    entries.forEach((e, i) => {
      if (!e) return;
      const crlEntry = e.crl_entry ?? storedCrlEntry(page[i]!, e.revocation_time);
      out.push({ serial: e.serial, revocation_time: e.revocation_time, issuer_id: e.issuer_id, not_after: e.not_after, crl_entry: crlEntry });
    });
    if (page.length < 1000) break;
    after = page[page.length - 1];
  }
  return out;
}

/** A CRL longer than max_crl_entries: a server error whose text the caller sees, as in Vault. */
class CrlTooLarge extends LockboxError {
  override readonly status = 500;
}

/** Refuses to build a CRL of more entries than config/crl's max_crl_entries allows. */
function checkSize(entries: Revocation[], config: CrlConfig): void {
  const max = config.max_crl_entries || DEFAULT_CRL_CONFIG.max_crl_entries;
  if (max !== -1 && entries.length > max) {
    throw new CrlTooLarge(`error building CRL: revocation list size (${entries.length}) exceeds configured maximum (${max})`);
  }
}

async function signCrl(storage: Storage, issuer: IssuerEntry, entries: Revocation[], nowMs: number, config: CrlConfig, numbers: { number: number; deltaOf?: number }) {
  checkSize(entries, config);
  const expiry = seconds(config.expiry);
  const signer = await signerOf(storage, issuer);
  return buildCrlOffLoop(signer, revocationAlgorithm(signer.key, issuer.revocation_signature_algorithm), {
    issuerCert: new Uint8Array(signer.cert.rawData),
    thisUpdate: new Date(nowMs),
    nextUpdate: new Date(nowMs + expiry * 1000),
    ...numbers,
    entries: entries.map((e) => ({ serialHex: normalizeSerial(e.serial), revokedAt: e.revocation_time, der: e.crl_entry })),
  });
}

/** Revocations an issuer's CRL lists: its own, not yet expired, and only while CRLs are enabled. */
function listedFor(issuer: IssuerEntry, revoked: Revocation[], config: CrlConfig, nowS: number): Revocation[] {
  if (config.disable) return [];
  return revoked.filter((r) => r.issuer_id === issuer.id && r.not_after > nowS);
}

/** Rebuilds every issuer's complete CRL (and the delta, when enabled). */
export async function rebuildCrls(storage: Storage, nowMs: number): Promise<void> {
  const config = await crlConfig(storage);
  const revoked = await allRevoked(storage);
  for (const issuer of await allIssuers(storage)) {
    if (issuer.key_id === '' || !issuer.usage.includes('crl-signing')) continue;
    const previous = await getJson<StoredCrl>(storage, `crl/${issuer.id}`);
    const number = (previous ? Math.max(previous.number, previous.delta_number ?? 0) : 0) + 1;
    const der = await signCrl(storage, issuer, listedFor(issuer, revoked, config, Math.floor(nowMs / 1000)), nowMs, config, { number });
    const stored: StoredCrl = { number, der: der.toString('base64'), this_update: nowMs, next_update: nowMs + seconds(config.expiry) * 1000, delta_base_time: Math.floor(nowMs / 1000) };
    if (config.enable_delta) Object.assign(stored, await deltaFor(storage, issuer, revoked, config, nowMs, stored, number + 1));
    await putJson(storage, `crl/${issuer.id}`, stored);
  }
}

/** A delta CRL over `complete`: revocations since it was built, marked with its number. */
async function deltaFor(storage: Storage, issuer: IssuerEntry, revoked: Revocation[], config: CrlConfig, nowMs: number, complete: StoredCrl, number: number) {
  const since = complete.delta_base_time ?? 0;
  const entries = listedFor(issuer, revoked, config, Math.floor(nowMs / 1000)).filter((r) => r.revocation_time >= since);
  const der = await signCrl(storage, issuer, entries, nowMs, config, { number, deltaOf: complete.number });
  return { delta_number: number, delta_der: der.toString('base64') };
}

/** Rebuilds only the delta CRLs (crl/rotate-delta, and after a revoke with auto_rebuild). */
export async function rebuildDeltas(storage: Storage, nowMs: number): Promise<void> {
  const config = await crlConfig(storage);
  if (!config.enable_delta) return;
  const revoked = await allRevoked(storage);
  for (const issuer of await allIssuers(storage)) {
    const complete = await getJson<StoredCrl>(storage, `crl/${issuer.id}`);
    if (!complete || issuer.key_id === '') continue;
    const number = Math.max(complete.number, complete.delta_number ?? 0) + 1;
    await putJson(storage, `crl/${issuer.id}`, { ...complete, ...(await deltaFor(storage, issuer, revoked, config, nowMs, complete, number)) });
  }
}

/**
 * The stored CRL of an issuer, building it when missing, or (with auto_rebuild) when it
 * expires within the grace period.
 */
export async function currentCrl(storage: Storage, issuer: IssuerEntry, nowMs: number): Promise<StoredCrl | undefined> {
  let crl = await getJson<StoredCrl>(storage, `crl/${issuer.id}`);
  const config = await crlConfig(storage);
  const stale = crl && config.auto_rebuild && crl.next_update - seconds(config.auto_rebuild_grace_period) * 1000 <= nowMs;
  if (!crl || stale) {
    if (issuer.key_id === '') return undefined;
    await rebuildCrls(storage, nowMs);
    crl = await getJson<StoredCrl>(storage, `crl/${issuer.id}`);
  }
  return crl;
}

