// Making CAs: root generation and rotation, intermediate CSRs, signing intermediates,
// importing signed certificates and bundles, and DELETE root.
import { createPublicKey, randomUUID, webcrypto } from 'node:crypto';
import { x509 } from '../x509.js';
import { definePath, field, type HandlerContext } from '../../../core/path.js';
import type { FieldValues } from '../../../core/fields.js';
import { BadRequest } from '../../../util/errors.js';
import { buildCertificate, certPem, colonSerial, csrSans, nameValue, newSerialHex, parseCsr, pemBlocks, subjectName, unix } from '../certs.js';
import { caFields, keyFields } from '../fields.js';
import { checkGenerateType, keyForCa, storeKey } from '../generate.js';
import { allIssuers, allKeys, caChain, checkIssuerName, checkKeyName, deleteKeyEntry, importIssuer, importKey, issuersConfig, resolveIssuer, signerOf } from '../issuers.js';
import { cryptoSigningKey, parsePrivateKey, signingAlgorithm } from '../keys.js';
import { bundle, checkFormat, checkPrivateKeyFormat, renderCert, renderPrivateKey, type Format } from '../output.js';
import { requestedSans } from '../names.js';
import { revocationNameOfCertificate } from '../sign.js';
import { getJson, putJson, storeCertificate, type IssuerEntry } from '../store.js';
import { effectiveUrls, hasAnyUrl } from '../urls.js';
import { computeNotAfter } from '../validity.js';

const NO_AIA_WARNING = "This mount hasn't configured any authority information access (AIA) fields; this may make it harder for systems to find missing certificates in the chain or to validate revocation status of certificates. Consider updating /config/urls or the newly generated issuer with this information.";
const NO_SUBJECT_WARNING = 'This issuer certificate was generated without a Subject; this makes it likely that issuing leaf certs with this certificate will cause TLS validation libraries to reject this certificate.';
const CA_KEY_USAGE = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;

const rootFields = { ...caFields, ...keyFields, issuer_name: field.string({ description: 'Name for the new issuer.' }), exported: field.name({ description: 'internal, exported, existing or kms.' }) };
type RootValues = FieldValues<typeof rootFields>;

/** The mount's TTLs, falling back to the server's. */
export function mountTtls(ctx: HandlerContext<unknown>): { defaultTtl: number; maxTtl: number } {
  return {
    defaultTtl: ctx.mount.config.default_lease_ttl || ctx.defaults.defaultLeaseTtl,
    maxTtl: ctx.mount.config.max_lease_ttl || ctx.defaults.maxLeaseTtl,
  };
}

/** Generates a self-signed root and stores its key and issuer. */
async function generateRoot(ctx: HandlerContext<RootValues>) {
  const f = ctx.fields;
  const type = checkGenerateType(f.exported);
  const format = checkFormat(f.format);
  checkPrivateKeyFormat(f.private_key_format);
  await checkIssuerName(ctx.storage, f.issuer_name);
  if (type !== 'existing') await checkKeyName(ctx.storage, f.key_name);
  const made = await keyForCa(ctx.storage, type, f, ctx.sent, true);
  const now = ctx.clock.now();
  const ttls = mountTtls(ctx);
  const { notAfter, warnings } = computeNotAfter({ now, ttl: f.ttl, notAfter: f.not_after, roleTtl: 0, roleMaxTtl: 0, mountDefaultTtl: ttls.defaultTtl, mountMaxTtl: ttls.maxTtl });
  const issuerId = randomUUID();
  const urls = await effectiveUrls(ctx.storage, undefined, issuerId);
  const serialHex = newSerialHex();
  const cert = await buildCertificate({
    subject: subjectName(f), publicKey: made.key, notBefore: new Date(now - f.not_before_duration * 1000), notAfter: new Date(notAfter),
    serialHex, sans: requestedSans(f), isCa: true, maxPathLength: f.max_path_length, keyUsage: CA_KEY_USAGE, extKeyUsage: [],
    urls, permittedDnsDomains: f.permitted_dns_domains, signatureBits: f.signature_bits, usePss: f.use_pss,
  }, { selfKey: made.key, keyId: made.existingId ?? `new-${issuerId}` });
  const pem = certPem(cert);
  const keyId = await storeKey(ctx.storage, made, f.key_name);
  const issuer = await importIssuer(ctx.storage, pem, f.issuer_name, issuerId);
  // Vault: a new root signs its CRLs and OCSP answers as it signed itself.
  const stored = await getJson<IssuerEntry>(ctx.storage, `issuer/${issuer.id}`);
  if (stored && !issuer.existing) {
    await putJson(ctx.storage, `issuer/${issuer.id}`, { ...stored, revocation_signature_algorithm: revocationNameOfCertificate(cert.signatureAlgorithm as { name: string; hash?: { name: string } }) });
  }
  await storeCertificate(ctx.storage, serialHex, { certificate: pem, not_after: unix(cert.notAfter), issuer_id: issuer.id });
  if (!hasAnyUrl(urls)) warnings.push(NO_AIA_WARNING);
  if (cert.subject === '') warnings.push(NO_SUBJECT_WARNING);
  const keyName = (await allKeys(ctx.storage)).find((k) => k.id === keyId)?.name ?? '';
  const data: Record<string, unknown> = {
    certificate: renderCert(pem, format), issuing_ca: renderCert(pem, format), serial_number: colonSerial(serialHex),
    expiration: unix(cert.notAfter), issuer_id: issuer.id, issuer_name: f.issuer_name, key_id: keyId, key_name: keyName,
  };
  if (type === 'exported') Object.assign(data, renderPrivateKey(made.key, format, f.private_key_format));
  if (format === 'pem_bundle') data.certificate = bundle([type === 'exported' ? (data.private_key as string) : '', pem]);
  return { data, warnings };
}

/** Root rotation: a new root named `next` when that name is free. */
async function rotateRoot(ctx: HandlerContext<RootValues>) {
  if (!ctx.sent.has('issuer_name')) {
    const taken = (await allIssuers(ctx.storage)).some((i) => i.name === 'next');
    ctx.fields.issuer_name = taken ? '' : 'next';
  }
  return generateRoot(ctx);
}

const rootPath = (pattern: string, handler: typeof generateRoot, sudo: boolean) => definePath({
  pattern, fields: rootFields, summary: 'Generate a new self-signed root CA.', sudo,
  operations: { update: handler },
});

const intermediateFields = { ...caFields, ...keyFields, add_basic_constraints: field.bool({ description: 'Add a CA basic constraints extension to the CSR.', default: false }), exported: field.name({ description: 'internal, exported, existing or kms.' }) };

/** Makes a key and a CSR for an intermediate; the key is stored, the CSR returned. */
async function generateIntermediate(ctx: HandlerContext<FieldValues<typeof intermediateFields>>) {
  const f = ctx.fields;
  const type = checkGenerateType(f.exported);
  const format = checkFormat(f.format);
  checkPrivateKeyFormat(f.private_key_format);
  if (type !== 'existing') await checkKeyName(ctx.storage, f.key_name);
  const made = await keyForCa(ctx.storage, type, f, ctx.sent, true);
  const sans = requestedSans(f);
  const extensions: x509.Extension[] = [];
  const names: x509.JsonGeneralName[] = [
    ...sans.dns.map((value) => ({ type: 'dns' as const, value })), ...sans.email.map((value) => ({ type: 'email' as const, value })),
    ...sans.ip.map((value) => ({ type: 'ip' as const, value })), ...sans.uri.map((value) => ({ type: 'url' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  if (f.add_basic_constraints) extensions.push(new x509.BasicConstraintsExtension(true, undefined, true));
  const alg = signingAlgorithm(made.key, f.signature_bits, f.use_pss);
  const tempId = made.existingId ?? `csr-${randomUUID()}`;
  const privateKey = await cryptoSigningKey(tempId, made.key, alg);
  const spki = createPublicKey(made.key).export({ type: 'spki', format: 'der' });
  const publicKey = await webcrypto.subtle.importKey('spki', spki, alg.importParams, true, ['verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subjectName(f), keys: { privateKey: privateKey as CryptoKey, publicKey: publicKey as CryptoKey }, signingAlgorithm: alg.sign, extensions,
  });
  const keyId = await storeKey(ctx.storage, made, f.key_name);
  const csrPem = csr.toString('pem').trim();
  const data: Record<string, unknown> = { csr: format === 'der' ? renderCert(csrPem, 'der') : csrPem, key_id: keyId };
  if (type === 'exported') Object.assign(data, renderPrivateKey(made.key, format, f.private_key_format));
  return { data };
}

const signIntermediateFields = {
  ...caFields,
  csr: field.string({ description: 'The PEM CSR to sign.' }),
  use_csr_values: field.bool({ description: 'Take the subject and SANs from the CSR.', default: false }),
  issuer_ref: field.string({ description: 'The signing issuer.', default: 'default' }),
};

/** The path length an intermediate gets: never more than one under its parent's. */
function childPathLength(parent: x509.X509Certificate, requested: number): number {
  const bc = parent.getExtension(x509.BasicConstraintsExtension);
  const parentLen = bc?.pathLength;
  if (parentLen === undefined) return requested;
  if (parentLen <= 0) throw new BadRequest('signing issuer has a max path length of zero; it cannot sign intermediate CAs');
  return requested === -1 || requested > parentLen - 1 ? parentLen - 1 : requested;
}

/** Signs an intermediate CA's CSR with an issuer of this mount. */
async function signIntermediate(ctx: HandlerContext<FieldValues<typeof signIntermediateFields>>) {
  const f = ctx.fields;
  const format = checkFormat(f.format);
  if (f.csr === '') throw new BadRequest('"csr" is empty');
  const csr = parseCsr(f.csr);
  if (!(await csr.verify())) throw new BadRequest('request signature invalid');
  const ref = (ctx.request.path.match(/issuer\/([^/]+)\/sign-intermediate$/)?.[1]) ?? f.issuer_ref;
  const issuer = await resolveIssuer(ctx.storage, ref);
  const signer = await signerOf(ctx.storage, issuer);
  const ttls = mountTtls(ctx);
  const now = ctx.clock.now();
  const { notAfter, warnings } = computeNotAfter({ now, ttl: f.ttl, notAfter: f.not_after, roleTtl: 0, roleMaxTtl: 0, mountDefaultTtl: ttls.defaultTtl, mountMaxTtl: ttls.maxTtl });
  if (notAfter > signer.cert.notAfter.getTime()) {
    warnings.push("The expiration time for the signed certificate is after the CA's expiration time. If the new certificate is not treated as a root, validation paths with the certificate past the issuing CA's expiration time will fail.");
  }
  const subject = f.use_csr_values ? csr.subjectName : subjectName(f);
  const cn = f.use_csr_values ? nameValue(csr.subjectName, '2.5.4.3') ?? '' : f.common_name;
  if (cn === '' && !f.use_csr_values) throw new BadRequest('the common_name field is required, or must be provided in a CSR with "use_csr_common_name" set to true, unless "require_cn" is set to false');
  const sans = f.use_csr_values ? csrSans(csr) : requestedSans(f);
  const maxPathLength = childPathLength(signer.cert, f.max_path_length);
  const serialHex = newSerialHex();
  const cert = await buildCertificate({
    subject, publicKey: Buffer.from(csr.publicKey.rawData), notBefore: new Date(now - f.not_before_duration * 1000), notAfter: new Date(notAfter),
    serialHex, sans, isCa: true, maxPathLength, keyUsage: CA_KEY_USAGE, extKeyUsage: [],
    urls: await effectiveUrls(ctx.storage, issuer, issuer.id), permittedDnsDomains: f.permitted_dns_domains,
    signatureBits: f.signature_bits, usePss: f.use_pss,
  }, signer);
  if (maxPathLength === 0) warnings.push('Max path length of the signed certificate is zero. This certificate cannot be used to issue intermediate CA certificates.');
  const pem = certPem(cert);
  await storeCertificate(ctx.storage, serialHex, { certificate: pem, not_after: unix(cert.notAfter), issuer_id: issuer.id });
  return { data: await caCertResponse(ctx, issuer, pem, serialHex, cert, format), warnings };
}

/** certificate, issuing_ca, ca_chain, serial_number and expiration of a CA-signed certificate. */
async function caCertResponse(ctx: HandlerContext<unknown>, issuer: IssuerEntry, pem: string, serialHex: string, cert: x509.X509Certificate, format: Format) {
  const chain = await caChain(ctx.storage, issuer);
  return {
    certificate: format === 'pem_bundle' ? bundle([pem, ...chain]) : renderCert(pem, format),
    issuing_ca: renderCert(issuer.certificate, format),
    ca_chain: chain.map((c) => renderCert(c, format)),
    serial_number: colonSerial(serialHex),
    expiration: unix(cert.notAfter),
  };
}

/**
 * Imports certificates (and, where allowed, keys) from a PEM bundle. Answers Vault's
 * mapping of issuers to keys and what was new or already present.
 */
export async function importBundle(ctx: HandlerContext<unknown>, text: string, allowKeys: boolean) {
  if (text.trim().length < 10) throw new BadRequest('provided data for import was too short; perhaps a path was passed to the API rather than the contents of a PEM file');
  const blocks = pemBlocks(text);
  const keys = blocks.filter((b) => b.label.endsWith('PRIVATE KEY'));
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE');
  if (keys.length > 0 && !allowKeys) throw new BadRequest('private keys found in the PEM bundle but not allowed by the path; use /issuers/import/bundle');
  if (certs.length === 0 && keys.length === 0) throw new BadRequest('no data found in PEM bundle');
  const parsedKeys = keys.map((k) => parsePrivateKey(k.pem));
  for (const c of certs) {
    try { new x509.X509Certificate(c.pem); } catch { throw new BadRequest('certificate could not be PEM-decoded'); }
  }
  const importedKeys: string[] = []; const existingKeys: string[] = [];
  const importedIssuers: string[] = []; const existingIssuers: string[] = [];
  const mapping: Record<string, string> = {};
  await ctx.storage.transaction(async (tx) => {
    for (const key of parsedKeys) {
      const r = await importKey(tx, key, '');
      (r.existing ? existingKeys : importedKeys).push(r.id);
    }
    for (const c of certs) {
      const r = await importIssuer(tx, c.pem, '');
      (r.existing ? existingIssuers : importedIssuers).push(r.id);
      mapping[r.id] = r.keyId;
    }
  });
  const orNull = (list: string[]) => (list.length > 0 ? list : null);
  return {
    data: {
      imported_issuers: orNull(importedIssuers), imported_keys: orNull(importedKeys), mapping,
      existing_issuers: orNull(existingIssuers), existing_keys: orNull(existingKeys),
    },
  };
}

/** DELETE root: every issuer and key goes, as in Vault. */
async function deleteAll(ctx: HandlerContext<unknown>) {
  for (const issuer of await allIssuers(ctx.storage)) await ctx.storage.delete(`issuer/${issuer.id}`);
  for (const key of await allKeys(ctx.storage)) await deleteKeyEntry(ctx.storage, key);
  const config = await issuersConfig(ctx.storage);
  await putJson(ctx.storage, 'config/issuers', { ...config, default: '' });
  return { data: {}, warnings: ['DELETE /root deletes all keys and issuers; prefer the new DELETE /key/:key_ref and DELETE /issuer/:issuer_ref for finer granularity, unless removal of all keys and issuers is desired.'] };
}

const bundleFields = { pem_bundle: field.string({ description: 'PEM certificates and keys to import.' }) };

export const caPaths = [
  rootPath('root/generate/:exported', generateRoot, false),
  rootPath('issuers/generate/root/:exported', generateRoot, false),
  rootPath('root/rotate/:exported', rotateRoot, false),
  definePath({ pattern: 'intermediate/generate/:exported', fields: intermediateFields, summary: 'Generate a key and CSR for an intermediate CA.', operations: { update: generateIntermediate } }),
  definePath({ pattern: 'issuers/generate/intermediate/:exported', fields: intermediateFields, summary: 'Generate a key and CSR for an intermediate CA.', operations: { update: generateIntermediate } }),
  definePath({ pattern: 'root/sign-intermediate', fields: signIntermediateFields, summary: 'Sign an intermediate CA CSR.', operations: { update: signIntermediate } }),
  definePath({ pattern: 'issuer/:issuer_ref/sign-intermediate', fields: { ...signIntermediateFields, issuer_ref: field.name({ description: 'The signing issuer.' }) }, summary: 'Sign an intermediate CA CSR with this issuer.', operations: { update: signIntermediate } }),
  definePath({
    pattern: 'intermediate/set-signed', summary: 'Import the signed intermediate certificate (and its chain).',
    fields: { certificate: field.string({ description: 'PEM certificate, optionally followed by its parents.' }) },
    operations: { update: (ctx) => importBundle(ctx, ctx.fields.certificate, false) },
  }),
  definePath({ pattern: 'issuers/import/cert', fields: bundleFields, summary: 'Import issuer certificates.', operations: { update: (ctx) => importBundle(ctx, ctx.fields.pem_bundle, false) } }),
  definePath({ pattern: 'issuers/import/bundle', fields: bundleFields, summary: 'Import issuers and keys.', operations: { update: (ctx) => importBundle(ctx, ctx.fields.pem_bundle, true) } }),
  definePath({ pattern: 'config/ca', fields: bundleFields, summary: 'Import a CA certificate and key.', operations: { update: (ctx) => importBundle(ctx, ctx.fields.pem_bundle, true) } }),
  definePath({ pattern: 'root', fields: {}, summary: 'Delete every issuer and key of the mount.', sudo: true, operations: { delete: deleteAll } }),
];

