// Issuing a leaf certificate under a role: names checked by Vault's rules, validity computed,
// extensions from the role, then stored (unless no_store) and rendered.
import { globMatch } from '../../util/glob.js';
import { isIP } from 'node:net';
import type { KeyObject } from 'node:crypto';
import type { Storage } from '../../storage/storage.js';
import { BadRequest } from '../../util/errors.js';
import { buildCertificateDer, colonSerial, extKeyUsageOids, keyUsageFlags, newSerialHex, subjectName, unix, type Sans } from './certs.js';
import { caChain, isSelfSigned, signerOf } from './issuers.js';
import { nameAllowed, validHostname } from './names.js';
import { renderCert, type Format, bundle } from './output.js';
import type { Role } from './role.js';
import { storeCertificate, type IssuerEntry } from './store.js';
import { effectiveUrls } from './urls.js';
import { computeNotAfter } from './validity.js';

const EKU = { server: '1.3.6.1.5.5.7.3.1', client: '1.3.6.1.5.5.7.3.2', code: '1.3.6.1.5.5.7.3.3', email: '1.3.6.1.5.5.7.3.4' };

/** Where the names came from, for Vault's "provided via" texts. */
export type NameSource = 'the API' | 'CSR';

/** Names and subject values of the certificate to issue. */
export type LeafNames = { commonName: string; sans: Sans; serialNumber: string; source: NameSource };


/** Vault's name checks for one role; throws its refusal texts. */
export function checkNames(role: Role, names: LeafNames): void {
  const { commonName: cn, sans } = names;
  if (cn === '' && role.require_cn) {
    throw new BadRequest('the common_name field is required, or must be provided in a CSR with "use_csr_common_name" set to true, unless "require_cn" is set to false');
  }
  if (cn !== '' && !role.cn_validations.includes('disabled')) {
    const asEmail = role.cn_validations.includes('email') && /^[^@\s]+@[^@\s]+$/.test(cn);
    const asHost = role.cn_validations.includes('hostname') && (validHostname(cn) || isIP(cn) !== 0);
    if (!asEmail && !asHost) throw new BadRequest(`common name ${cn} not allowed by this role`);
  }
  if (cn !== '' && isIP(cn) === 0 && !nameAllowed(role, cn) && !role.cn_validations.includes('disabled')) {
    throw new BadRequest(`common name ${cn} not allowed by this role`);
  }
  for (const name of [...sans.dns, ...sans.email]) {
    if (name === cn) continue;
    if (!nameAllowed(role, name)) throw new BadRequest(`subject alternate name ${name} not allowed by this role`);
  }
  if (sans.ip.length > 0 && !role.allow_ip_sans) {
    throw new BadRequest(`IP Subject Alternative Names are not allowed in this role, but was provided via ${names.source}`);
  }
  if (sans.uri.length > 0) {
    if (role.allowed_uri_sans.length === 0) throw new BadRequest(`URI Subject Alternative Names are not allowed in this role, but were provided via ${names.source}`);
    for (const uri of sans.uri) {
      if (!role.allowed_uri_sans.some((p) => globMatch(p, uri))) throw new BadRequest(`URI Subject Alternative Names were provided via ${names.source} which are not valid for this role`);
    }
  }
  if (names.serialNumber !== '' && role.allowed_serial_numbers.length > 0 && !role.allowed_serial_numbers.some((p) => globMatch(p, names.serialNumber))) {
    throw new BadRequest(`serial_number ${names.serialNumber} not allowed by this role`);
  }
}

/** The EKU OIDs the role's flags and lists ask for. */
export function roleExtKeyUsage(role: Role): string[] {
  const oids: string[] = [];
  if (role.server_flag) oids.push(EKU.server);
  if (role.client_flag) oids.push(EKU.client);
  if (role.code_signing_flag) oids.push(EKU.code);
  if (role.email_protection_flag) oids.push(EKU.email);
  for (const oid of [...extKeyUsageOids(role.ext_key_usage), ...role.ext_key_usage_oids]) if (!oids.includes(oid)) oids.push(oid);
  return oids;
}

/** Everything one issuance needs beyond the role. */
export type LeafRequest = {
  storage: Storage;
  now: number;
  role: Role;
  issuer: IssuerEntry;
  names: LeafNames;
  /** The subject, when copied from a CSR (sign-verbatim, use_csr_common_name). */
  subjectOverride?: ReturnType<typeof subjectName>;
  publicKey: KeyObject | Buffer;
  ttl: number;
  notAfter: string;
  mountTtls: { defaultTtl: number; maxTtl: number };
  /** sign-verbatim's own usages; otherwise the role's. */
  keyUsage?: string[];
  extKeyUsage?: string[];
};

/** The issued certificate and what the response needs of it. */
export type Issued = { pem: string; serialHex: string; notBefore: number; notAfter: number; warnings: string[] };

/** Signs and (unless the role says no_store) stores one leaf certificate. */
export async function issueLeaf(req: LeafRequest): Promise<Issued> {
  const { role, issuer } = req;
  if (!issuer.usage.includes('issuing-certificates')) {
    throw new BadRequest(`error fetching CA certificate: unable to use issuer of type ${issuer.id}: issuer's usage is not permitted: issuing-certificates`);
  }
  if (issuer.revoked) throw new BadRequest(`unable to use issuer ${issuer.id} for issuance: the issuer has been revoked`);
  const signer = await signerOf(req.storage, issuer);
  const { notAfter, warnings } = computeNotAfter({
    now: req.now, ttl: req.ttl, notAfter: req.notAfter || role.not_after, roleTtl: role.ttl, roleMaxTtl: role.max_ttl,
    mountDefaultTtl: req.mountTtls.defaultTtl, mountMaxTtl: req.mountTtls.maxTtl,
    issuer: { notAfter: signer.cert.notAfter.getTime(), behavior: issuer.leaf_not_after_behavior },
  });
  // NotBefore is backdated, but never before the issuer's own NotBefore.
  const notBefore = Math.max(req.now - role.not_before_duration * 1000, signer.cert.notBefore.getTime());
  const serialHex = newSerialHex();
  const subject = req.subjectOverride ?? subjectName({ ...role, common_name: req.names.commonName, serial_number: req.names.serialNumber });
  const cert = await buildCertificateDer({
    subject, publicKey: req.publicKey, notBefore: new Date(notBefore), notAfter: new Date(notAfter), serialHex,
    sans: req.names.sans, isCa: false, keyUsage: keyUsageFlags(req.keyUsage ?? role.key_usage),
    extKeyUsage: req.extKeyUsage ?? roleExtKeyUsage(role), urls: await effectiveUrls(req.storage, issuer, issuer.id),
    signatureBits: role.signature_bits, usePss: role.use_pss, policyOids: role.policy_identifiers,
    basicConstraintsForLeaf: role.basic_constraints_valid_for_non_ca,
  }, signer);
  // The certificate's validity is these dates to the second (unix() drops the milliseconds).
  const { pem } = cert;
  if (!role.no_store) await storeCertificate(req.storage, serialHex, { certificate: pem, not_after: unix(new Date(notAfter)), issuer_id: issuer.id });
  return { pem, serialHex, notBefore: unix(new Date(notBefore)), notAfter: unix(new Date(notAfter)), warnings };
}

/** Vault's response data for an issued certificate. */
export async function leafResponse(
  storage: Storage, issuer: IssuerEntry, issued: Issued, format: Format, removeRoots: boolean,
  privateKey?: { private_key: string; private_key_type: string },
): Promise<Record<string, unknown>> {
  let chain = await caChain(storage, issuer);
  if (removeRoots) {
    chain = chain.filter((c) => !isSelfSigned(c));
  }
  const data: Record<string, unknown> = {
    certificate: renderCert(issued.pem, format),
    issuing_ca: renderCert(issuer.certificate, format),
    ca_chain: chain.map((c) => renderCert(c, format)),
    serial_number: colonSerial(issued.serialHex),
    expiration: issued.notAfter,
    not_before: issued.notBefore,
  };
  if (privateKey) Object.assign(data, privateKey);
  if (format === 'pem_bundle') data.certificate = bundle([privateKey?.private_key ?? '', issued.pem, ...chain]);
  return data;
}
