// Roles: Vault's fields and defaults, and the checks Vault runs when a role is written.
import { field } from '../../core/path.js';
import type { FieldValues } from '../../core/fields.js';
import { BadRequest } from '../../util/errors.js';
import { checkKeyBits } from './keys.js';
import { extKeyUsageOids, keyUsageFlags } from './certs.js';

const strs = (description: string, dflt: string[] = []) => field.strings({ description, default: dflt });
const flag = (description: string, dflt: boolean) => field.bool({ description, default: dflt });

/** Every role field, with Vault's default. GET returns them all (Terraform reads every one). */
export const roleFields = {
  ttl: field.duration({ description: 'Default TTL of issued certificates.' }),
  max_ttl: field.duration({ description: 'Largest TTL of issued certificates.' }),
  allow_localhost: flag('Allow localhost names.', true),
  allowed_domains: strs('Domains the role may issue for.'),
  allowed_domains_template: flag('Template allowed_domains with identity values.', false),
  allow_bare_domains: flag('Allow the allowed domains themselves.', false),
  // Vault still takes and shows this deprecated flag; it has no effect there either.
  allow_token_displayname: flag('Deprecated; kept and shown, no effect.', false),
  allow_subdomains: flag('Allow subdomains of the allowed domains.', false),
  allow_glob_domains: flag('Treat * in allowed domains as a glob.', false),
  allow_wildcard_certificates: flag('Allow wildcard names.', true),
  allow_any_name: flag('Allow any name.', false),
  enforce_hostnames: flag('Require valid hostnames.', true),
  allow_ip_sans: flag('Allow IP SANs.', true),
  allowed_uri_sans: strs('Allowed URI SANs (globs).'),
  allowed_uri_sans_template: flag('Template allowed_uri_sans.', false),
  allowed_other_sans: strs('Allowed other SANs.'),
  allowed_serial_numbers: strs('Allowed subject serial numbers (globs).'),
  allowed_user_ids: strs('Allowed user ids (globs).'),
  server_flag: flag('Add the serverAuth EKU.', true),
  client_flag: flag('Add the clientAuth EKU.', true),
  code_signing_flag: flag('Add the codeSigning EKU.', false),
  email_protection_flag: flag('Add the emailProtection EKU.', false),
  key_type: field.string({ description: 'rsa, ec, ed25519 or any.', default: 'rsa' }),
  key_bits: field.int({ description: 'Key size; 0 for the type default.', default: 0 }),
  signature_bits: field.int({ description: 'RSA hash size; 0 for the default.', default: 0 }),
  use_pss: flag('Sign with RSA-PSS.', false),
  key_usage: strs('Key usages.', ['DigitalSignature', 'KeyAgreement', 'KeyEncipherment']),
  ext_key_usage: strs('Extended key usages by name.'),
  ext_key_usage_oids: strs('Extended key usages by OID.'),
  use_csr_common_name: flag('Take the common name from the CSR on sign.', true),
  use_csr_sans: flag('Take the SANs from the CSR on sign.', true),
  serial_number_source: field.string({ description: "Where sign takes the subject's serial number: json-csr (the request's, else the CSR's) or json.", default: 'json-csr' }),
  ou: strs('OU values.'), organization: strs('O values.'), country: strs('C values.'), locality: strs('L values.'),
  province: strs('ST values.'), street_address: strs('Street addresses.'), postal_code: strs('Postal codes.'),
  generate_lease: flag('Make a lease for each certificate.', false),
  no_store: flag('Do not store issued certificates.', false),
  require_cn: flag('Require a common name.', true),
  cn_validations: strs('How to validate the common name: email, hostname or disabled.', ['email', 'hostname']),
  policy_identifiers: strs('Certificate policy OIDs.'),
  basic_constraints_valid_for_non_ca: flag('Add basic constraints to leaves.', false),
  not_before_duration: field.duration({ description: 'How far to backdate NotBefore.', default: 30 }),
  not_after: field.string({ description: 'A fixed NotAfter, RFC3339.' }),
  issuer_ref: field.string({ description: 'The issuer to sign with.', default: 'default' }),
};

export type Role = FieldValues<typeof roleFields>;

const EC_SIGNATURE_BITS: Record<number, number> = { 224: 256, 256: 256, 384: 384, 521: 512 };
const CN_VALIDATIONS = new Set(['email', 'hostname', 'disabled']);

/**
 * Checks a role and fills Vault's derived values: key_bits and signature_bits from the key
 * type, lists of key usages without blanks.
 */
export function normalizeRole(role: Role): Role {
  const out = { ...role };
  if (out.max_ttl > 0 && out.ttl > out.max_ttl) throw new BadRequest('"ttl" value must be less than "max_ttl" value');
  if (out.key_type !== 'any') {
    out.key_bits = checkKeyBits(out.key_type, out.key_bits);
    if (out.key_type === 'rsa') {
      if (out.signature_bits === 0) out.signature_bits = 256;
    } else if (out.key_type === 'ec') {
      if (out.signature_bits === 0) out.signature_bits = EC_SIGNATURE_BITS[out.key_bits] ?? 256;
    }
  } else if (out.key_bits !== 0) {
    throw new BadRequest('key_bits must be 0 when key_type is any');
  }
  if (out.signature_bits !== 0 && ![256, 384, 512].includes(out.signature_bits)) {
    throw new BadRequest(`unsupported signature_bits: ${out.signature_bits}`);
  }
  if (!['', 'json-csr', 'json'].includes(out.serial_number_source)) throw new BadRequest(`unknown serial_number_source ${out.serial_number_source}`);
  keyUsageFlags(out.key_usage);
  extKeyUsageOids(out.ext_key_usage);
  for (const oid of out.ext_key_usage_oids) {
    if (!/^\d+(\.\d+)+$/.test(oid)) throw new BadRequest(`"${oid}" could not be parsed as a valid oid for an extended key usage`);
  }
  checkCnValidations(out.cn_validations);
  // Identity templating needs the caller's entity, which this server does not resolve yet:
  // refused rather than accepted and ignored.
  if (out.allowed_domains_template || out.allowed_uri_sans_template) {
    throw new BadRequest('allowed_domains_template and allowed_uri_sans_template are not supported by this server');
  }
  if (out.not_after !== '' && Number.isNaN(Date.parse(out.not_after))) throw new BadRequest(`parsing time "${out.not_after}" as "2006-01-02T15:04:05Z07:00": cannot parse`);
  return out;
}

function checkCnValidations(list: string[]): void {
  if (list.length === 0) throw new BadRequest('cn_validations value incorrect: must specify a value (`email` and/or `hostname`) or `disabled`');
  const seen = new Set<string>();
  for (const v of list) {
    if (!CN_VALIDATIONS.has(v)) throw new BadRequest(`cn_validations value incorrect: unknown type: \`${v}\``);
    if (seen.has(v)) throw new BadRequest(`cn_validations value incorrect: \`${v}\` specified multiple times`);
    seen.add(v);
  }
  if (seen.has('disabled') && seen.size > 1) throw new BadRequest('cn_validations value incorrect: cannot specify `disabled` along with `email` or `hostname`');
}

/** The role sign-verbatim uses: only a few values come from a named role. */
export function verbatimRole(base: Role | undefined, defaults: Role): Role {
  const role: Role = { ...defaults, allow_any_name: true, enforce_hostnames: false, key_type: 'any', key_bits: 0, signature_bits: 0, use_csr_common_name: true, use_csr_sans: true, require_cn: false, cn_validations: ['disabled'] };
  if (!base) return role;
  return {
    ...role, ttl: base.ttl, max_ttl: base.max_ttl, generate_lease: base.generate_lease, no_store: base.no_store,
    not_before_duration: base.not_before_duration, basic_constraints_valid_for_non_ca: base.basic_constraints_valid_for_non_ca,
    issuer_ref: base.issuer_ref, signature_bits: base.signature_bits, use_pss: base.use_pss,
  };
}
