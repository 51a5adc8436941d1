// issue/:role, sign/:role and sign-verbatim, each also under issuer/:ref/.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { definePath, field, type HandlerContext } from '../../../core/path.js';
import type { FieldValues } from '../../../core/fields.js';
import { BadRequest } from '../../../util/errors.js';
import { csrSans, extKeyUsageOids, nameValue, parseCsr, type Sans } from '../certs.js';
import { nameFields, outputFields } from '../fields.js';
import { issueLeaf, leafResponse, checkNames, type LeafNames } from '../issue.js';
import { resolveIssuer } from '../issuers.js';
import { checkKeyBits, describeKey, generateKeyWithSpki, type KeyType } from '../keys.js';
import { requestedSans } from '../names.js';
import { checkFormat, checkPrivateKeyFormat, renderPrivateKey } from '../output.js';
import { verbatimRole, type Role } from '../role.js';
import { x509 } from '../x509.js';
import { mountTtls } from './ca.js';
import { defaultRole, requireRole } from './roles.js';

const baseFields = {
  ...nameFields, ...outputFields,
  remove_roots_from_chain: field.bool({ description: 'Leave self-signed roots out of ca_chain.', default: false }),
  user_ids: field.strings({ description: 'User ids for the subject (UID).' }),
  role: field.string({ description: 'The role.' }),
  issuer_ref: field.string({ description: 'The issuer to sign with (else the role issuer).' }),
};
const issueFields = { ...baseFields, key_type: field.string({ description: 'Key type for roles with key_type=any.' }), key_bits: field.int({ description: 'Key size for roles with key_type=any.', default: 0 }) };
const signFields = { ...baseFields, csr: field.string({ description: 'The PEM CSR.' }) };
const verbatimFields = {
  ...signFields,
  key_usage: field.strings({ description: 'Key usages.', default: ['DigitalSignature', 'KeyAgreement', 'KeyEncipherment'] }),
  ext_key_usage: field.strings({ description: 'Extended key usages by name.' }),
  ext_key_usage_oids: field.strings({ description: 'Extended key usages by OID.' }),
  signature_bits: field.int({ description: 'RSA hash size.', default: 0 }),
  use_pss: field.bool({ description: 'Sign with RSA-PSS.', default: false }),
};
type BaseValues = FieldValues<typeof baseFields>;

/** The user ids a role allows (globs); none allowed when the list is empty. */
function checkUserIds(role: Role, ids: string[]): void {
  for (const id of ids) {
    const ok = role.allowed_user_ids.some((p) => p === '*' || p === id || new RegExp(`^${p.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(id));
    if (!ok) throw new BadRequest(`user_id ${id} is not allowed by this role`);
  }
}

/** Runs one issuance and renders Vault's response, with a lease when the role asks. */
async function finish(ctx: HandlerContext<BaseValues>, role: Role, names: LeafNames, publicKey: KeyObject | Buffer, extra: {
  privateKey?: KeyObject; warnings?: string[]; subjectOverride?: x509.Name; keyUsage?: string[]; extKeyUsage?: string[];
}) {
  const f = ctx.fields;
  const format = checkFormat(f.format);
  checkPrivateKeyFormat(f.private_key_format);
  const issuer = await resolveIssuer(ctx.storage, f.issuer_ref || role.issuer_ref);
  const issued = await issueLeaf({
    storage: ctx.storage, now: ctx.clock.now(), role, issuer, names, publicKey, ttl: f.ttl, notAfter: f.not_after,
    mountTtls: mountTtls(ctx), subjectOverride: extra.subjectOverride, keyUsage: extra.keyUsage, extKeyUsage: extra.extKeyUsage,
  });
  const privateKey = extra.privateKey && renderPrivateKey(extra.privateKey, format, f.private_key_format);
  const data = await leafResponse(ctx.storage, issuer, issued, format, f.remove_roots_from_chain, privateKey);
  const warnings = [...(extra.warnings ?? []), ...issued.warnings];
  if (!role.generate_lease) return { data, warnings };
  const ttl = Math.max(0, issued.notAfter - Math.floor(ctx.clock.now() / 1000));
  return { data, warnings, secret: { ttl, maxTtl: ttl, renewable: false, internal: { serial_number: data.serial_number as string } } };
}

function apiNames(f: BaseValues, role: Role): LeafNames {
  const sans = requestedSans(f);
  checkUserIds(role, f.user_ids);
  return { commonName: f.common_name, sans, serialNumber: f.serial_number, source: 'the API' };
}

async function issue(ctx: HandlerContext<FieldValues<typeof issueFields>>) {
  const role = { ...(await requireRole(ctx, ctx.fields.role)) };
  const warnings: string[] = [];
  if (role.key_type === 'any') {
    if (!ctx.sent.has('key_type')) {
      throw new BadRequest('role key type "any" not allowed for issuing certificates without providing key_type and/or key_bits request parameters');
    }
    role.key_type = ctx.fields.key_type;
    role.key_bits = checkKeyBits(ctx.fields.key_type, ctx.fields.key_bits);
  } else if (ctx.sent.has('key_type') || ctx.sent.has('key_bits')) {
    warnings.push('parameters key_type and key_bits ignored as role had specific values');
  }
  const names = apiNames(ctx.fields, role);
  checkNames(role, names);
  const { key, spki } = await generateKeyWithSpki(role.key_type as KeyType, checkKeyBits(role.key_type, role.key_bits));
  return finish(ctx, role, names, spki, { privateKey: key, warnings });
}

/** The CSR's key must be of the role's type (and large enough). */
function checkCsrKey(role: Role, spki: Buffer): void {
  const { type, bits } = describeKey(createPublicKey({ key: spki, format: 'der', type: 'spki' }));
  if (type === 'rsa' && bits < 2048) throw new BadRequest('RSA keys < 2048 bits are unsafe and not supported');
  if (role.key_type === 'any') return;
  if (type !== role.key_type) throw new BadRequest(`role requires keys of type ${role.key_type}`);
  if (type === 'rsa' && bits < role.key_bits) throw new BadRequest(`role requires a minimum of ${role.key_bits}-bit keys`);
  if (type === 'ec' && bits < role.key_bits) throw new BadRequest(`role requires a minimum of ${role.key_bits}-bit keys`);
}

/** Parses and checks the CSR, answering its key and what it asks for. */
async function readCsr(pem: string) {
  if (pem === '') throw new BadRequest('"csr" is empty');
  const csr = parseCsr(pem);
  if (!(await csr.verify().catch(() => false))) throw new BadRequest('request signature invalid');
  return {
    csr, spki: Buffer.from(csr.publicKey.rawData), sans: csrSans(csr), cn: nameValue(csr.subjectName, '2.5.4.3') ?? '',
    serialNumber: nameValue(csr.subjectName, '2.5.4.5') ?? '',
  };
}

async function sign(ctx: HandlerContext<FieldValues<typeof signFields>>) {
  const role = await requireRole(ctx, ctx.fields.role);
  const f = ctx.fields;
  const { spki, sans: fromCsr, cn: csrCn, serialNumber: csrSerial } = await readCsr(f.csr);
  checkCsrKey(role, spki);
  const warnings: string[] = [];
  const api = apiNames(f, role);
  const sans: Sans = role.use_csr_sans ? fromCsr : api.sans;
  const commonName = role.use_csr_common_name ? csrCn : f.common_name;
  if (role.use_csr_common_name && f.common_name !== '') warnings.push('the common_name field was provided but the role is set with "use_csr_common_name" set to true');
  if (role.use_csr_sans && f.alt_names.length > 0) warnings.push('the alt_names field was provided but the role is set with "use_csr_sans" set to true');
  if (!f.exclude_cn_from_sans && commonName !== '' && !commonName.includes('@') && !sans.dns.includes(commonName)) sans.dns = [commonName, ...sans.dns];
  // Vault's serial_number_source: json-csr takes the CSR's subject serial number when the
  // request names none; json only ever the request's.
  const serialNumber = f.serial_number || (role.serial_number_source === 'json' ? '' : csrSerial);
  const names: LeafNames = { commonName, sans, serialNumber, source: role.use_csr_sans ? 'CSR' : 'the API' };
  checkNames(role, names);
  return finish(ctx, role, names, spki, { warnings });
}

/** CA:true in a CSR: sign-verbatim refuses to make another CA. */
function csrAsksForCa(csr: x509.Pkcs10CertificateRequest): boolean {
  const bc = csr.extensions.find((e): e is x509.BasicConstraintsExtension => e instanceof x509.BasicConstraintsExtension);
  return bc?.ca === true;
}

async function signVerbatim(ctx: HandlerContext<FieldValues<typeof verbatimFields>>) {
  const f = ctx.fields;
  const base = f.role === '' ? undefined : await requireRole(ctx, f.role);
  const role = { ...verbatimRole(base, defaultRole()), signature_bits: f.signature_bits || base?.signature_bits || 0, use_pss: f.use_pss || (base?.use_pss ?? false) };
  const { csr, spki, sans, cn } = await readCsr(f.csr);
  if (csrAsksForCa(csr)) throw new BadRequest('refusing to sign CSR with the CA basic constraint set; use sign-intermediate instead');
  checkCsrKey(role, spki);
  const eku = [...extKeyUsageOids(f.ext_key_usage), ...f.ext_key_usage_oids];
  return finish(ctx, role, { commonName: cn, sans, serialNumber: '', source: 'CSR' }, spki, {
    subjectOverride: csr.subjectName, keyUsage: f.key_usage, extKeyUsage: eku,
  });
}

const roleParam = { role: field.name({ description: 'The role.' }) };
const refParam = { issuer_ref: field.name({ description: 'The issuer.' }) };

export const issuePaths = [
  definePath({ pattern: 'issue/:role', fields: { ...issueFields, ...roleParam }, summary: 'Issue a certificate and key under a role.', operations: { update: issue } }),
  definePath({ pattern: 'issuer/:issuer_ref/issue/:role', fields: { ...issueFields, ...roleParam, ...refParam }, summary: 'Issue with this issuer.', operations: { update: issue } }),
  definePath({ pattern: 'sign/:role', fields: { ...signFields, ...roleParam }, summary: 'Sign a CSR under a role.', operations: { update: sign } }),
  definePath({ pattern: 'issuer/:issuer_ref/sign/:role', fields: { ...signFields, ...roleParam, ...refParam }, summary: 'Sign a CSR with this issuer.', operations: { update: sign } }),
  definePath({ pattern: 'sign-verbatim', fields: verbatimFields, summary: 'Sign a CSR as it is.', sudo: false, operations: { update: signVerbatim } }),
  definePath({ pattern: 'sign-verbatim/:role', fields: { ...verbatimFields, ...roleParam }, summary: 'Sign a CSR as it is, with a role TTL.', operations: { update: signVerbatim } }),
  definePath({ pattern: 'issuer/:issuer_ref/sign-verbatim', fields: { ...verbatimFields, ...refParam }, summary: 'Sign a CSR as it is with this issuer.', operations: { update: signVerbatim } }),
  definePath({ pattern: 'issuer/:issuer_ref/sign-verbatim/:role', fields: { ...verbatimFields, ...roleParam, ...refParam }, summary: 'Sign a CSR as it is with this issuer and role.', operations: { update: signVerbatim } }),
];
