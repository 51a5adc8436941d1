// Reading certificates: cert/:serial (and raw forms), the CA and its chain, the certs LIST.
import { definePath, field, type HandlerContext } from '../../../core/path.js';
import { NotFound } from '../../../util/errors.js';
import { colonSerial, normalizeSerial } from '../certs.js';
import { caChain, findIssuer } from '../issuers.js';
import { pemToDerBase64 } from '../output.js';
import { revocationOf } from '../revoke.js';
import { getJson, type CertEntry } from '../store.js';
import { rfc3339Nano } from '../validity.js';

const PEM_TYPE = 'application/pem-certificate-chain';
const empty = { raw: { status: 204, body: undefined } };

/**
 * Vault's cert/<serial> paths take only hex digits, '-' and ':' there; anything else (cert/crl/raw,
 * cert/unified-crl) matches none of its paths, so it is the router's answer, in its words.
 */
function checkSerialShape(serial: string): void {
  if (!/^[0-9A-Fa-f:-]+$/.test(serial)) throw new NotFound('1 error occurred:\n\t* unsupported path\n\n');
}

/** A stored certificate by serial: issued ones, and issuers' own. */
async function certBySerial(ctx: HandlerContext<unknown>, serial: string): Promise<string | undefined> {
  checkSerialShape(serial);
  const hex = normalizeSerial(serial);
  return (await getJson<CertEntry>(ctx.storage, `certs/${hex}`))?.certificate;
}

async function readCert(ctx: HandlerContext<{ serial: string }>) {
  const pem = await certBySerial(ctx, ctx.fields.serial);
  if (!pem) return undefined;
  const revoked = await revocationOf(ctx.storage, normalizeSerial(ctx.fields.serial));
  // Vault's fetch paths answer PEM without a trailing newline.
  const data: Record<string, unknown> = { certificate: pem.trimEnd(), revocation_time: 0, revocation_time_rfc3339: '' };
  if (revoked) {
    data.revocation_time = revoked.revocation_time;
    data.revocation_time_rfc3339 = rfc3339Nano(revoked.revocation_time * 1000);
    data.issuer_id = revoked.issuer_id;
  }
  return { data };
}

async function rawCert(ctx: HandlerContext<{ serial: string }>, pemForm: boolean) {
  const pem = await certBySerial(ctx, ctx.fields.serial);
  if (!pem) return empty;
  return pemForm
    ? { raw: { status: 200, body: pem.trimEnd(), contentType: 'application/pem-certificate-chain' } }
    : { raw: { status: 200, body: Buffer.from(pemToDerBase64(pem), 'base64'), contentType: 'application/pkix-cert' } };
}

/**
 * The default issuer's certificate (ca, ca/pem, cert/ca) or chain (ca_chain, cert/ca_chain), as
 * Vault's fetch path answers them: PEM without a trailing newline; the raw chain labelled
 * application/pkix-cert although it is PEM; cert/ca_chain's ca_chain the chain as one string.
 */
async function defaultCa(ctx: HandlerContext<unknown>, kind: 'der' | 'pem' | 'chain' | 'json' | 'json_chain') {
  const issuer = await findIssuer(ctx.storage, 'default');
  if (!issuer) return kind.startsWith('json') ? { data: { certificate: '' } } : empty;
  if (kind === 'der') return { raw: { status: 200, body: Buffer.from(pemToDerBase64(issuer.certificate), 'base64'), contentType: 'application/pkix-cert' } };
  const pem = issuer.certificate.trimEnd();
  if (kind === 'pem') return { raw: { status: 200, body: pem, contentType: PEM_TYPE } };
  const noTime = { revocation_time: 0, revocation_time_rfc3339: '' };
  if (kind === 'json') return { data: { certificate: pem, ...noTime } };
  const chain = (await caChain(ctx.storage, issuer)).map((c) => c.trimEnd()).join('\n');
  if (kind === 'chain') return { raw: { status: 200, body: chain, contentType: 'application/pkix-cert' } };
  return { data: { certificate: chain, ...noTime, ca_chain: chain } };
}

/** The certs LIST: colon serials in key order, paged by after/limit without loading every entry. */
async function listCerts(ctx: HandlerContext<{ after: string; limit: number }>) {
  const after = ctx.fields.after === '' ? undefined : normalizeSerial(ctx.fields.after);
  const keys = await ctx.storage.list('certs/', { after, limit: ctx.fields.limit > 0 ? ctx.fields.limit : undefined });
  return { data: { keys: keys.map(colonSerial) } };
}

async function listRevoked(ctx: HandlerContext<{ after: string; limit: number }>) {
  const after = ctx.fields.after === '' ? undefined : normalizeSerial(ctx.fields.after);
  const keys = await ctx.storage.list('revoked/', { after, limit: ctx.fields.limit > 0 ? ctx.fields.limit : undefined });
  return { data: { keys: keys.map(colonSerial) } };
}

const serialField = { serial: field.name({ description: 'Serial, colon or hyphen separated.' }) };
const pageFields = { after: field.string({ description: 'List after this serial.' }), limit: field.int({ description: 'At most this many.', default: 0 }) };
const unauth = { unauthenticated: true };

export const fetchPaths = [
  definePath({ pattern: 'cert/:serial', fields: serialField, summary: 'A certificate by serial.', ...unauth, operations: { read: readCert } }),
  definePath({ pattern: 'cert/:serial/raw', fields: serialField, summary: 'A certificate by serial (DER).', ...unauth, operations: { read: (ctx) => rawCert(ctx, false) } }),
  definePath({ pattern: 'cert/:serial/raw/pem', fields: serialField, summary: 'A certificate by serial (PEM).', ...unauth, operations: { read: (ctx) => rawCert(ctx, true) } }),
  definePath({ pattern: 'ca', fields: {}, summary: 'The default issuer (DER).', ...unauth, operations: { read: (ctx) => defaultCa(ctx, 'der') } }),
  definePath({ pattern: 'ca/pem', fields: {}, summary: 'The default issuer (PEM).', ...unauth, operations: { read: (ctx) => defaultCa(ctx, 'pem') } }),
  definePath({ pattern: 'ca_chain', fields: {}, summary: 'The default issuer chain (PEM).', ...unauth, operations: { read: (ctx) => defaultCa(ctx, 'chain') } }),
  definePath({ pattern: 'cert/ca', fields: {}, summary: 'The default issuer (JSON).', ...unauth, operations: { read: (ctx) => defaultCa(ctx, 'json') } }),
  definePath({ pattern: 'cert/ca/raw', fields: {}, summary: 'The default issuer (DER).', ...unauth, operations: { read: (ctx) => defaultCa(ctx, 'der') } }),
  definePath({ pattern: 'cert/ca/raw/pem', fields: {}, summary: 'The default issuer (PEM).', ...unauth, operations: { read: (ctx) => defaultCa(ctx, 'pem') } }),
  definePath({ pattern: 'cert/ca_chain', fields: {}, summary: 'The default issuer chain (JSON).', ...unauth, operations: { read: (ctx) => defaultCa(ctx, 'json_chain') } }),
  definePath({ pattern: 'certs/', fields: pageFields, summary: 'List stored certificate serials.', operations: { list: listCerts } }),
  definePath({ pattern: 'certs/revoked/', fields: pageFields, summary: 'List revoked serials.', operations: { list: listRevoked } }),
];
