// Field declarations shared by several PKI paths (CA generation, issue, sign).
import { field } from '../../core/path.js';

/** Subject fields, lists as in Vault. */
export const subjectFields = {
  ou: field.strings({ description: 'OU (OrganizationalUnit) values in the subject.' }),
  organization: field.strings({ description: 'O (Organization) values in the subject.' }),
  country: field.strings({ description: 'C (Country) values in the subject.' }),
  locality: field.strings({ description: 'L (Locality) values in the subject.' }),
  province: field.strings({ description: 'ST (Province) values in the subject.' }),
  street_address: field.strings({ description: 'Street address values in the subject.' }),
  postal_code: field.strings({ description: 'Postal code values in the subject.' }),
};

/** Names requested for a certificate. */
export const nameFields = {
  common_name: field.string({ description: 'The requested common name.' }),
  alt_names: field.strings({ description: 'Requested DNS or email subject alternative names.' }),
  ip_sans: field.strings({ description: 'Requested IP subject alternative names.' }),
  uri_sans: field.strings({ description: 'Requested URI subject alternative names.' }),
  other_sans: field.strings({ description: 'Requested other SANs, as oid;type:value.' }),
  exclude_cn_from_sans: field.bool({ description: 'Leave the common name out of the DNS or email SANs.', default: false }),
  serial_number: field.string({ description: "The subject's serialNumber attribute." }),
};

/** Validity and output of a certificate. */
export const outputFields = {
  ttl: field.duration({ description: 'Requested time to live.' }),
  not_after: field.string({ description: 'Requested NotAfter, RFC3339 (instead of ttl).' }),
  format: field.string({ description: 'pem, der or pem_bundle.', default: 'pem' }),
  private_key_format: field.string({ description: 'der, pem or pkcs8.', default: 'der' }),
};

/** Fields of CA generation and signing. */
export const caFields = {
  ...subjectFields, ...nameFields, ...outputFields,
  max_path_length: field.int({ description: 'The CA path length; -1 for none.', default: -1 }),
  permitted_dns_domains: field.strings({ description: 'DNS domains for the name constraints extension.' }),
  signature_bits: field.int({ description: 'Hash size for RSA signatures: 256, 384 or 512 (0 is the default).', default: 0 }),
  use_pss: field.bool({ description: 'Sign with RSA-PSS.', default: false }),
  not_before_duration: field.duration({ description: 'How far to backdate NotBefore.', default: 30 }),
};

/** Fields that pick or make a key. */
export const keyFields = {
  key_type: field.string({ description: 'rsa, ec or ed25519.', default: 'rsa' }),
  key_bits: field.int({ description: 'Key size; 0 for the type default.', default: 0 }),
  key_name: field.string({ description: 'Name for a new key.' }),
  key_ref: field.string({ description: 'Existing key to use, for the existing type.', default: 'default' }),
};
