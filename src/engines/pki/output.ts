// How certificates and keys are returned: Vault's `format` (pem, der, pem_bundle) and
// `private_key_format` (der/pem as the key's own type, or pkcs8).
import type { KeyObject } from 'node:crypto';
import { BadRequest } from '../../util/errors.js';
import { describeKey, privateKeyPem } from './keys.js';

export type Format = 'pem' | 'der' | 'pem_bundle';

export function checkFormat(format: string): Format {
  if (format === 'pem' || format === 'der' || format === 'pem_bundle') return format;
  throw new BadRequest('the "format" path parameter must be "pem", "der", or "pem_bundle"');
}

export function checkPrivateKeyFormat(format: string): string {
  if (format === '' || format === 'der' || format === 'pem' || format === 'pkcs8') return format;
  throw new BadRequest('the "private_key_format" parameter must be "", "der", "pem", or "pkcs8"');
}

/** A PEM block's DER, base64 (what `format=der` returns). */
export function pemToDerBase64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '').replace(/\s+/g, '');
}

/** One certificate in the requested format. */
export function renderCert(pem: string, format: Format): string {
  return format === 'der' ? pemToDerBase64(pem) : pem;
}

/** The private key fields of a response. */
export function renderPrivateKey(key: KeyObject, format: Format, keyFormat: string): { private_key: string; private_key_type: string } {
  const pem = privateKeyPem(key, keyFormat);
  const type = describeKey(key).type;
  return { private_key: format === 'der' ? pemToDerBase64(pem) : pem, private_key_type: type };
}

/** Vault's pem_bundle: key (when there is one), certificate, then the chain, in `certificate`. */
export function bundle(parts: string[]): string {
  return parts.filter((p) => p !== '').join('\n');
}
