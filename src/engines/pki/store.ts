// The PKI mount's storage layout, in one place (keys inside the mount's view):
//   config/issuers · config/keys · config/urls · config/crl   (small JSON documents)
//   issuer/<id> · key/<id> · role/<name>                       (one entry each)
//   certs/<hex serial>                                          (issued certificates)
//   expiry/<notAfter seconds, 12 digits>/<hex serial>           (index: tidy visits only expired)
//   revoked/<hex serial>                                        (the revoked set; CRL and OCSP read only this)
//   crl/<issuer id>                                             (the last CRL built, and its number)
import type { Storage } from '../../storage/storage.js';

/** Reads a JSON document. */
export async function getJson<T>(storage: Storage, key: string): Promise<T | undefined> {
  const raw = await storage.get(key);
  return raw === undefined ? undefined : (JSON.parse(raw.toString('utf8')) as T);
}

/** Writes a JSON document. */
export async function putJson(storage: Storage, key: string, value: unknown): Promise<void> {
  await storage.put(key, Buffer.from(JSON.stringify(value)));
}

/** Lists every child of a folder, paging so that no single listing is unbounded. */
export async function listAll(storage: Storage, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await storage.list(prefix, { after, limit: 1000 });
    out.push(...page);
    if (page.length < 1000) return out;
    after = page[page.length - 1];
  }
}

/** An issuer as stored. */
export type IssuerEntry = {
  id: string;
  name: string;
  key_id: string;
  certificate: string;
  manual_chain: string[];
  leaf_not_after_behavior: 'err' | 'truncate' | 'permit';
  usage: string[];
  revocation_signature_algorithm: string;
  issuing_certificates: string[];
  crl_distribution_points: string[];
  /** Vault 1.20's Freshest CRL URLs; absent in issuers stored before them. */
  delta_crl_distribution_points?: string[];
  ocsp_servers: string[];
  enable_aia_url_templating: boolean;
  revoked: boolean;
  revocation_time: number;
};

/** A key as stored (the private key is PKCS#8 PEM; the barrier encrypts it). */
export type KeyEntry = { id: string; name: string; type: string; bits: number; private_key: string };

/** An issued certificate as stored. */
export type CertEntry = { certificate: string; not_after: number; issuer_id: string };

/**
 * A revocation. `crl_entry` is its RevokedCertificate as CRLs list it (base64 DER, written with
 * the revocation so a CRL build does not encode 100,000 entries again); older entries lack it.
 */
export type RevokedEntry = { serial: string; revocation_time: number; issuer_id: string; certificate: string; not_after: number; crl_entry?: string };

/** Vault's config/urls. */
export type UrlsConfig = { issuing_certificates: string[]; crl_distribution_points: string[]; delta_crl_distribution_points: string[]; ocsp_servers: string[]; enable_templating: boolean };

/** The expiry index key of a certificate: zero-padded so key order is time order. */
export const expiryKey = (notAfter: number, hex: string) => `expiry/${String(notAfter).padStart(12, '0')}/${hex}`;

/** Stores an issued certificate with its expiry index entry, together. */
export async function storeCertificate(storage: Storage, hex: string, entry: CertEntry): Promise<void> {
  await storage.transaction(async (tx) => {
    await putJson(tx, `certs/${hex}`, entry);
    await tx.put(expiryKey(entry.not_after, hex), Buffer.alloc(0));
  });
}
