// revoke, revoke-with-key, the CRL downloads and rebuilds, and config/crl.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { definePath, field, type HandlerContext } from '../../../core/path.js';
import type { FieldValues } from '../../../core/fields.js';
import { BadRequest } from '../../../util/errors.js';
import { formatDuration, parseDurationSeconds } from '../../../util/duration.js';
import { normalizeSerial, parseCertificate } from '../certs.js';
import { crlConfig, currentCrl, DEFAULT_CRL_CONFIG, rebuildCrls, rebuildDeltas, type CrlConfig } from '../crl.js';
import { findIssuer } from '../issuers.js';
import { parsePrivateKey, samePublicKey } from '../keys.js';
import { revokeSerial } from '../revoke.js';
import { getJson, putJson, type CertEntry } from '../store.js';
import { x509 } from '../x509.js';

const revokeFields = {
  serial_number: field.string({ description: 'Serial to revoke (colon or hyphen form).' }),
  certificate: field.string({ description: 'PEM certificate to revoke.' }),
  private_key: field.string({ description: 'The certificate key (revoke-with-key).', sensitive: true }),
};

/** Revokes, then rebuilds the CRLs unless they rebuild themselves (auto_rebuild). */
export async function revokeAndRebuild(ctx: HandlerContext<unknown>, serial: string) {
  const result = await revokeSerial(ctx.storage, serial, ctx.clock.now());
  if (result.changed) {
    const config = await crlConfig(ctx.storage);
    if (!config.auto_rebuild) await rebuildCrls(ctx.storage, ctx.clock.now());
    else await rebuildDeltas(ctx.storage, ctx.clock.now());
  }
  return { data: result.data, warnings: result.warnings };
}

/** The serial a revoke names, from exactly one of serial_number or certificate. */
async function serialToRevoke(ctx: HandlerContext<FieldValues<typeof revokeFields>>, withKey: boolean): Promise<string> {
  const f = ctx.fields;
  if (f.serial_number === '' && f.certificate === '') throw new BadRequest('The serial number or certificate to revoke must be provided.');
  if (f.serial_number !== '' && f.certificate !== '') throw new BadRequest('Must provide either the certificate or the serial to revoke; not both.');
  if (withKey && f.private_key === '') throw new BadRequest('Must have private key to revoke via the /revoke-with-key path.');
  let pem: string;
  let serial: string;
  if (f.certificate !== '') {
    const cert = parseCertificate(f.certificate);
    serial = normalizeSerial(cert.serialNumber);
    const stored = await getJson<CertEntry>(ctx.storage, `certs/${serial}`);
    if (stored && stored.certificate !== cert.toString('pem').trim()) {
      throw new BadRequest("certificate with same serial but unequal value already present in this cluster's storage; refusing to revoke");
    }
    pem = f.certificate;
  } else {
    serial = normalizeSerial(f.serial_number);
    const stored = await getJson<CertEntry>(ctx.storage, `certs/${serial}`);
    pem = stored?.certificate ?? '';
  }
  if (withKey) {
    if (f.private_key.trim().length < 10) throw new BadRequest('Provided data for private_key was too short; perhaps a path was passed to the API rather than the contents of a PEM file?');
    if (pem === '') throw new BadRequest(`certificate with serial ${serial} not found.`);
    let key: KeyObject;
    try { key = parsePrivateKey(f.private_key); } catch { throw new BadRequest('provided key PEM block contained no data or failed to parse'); }
    const certKey = createPublicKey(parseCertificate(pem).toString('pem'));
    if (key.asymmetricKeyType !== certKey.asymmetricKeyType) throw new BadRequest("provided private key type does not match certificate's public key type");
    if (!samePublicKey(key, certKey)) throw new BadRequest("provided private key does not match certificate's public key");
  }
  return serial;
}

const DER = 'application/pkix-crl';
const PEM = 'application/x-pem-file';

/** A CRL download: DER, PEM or Vault's JSON (cert/crl). */
async function crlDownload(ctx: HandlerContext<{ issuer_ref?: string }>, form: 'der' | 'pem' | 'json', delta: boolean) {
  const issuer = await findIssuer(ctx.storage, ctx.fields.issuer_ref ?? 'default');
  if (!issuer) {
    if (ctx.fields.issuer_ref && ctx.fields.issuer_ref !== 'default') throw new BadRequest(`unable to resolve issuer id for reference: ${ctx.fields.issuer_ref}`);
    return { raw: { status: 204, body: undefined } };
  }
  const crl = await currentCrl(ctx.storage, issuer, ctx.clock.now());
  const b64 = delta ? crl?.delta_der : crl?.der;
  if (!b64) return form === 'json' ? { data: { certificate: '', revocation_time: 0, revocation_time_rfc3339: '' } } : { raw: { status: 204, body: undefined } };
  const der = Buffer.from(b64, 'base64');
  const pem = x509.PemConverter.encode(der, 'X509 CRL').trim();
  if (form === 'der') return { raw: { status: 200, body: der, contentType: DER } };
  // Vault's CRL PEM has no trailing newline, downloaded or in cert/crl.
  if (form === 'pem') return { raw: { status: 200, body: pem, contentType: PEM } };
  return { data: { certificate: pem, revocation_time: 0, revocation_time_rfc3339: '' } };
}

const crlFields = {
  expiry: field.string({ description: 'CRL lifetime.', default: '72h' }),
  disable: field.bool({ description: 'Serve empty CRLs.', default: false }),
  ocsp_disable: field.bool({ description: 'Turn the OCSP responder off.', default: false }),
  ocsp_expiry: field.string({ description: 'OCSP response lifetime; 0 omits nextUpdate.', default: '12h' }),
  auto_rebuild: field.bool({ description: 'Rebuild CRLs as they near expiry instead of on each revoke.', default: false }),
  auto_rebuild_grace_period: field.string({ description: 'How long before expiry a CRL is rebuilt.', default: '12h' }),
  enable_delta: field.bool({ description: 'Build delta CRLs.', default: false }),
  delta_rebuild_interval: field.string({ description: 'Delta CRL rebuild interval.', default: '15m' }),
  cross_cluster_revocation: field.bool({ description: 'Vault Enterprise only: refused when true.', default: false }),
  unified_crl: field.bool({ description: 'Vault Enterprise only: refused when true.', default: false }),
  unified_crl_on_existing_paths: field.bool({ description: 'Needs unified_crl.', default: false }),
  max_crl_entries: field.int({ description: 'Largest CRL, in entries; -1 for no limit.', default: 100_000 }),
};

/** Vault parses each duration it is sent (ParseDurationSecond, which allows a sign). */
function parseConfigDuration(value: string, name: string): number {
  const negative = value.trim().startsWith('-');
  const s = parseDurationSeconds(negative ? value.trim().slice(1) : value);
  if (s === undefined) throw new BadRequest(`given ${name} could not be decoded: time: invalid duration ${JSON.stringify(value)}`);
  return negative ? -s : s;
}

const durationFields = new Set<keyof CrlConfig>(['expiry', 'ocsp_expiry', 'auto_rebuild_grace_period', 'delta_rebuild_interval']);

/** Vault's shape of config/crl: the stored settings, max_crl_entries 0 shown as its default. */
const crlConfigData = (c: CrlConfig) => ({ ...c, max_crl_entries: c.max_crl_entries || DEFAULT_CRL_CONFIG.max_crl_entries });

// Vault's order: each sent value parsed as it is taken, then the combinations, the
// Enterprise-only settings last; texts name the durations as they were written.
async function writeCrlConfig(ctx: HandlerContext<FieldValues<typeof crlFields>>) {
  const current = await crlConfig(ctx.storage);
  const next: CrlConfig = { ...current };
  for (const name of Object.keys(crlFields) as Array<keyof CrlConfig>) {
    if (!ctx.sent.has(name)) continue;
    const value = ctx.fields[name];
    if (name === 'max_crl_entries') {
      if (value === -1 || (value as number) > 0) next.max_crl_entries = value as number;
      continue;
    }
    // Vault refuses a negative ocsp_expiry in these words; the other durations are refused
    // the same way, as CRL builds would read them as 0 (a CRL already expired when signed).
    if (durationFields.has(name) && parseConfigDuration(value as string, name) < 0) {
      throw new BadRequest(`${name} must be greater than or equal to 0 got: -${formatDuration(-parseConfigDuration(value as string, name))}`);
    }
    (next as Record<string, unknown>)[name] = value;
  }
  if (next.unified_crl_on_existing_paths && !next.unified_crl) throw new BadRequest('unified_crl_on_existing_paths cannot be enabled if unified_crl is disabled');
  const seconds = (d: string) => { try { return parseConfigDuration(d, ''); } catch { return 0; } };
  const expiry = seconds(next.expiry);
  if (next.auto_rebuild && seconds(next.auto_rebuild_grace_period) >= expiry) {
    throw new BadRequest(`CRL auto-rebuilding grace period (${next.auto_rebuild_grace_period}) must be strictly shorter than CRL expiry (${next.expiry}) value when auto-rebuilding of CRLs is enabled`);
  }
  if (next.enable_delta && seconds(next.delta_rebuild_interval) >= expiry) {
    throw new BadRequest(`CRL delta rebuild window (${next.delta_rebuild_interval}) must be strictly shorter than CRL expiry (${next.expiry}) value when delta CRLs are enabled`);
  }
  if (!next.auto_rebuild && next.enable_delta) throw new BadRequest('Delta CRLs cannot be enabled when auto rebuilding is disabled as the complete CRL is always regenerated!');
  if (!next.auto_rebuild && next.cross_cluster_revocation) {
    throw new BadRequest('Global, cross-cluster revocation queue cannot be enabled when auto rebuilding is disabled as the local cluster may not have the certificate entry!');
  }
  if (next.cross_cluster_revocation) throw new BadRequest('Global, cross-cluster revocation queue (cross_cluster_revocation) can only be enabled on Vault Enterprise.');
  if (next.unified_crl) throw new BadRequest('unified_crl can only be enabled on Vault Enterprise');
  await putJson(ctx.storage, 'config/crl', next);
  // Vault builds new CRLs when they were turned on or off, when auto-rebuild was turned off
  // (revokes rebuild them again) and when delta CRLs were turned on or off.
  if (next.disable !== current.disable || (current.auto_rebuild && !next.auto_rebuild) || next.enable_delta !== current.enable_delta) {
    await rebuildCrls(ctx.storage, ctx.clock.now());
  }
  return { data: crlConfigData(next) };
}

const refField = { issuer_ref: field.name({ description: 'Issuer id, name or "default".' }) };
const unauth = { unauthenticated: true };
const download = (pattern: string, form: 'der' | 'pem' | 'json', delta: boolean, withRef = false) => definePath({
  pattern, fields: withRef ? refField : {}, summary: `The ${delta ? 'delta ' : ''}CRL (${form}).`, ...unauth,
  operations: { read: (ctx) => crlDownload(ctx as HandlerContext<{ issuer_ref?: string }>, form, delta) },
});

export const revocationPaths = [
  definePath({ pattern: 'revoke', fields: revokeFields, summary: 'Revoke a certificate.', operations: { update: async (ctx) => revokeAndRebuild(ctx, await serialToRevoke(ctx, false)) } }),
  definePath({ pattern: 'revoke-with-key', fields: revokeFields, summary: 'Revoke a certificate, proving its key.', operations: { update: async (ctx) => revokeAndRebuild(ctx, await serialToRevoke(ctx, true)) } }),
  download('crl', 'der', false), download('crl/pem', 'pem', false), download('cert/crl', 'json', false),
  download('crl/delta', 'der', true), download('crl/delta/pem', 'pem', true), download('cert/delta-crl', 'json', true),
  // Vault CE registers no unified CRL paths and no cert/crl/raw or cert/delta-crl/raw: those
  // are the router's 404 (cert/<not a serial>/raw, see fetch.ts).
  download('issuer/:issuer_ref/crl', 'json', false, true), download('issuer/:issuer_ref/crl/der', 'der', false, true),
  download('issuer/:issuer_ref/crl/pem', 'pem', false, true), download('issuer/:issuer_ref/crl/delta', 'json', true, true),
  download('issuer/:issuer_ref/crl/delta/der', 'der', true, true), download('issuer/:issuer_ref/crl/delta/pem', 'pem', true, true),
  definePath({ pattern: 'crl/rotate', fields: {}, summary: 'Rebuild the CRLs now.', operations: { read: async (ctx) => { await rebuildCrls(ctx.storage, ctx.clock.now()); return { data: { success: true } }; } } }),
  definePath({ pattern: 'crl/rotate-delta', fields: {}, summary: 'Rebuild the delta CRLs now.', operations: { read: async (ctx) => { await rebuildDeltas(ctx.storage, ctx.clock.now()); return { data: { success: true } }; } } }),
  definePath({ pattern: 'config/crl', fields: crlFields, summary: 'CRL and OCSP settings.', operations: { read: async (ctx) => ({ data: crlConfigData(await crlConfig(ctx.storage)) }), update: writeCrlConfig } }),
];
