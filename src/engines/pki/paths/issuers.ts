// Reading and managing issuers: the issuers LIST, issuer/:ref and its raw forms, the default
// issuer (config/issuers, root/replace).
import { definePath, field, type HandlerContext } from '../../../core/path.js';
import { BadRequest } from '../../../util/errors.js';
import type { FieldValues } from '../../../core/fields.js';
import { colonSerial, fastParse, normalizeSerial, parseCertificate, unix } from '../certs.js';
import { rebuildCrls } from '../crl.js';
import { allIssuers, caChain, checkIssuerName, DEFAULT_USAGE, findIssuer, isSelfSigned, issuersConfig, resolveIssuer } from '../issuers.js';
import { pemToDerBase64 } from '../output.js';
import { revokedEntry } from '../revoke.js';
import { checkRevocationAlgorithm, shownRevocationAlgorithm } from '../sign.js';
import { putJson, type IssuerEntry, type KeyEntry } from '../store.js';
import { checkAiaUrls, URL_LISTS } from '../urls.js';

const USAGES = new Set(DEFAULT_USAGE);
const BEHAVIORS = new Set(['err', 'truncate', 'permit']);

// Vault stores each issuer's PEM with one trailing newline (so answers concatenate), and
// shows it, and each certificate of its chain, that way.
const stored = (pem: string) => `${pem.trimEnd()}\n`;

/** What GET issuer/:ref answers. */
async function issuerView(ctx: HandlerContext<unknown>, issuer: IssuerEntry) {
  const cert = parseCertificate(issuer.certificate);
  const data: Record<string, unknown> = {
    issuer_id: issuer.id, issuer_name: issuer.name, key_id: issuer.key_id, certificate: stored(issuer.certificate),
    ca_chain: (await caChain(ctx.storage, issuer)).map(stored), manual_chain: issuer.manual_chain.length > 0 ? issuer.manual_chain : null,
    leaf_not_after_behavior: issuer.leaf_not_after_behavior, usage: issuer.usage.join(','),
    revocation_signature_algorithm: shownRevocationAlgorithm(issuer.revocation_signature_algorithm),
    issuing_certificates: issuer.issuing_certificates, crl_distribution_points: issuer.crl_distribution_points,
    delta_crl_distribution_points: issuer.delta_crl_distribution_points ?? [], ocsp_servers: issuer.ocsp_servers, enable_aia_url_templating: issuer.enable_aia_url_templating,
    revoked: issuer.revoked, serial_number: colonSerial(cert.serialNumber),
  };
  if (issuer.revoked) {
    data.revocation_time = issuer.revocation_time;
    data.revocation_time_rfc3339 = new Date(issuer.revocation_time * 1000).toISOString().replace('.000Z', 'Z');
  }
  return data;
}

const PSS_OCSP_WARNING = 'Issuer uses a PSS Revocation Signature Algorithm. This algorithm will be downgraded to PKCS#1v1.5 signature scheme on OCSP responses, due to limitations in the OCSP library.';

/** An issuer answer: its view, and Vault's warning when its CRLs are PSS-signed (OCSP is not). */
async function issuerAnswer(ctx: HandlerContext<unknown>, issuer: IssuerEntry, warnings: string[] = []) {
  const data = await issuerView(ctx, issuer);
  const pss = /RSAPSS$/.test(data.revocation_signature_algorithm as string);
  return { data, warnings: pss ? [...warnings, PSS_OCSP_WARNING] : warnings };
}

const updateFields = {
  issuer_ref: field.name({ description: 'Issuer id, name or "default".' }),
  issuer_name: field.string({ description: 'New name.' }),
  leaf_not_after_behavior: field.string({ description: 'err, truncate or permit.', default: 'err' }),
  manual_chain: field.strings({ description: 'Issuer references forming this issuer chain, itself first.' }),
  usage: field.strings({ description: 'Allowed usages.', default: [...DEFAULT_USAGE] }),
  revocation_signature_algorithm: field.string({ description: 'Signature algorithm for CRLs and OCSP.' }),
  issuing_certificates: field.strings({ description: 'AIA issuing certificate URLs.' }),
  crl_distribution_points: field.strings({ description: 'CRL distribution point URLs.' }),
  delta_crl_distribution_points: field.strings({ description: 'Delta CRL distribution point URLs (Freshest CRL).' }),
  ocsp_servers: field.strings({ description: 'OCSP server URLs.' }),
  enable_aia_url_templating: field.bool({ description: 'Template the AIA URLs.', default: false }),
};

/** POST replaces every field (omitted ones get defaults); PATCH changes only what was sent. */
async function updateIssuer(ctx: HandlerContext<FieldValues<typeof updateFields>>, patch: boolean) {
  const f = ctx.fields;
  const issuer = await resolveIssuer(ctx.storage, f.issuer_ref);
  const take = (name: keyof typeof updateFields) => !patch || ctx.sent.has(name);
  const next: IssuerEntry = { ...issuer };
  if (ctx.sent.has('issuer_name')) {
    await checkIssuerName(ctx.storage, f.issuer_name, issuer.id);
    next.name = f.issuer_name;
  }
  if (take('leaf_not_after_behavior')) {
    if (!BEHAVIORS.has(f.leaf_not_after_behavior)) throw new BadRequest(`Unknown value for field \`leaf_not_after_behavior\`. Possible values are \`err\`, \`truncate\`, and \`permit\`.`);
    next.leaf_not_after_behavior = f.leaf_not_after_behavior as IssuerEntry['leaf_not_after_behavior'];
  }
  if (take('usage')) {
    const usage = f.usage.flatMap((u) => u.split(',')).map((u) => u.trim()).filter((u) => u !== '');
    usage.forEach((u, i) => { if (!USAGES.has(u)) throw new BadRequest(`Unable to parse specified usages: unknown name for usage at index ${i}: ${u}`); });
    next.usage = usage;
  }
  if (take('manual_chain')) next.manual_chain = await manualChain(ctx, issuer, f.manual_chain);
  if (take('revocation_signature_algorithm')) {
    next.revocation_signature_algorithm = checkRevocationAlgorithm(f.revocation_signature_algorithm, fastParse(issuer.certificate).publicKey);
  }
  if (take('enable_aia_url_templating')) next.enable_aia_url_templating = f.enable_aia_url_templating;
  // The URLs are checked only as sent, and not while they are templates (as config/urls).
  const sentUrls = Object.fromEntries(URL_LISTS.filter((name) => take(name)).map((name) => [name, f[name]]));
  if (!next.enable_aia_url_templating) checkAiaUrls(sentUrls);
  Object.assign(next, sentUrls);
  await putJson(ctx.storage, `issuer/${issuer.id}`, next);
  return issuerAnswer(ctx, next);
}

/** Resolves manual_chain references; the chain must start with the issuer itself. */
async function manualChain(ctx: HandlerContext<unknown>, issuer: IssuerEntry, refs: string[]): Promise<string[]> {
  if (refs.length === 0 || (refs.length === 1 && refs[0] === '')) return [];
  const ids: string[] = [];
  for (const ref of refs) ids.push(ref === 'self' ? issuer.id : (await resolveIssuer(ctx.storage, ref)).id);
  if (ids[0] !== issuer.id) throw new BadRequest('expected the first entry of manual_chain to be the issuer itself (or "self")');
  return ids;
}

/** DELETE issuer/:ref, with Vault's warning when it was the default. */
async function deleteIssuer(ctx: HandlerContext<{ issuer_ref: string }>) {
  const issuer = await findIssuer(ctx.storage, ctx.fields.issuer_ref);
  if (!issuer) return { data: {} };
  await ctx.storage.delete(`issuer/${issuer.id}`);
  await ctx.storage.delete(`crl/${issuer.id}`);
  const warnings: string[] = [];
  const config = await issuersConfig(ctx.storage);
  if (config.default === issuer.id) {
    await putJson(ctx.storage, 'config/issuers', { ...config, default: '' });
    warnings.push('Deleted issuer was the default issuer; a new default issuer has not been set.');
  }
  return { data: {}, warnings };
}

/** The issuers LIST: ids with Vault's key_info, paged by after/limit. */
async function listIssuers(ctx: HandlerContext<{ after: string; limit: number }>) {
  const config = await issuersConfig(ctx.storage);
  let issuers = (await allIssuers(ctx.storage)).sort((a, b) => (a.id < b.id ? -1 : 1));
  if (ctx.fields.after !== '') issuers = issuers.filter((i) => i.id > ctx.fields.after);
  if (ctx.fields.limit > 0) issuers = issuers.slice(0, ctx.fields.limit);
  const keyInfo: Record<string, unknown> = {};
  for (const i of issuers) {
    keyInfo[i.id] = { issuer_name: i.name, is_default: i.id === config.default, serial_number: colonSerial(parseCertificate(i.certificate).serialNumber), key_id: i.key_id };
  }
  return { data: { keys: issuers.map((i) => i.id), key_info: keyInfo } };
}

/** issuer/:ref/{json,der,pem}: the certificate and chain, unauthenticated. */
async function rawIssuer(ctx: HandlerContext<{ issuer_ref: string }>, kind: 'json' | 'der' | 'pem') {
  const issuer = await findIssuer(ctx.storage, ctx.fields.issuer_ref);
  if (!issuer) throw new BadRequest(`unable to resolve issuer id for reference: ${ctx.fields.issuer_ref}`);
  if (kind === 'der') return { raw: { status: 200, body: Buffer.from(pemToDerBase64(issuer.certificate), 'base64'), contentType: 'application/pkix-cert' } };
  const chain = await caChain(ctx.storage, issuer);
  if (kind === 'pem') return { raw: { status: 200, body: `${chain.join('\n')}\n`, contentType: 'application/pem-certificate-chain' } };
  return { data: { issuer_id: issuer.id, issuer_name: issuer.name, certificate: stored(issuer.certificate), ca_chain: chain.map(stored) } };
}

/**
 * issuer/:ref/revoke: the issuer can sign nothing more, and lands on its parent's CRL when
 * the parent is an issuer of this mount. Vault's warnings for roots and orphans.
 */
async function revokeIssuer(ctx: HandlerContext<{ issuer_ref: string }>) {
  const issuer = await resolveIssuer(ctx.storage, ctx.fields.issuer_ref);
  if (issuer.revoked) return issuerAnswer(ctx, issuer);
  const now = Math.floor(ctx.clock.now() / 1000);
  const next: IssuerEntry = { ...issuer, revoked: true, revocation_time: now };
  const warnings: string[] = [];
  const chain = await caChain(ctx.storage, issuer);
  if (isSelfSigned(issuer.certificate)) {
    warnings.push("This issuer is a self-signed (potentially root) certificate. This means it may not be considered revoked if there is not an external, cross-signed variant of this certificate. This issuer's serial number will not appear on its own CRL.");
  } else if (chain.length < 2) {
    warnings.push('This issuer lacks another parent issuer within the mount. This means it will not appear on any other CRLs and may not be considered revoked by clients. Consider adding this issuer to its issuer\'s CRL as well if it is not self-signed.');
  } else {
    const parent = (await allIssuers(ctx.storage)).find((i) => i.certificate === chain[1]);
    const cert = parseCertificate(issuer.certificate);
    const hex = normalizeSerial(cert.serialNumber);
    await putJson(ctx.storage, `revoked/${hex}`, revokedEntry(hex, now, parent?.id ?? '', issuer.certificate, unix(cert.notAfter)));
  }
  await putJson(ctx.storage, `issuer/${issuer.id}`, next);
  if ((await issuersConfig(ctx.storage)).default === issuer.id) {
    warnings.push('This issuer is currently configured as the default issuer for this mount; operations such as certificate issuance may not work until a new default issuer is selected.');
  }
  await rebuildCrls(ctx.storage, ctx.clock.now());
  return issuerAnswer(ctx, next, warnings);
}

/** Sets the default issuer; answers the configuration. */
async function setDefault(ctx: HandlerContext<{ default: string; default_follows_latest_issuer: boolean }>) {
  const config = await issuersConfig(ctx.storage);
  const next = { ...config };
  if (ctx.sent.has('default')) next.default = (await resolveIssuer(ctx.storage, ctx.fields.default)).id;
  if (ctx.sent.has('default_follows_latest_issuer')) next.default_follows_latest_issuer = ctx.fields.default_follows_latest_issuer;
  await putJson(ctx.storage, 'config/issuers', next);
  return { data: next };
}

const refField = { issuer_ref: field.name({ description: 'Issuer id, name or "default".' }) };
const defaultFields = {
  default: field.string({ description: 'The default issuer (id or name).' }),
  default_follows_latest_issuer: field.bool({ description: 'Make each new issuer the default.', default: false }),
};

export const issuerPaths = [
  definePath({
    pattern: 'issuers/', summary: 'List issuers.', unauthenticated: true,
    fields: { after: field.string({ description: 'List after this id.' }), limit: field.int({ description: 'At most this many.', default: 0 }) },
    operations: { list: listIssuers },
  }),
  definePath({
    pattern: 'issuer/:issuer_ref', fields: updateFields, summary: 'Read, update or delete an issuer.',
    operations: {
      read: async (ctx) => {
        const issuer = await findIssuer(ctx.storage, ctx.fields.issuer_ref);
        if (!issuer) throw new BadRequest(`unable to resolve issuer id for reference: ${ctx.fields.issuer_ref}`);
        return issuerAnswer(ctx, issuer);
      },
      update: (ctx) => updateIssuer(ctx, false),
      patch: (ctx) => updateIssuer(ctx, true),
      delete: deleteIssuer,
    },
  }),
  ...(['json', 'der', 'pem'] as const).map((kind) => definePath({
    pattern: `issuer/:issuer_ref/${kind}`, fields: refField, summary: `The issuer certificate (${kind}).`, unauthenticated: true,
    operations: { read: (ctx) => rawIssuer(ctx, kind) },
  })),
  definePath({ pattern: 'issuer/:issuer_ref/revoke', fields: refField, summary: 'Revoke an issuer.', operations: { update: revokeIssuer } }),
  definePath({ pattern: 'config/issuers', fields: defaultFields, summary: 'The default issuer.', operations: { read: async (ctx) => ({ data: await issuersConfig(ctx.storage) }), update: setDefault } }),
  definePath({
    pattern: 'root/replace', summary: 'Make another issuer the default.',
    fields: { default: field.string({ description: 'The new default issuer.', default: 'next' }) },
    operations: { update: (ctx) => setDefault({ ...ctx, fields: { default: ctx.fields.default, default_follows_latest_issuer: false }, sent: new Set(['default']) }) },
  }),
];

/** Whether any issuer uses a key (such a key may not be deleted). */
export async function issuerUsingKey(ctx: HandlerContext<unknown>, key: KeyEntry): Promise<IssuerEntry | undefined> {
  return (await allIssuers(ctx.storage)).find((i) => i.key_id === key.id);
}

