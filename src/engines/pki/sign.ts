// Signing of DER structures other than certificates (CRLs, OCSP responses) with an issuer's
// cached WebCrypto key. The AlgorithmIdentifier and the signature's ASN.1 form (ECDSA's
// r||s becomes an ECDSA-Sig-Value) come from @peculiar/x509, so no ASN.1 is written by hand.
import type { KeyObject } from 'node:crypto';
import { webcrypto } from 'node:crypto';
import type { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { BadRequest } from '../../util/errors.js';
import { cryptoSigningKey, describeKey, signingAlgorithm, type SigningAlgorithm } from './keys.js';
import { x509 } from './x509.js';

const algorithms = new x509.AlgorithmProvider();
const ecFormatter = new x509.AsnEcSignatureFormatter();

/** A key that signs: its storage id (the import cache key) and the key itself. */
export type SigningKey = { keyId: string; key: KeyObject };

/** The WebCrypto parameters in full: ECDSA's curve and RSA's hash live in the import parameters. */
const fullAlgorithm = (alg: SigningAlgorithm) => ({ ...alg.importParams, ...alg.sign }) as Algorithm;

/** The AlgorithmIdentifier a signature made with `alg` is labelled with. */
export function signatureAlgorithmId(alg: SigningAlgorithm): AlgorithmIdentifier {
  return algorithms.toAsnAlgorithm(fullAlgorithm(alg));
}

/** Signs `tbs`; answers the signature bits in their ASN.1 form. */
export async function signDer(signer: SigningKey, alg: SigningAlgorithm, tbs: ArrayBuffer | Uint8Array): Promise<ArrayBuffer> {
  const key = await cryptoSigningKey(signer.keyId, signer.key, alg);
  const full = fullAlgorithm(alg);
  const raw = await webcrypto.subtle.sign(full as Parameters<typeof webcrypto.subtle.sign>[0], key as unknown as webcrypto.CryptoKey, tbs);
  return ecFormatter.toAsnSignature(full, raw) ?? raw;
}

// Vault's revocation_signature_algorithm names (matched without case); each is shown by
// Vault's own name for it (certutil's InvSignatureAlgorithmNames), and Go's spelling (the
// algorithm's String()) is what Vault's error texts say. Issuers stored before keep Go's
// spelling, which still matches.
type RevocationAlgorithm = { shown: string; go: string; type: 'rsa' | 'ec' | 'ed25519'; bits: number; pss: boolean };
const rsa = (bits: number, pss: boolean): RevocationAlgorithm => ({ shown: `SHA${bits}WithRSA${pss ? 'PSS' : ''}`, go: `SHA${bits}-RSA${pss ? 'PSS' : ''}`, type: 'rsa', bits, pss });
const ecdsa = (bits: number): RevocationAlgorithm => ({ shown: `ECDSAWithSHA${bits}`, go: `ECDSA-SHA${bits}`, type: 'ec', bits, pss: false });
const ED25519: RevocationAlgorithm = { shown: 'Ed25519', go: 'Ed25519', type: 'ed25519', bits: 0, pss: false };
const REVOCATION_ALGORITHMS: Record<string, RevocationAlgorithm> = {
  sha256withrsa: rsa(256, false), sha384withrsa: rsa(384, false), sha512withrsa: rsa(512, false),
  ecdsawithsha256: ecdsa(256), ecdsawithsha384: ecdsa(384), ecdsawithsha512: ecdsa(512),
  sha256withrsapss: rsa(256, true), sha384withrsapss: rsa(384, true), sha512withrsapss: rsa(512, true),
  pureed25519: ED25519, ed25519: ED25519,
};
const byName = (name: string) => REVOCATION_ALGORITHMS[name.toLowerCase()]
  ?? Object.values(REVOCATION_ALGORITHMS).find((a) => a.go.toLowerCase() === name.toLowerCase() || a.shown.toLowerCase() === name.toLowerCase());

/** How an issuer's stored revocation_signature_algorithm reads (Vault's name; "" stays ""). */
export const shownRevocationAlgorithm = (stored: string): string => (stored === '' ? '' : byName(stored)?.shown ?? stored);

/** Vault's name of a certificate's own signature algorithm (what a new root signs CRLs with). */
export function revocationNameOfCertificate(alg: { name: string; hash?: { name: string } }): string {
  const bits = Number((alg.hash?.name ?? 'SHA-256').slice(4));
  if (alg.name === 'RSA-PSS') return rsa(bits, true).shown;
  if (alg.name === 'RSASSA-PKCS1-v1_5') return rsa(bits, false).shown;
  if (alg.name === 'ECDSA') return ecdsa(bits).shown;
  return alg.name === 'Ed25519' ? ED25519.shown : '';
}
const GO_KEY_TYPE = { rsa: 'RSA', ec: 'ECDSA', ed25519: 'Ed25519' } as const;

/**
 * Vault's check of revocation_signature_algorithm: a known name the issuer's key can sign
 * with. Answers Vault's name for it ("SHA256WithRSA"), stored and shown; "" stays "".
 */
export function checkRevocationAlgorithm(name: string, key: KeyObject | undefined): string {
  if (name === '') return '';
  const known = byName(name);
  // Vault prints the unknown value as Go's zero algorithm, "0".
  if (!known) throw new BadRequest(`Unknown signature algorithm value: 0 - valid values are ${Object.keys(REVOCATION_ALGORITHMS).join(', ')}`);
  const type = key ? describeKey(key).type : known.type;
  if (type !== known.type) throw new BadRequest(`unable to use issuer of type ${GO_KEY_TYPE[type]} to sign with ${known.go} key type`);
  return known.shown;
}

/**
 * What an issuer signs CRLs and OCSP answers with: its revocation_signature_algorithm when set
 * (RSA hash and PSS, or the ECDSA hash), else the key's default (SHA-256 for RSA, by curve for EC).
 */
export function revocationAlgorithm(key: KeyObject, name: string, forOcsp = false): SigningAlgorithm {
  const chosen = name === '' ? undefined : byName(name);
  const type = describeKey(key).type;
  if (!chosen || chosen.type !== type) return signingAlgorithm(key, 0, false);
  // Vault's OCSP library cannot sign PSS: its answers fall back to PKCS #1 v1.5 (the issuer
  // read warns of it).
  if (type === 'rsa') return signingAlgorithm(key, chosen.bits, chosen.pss && !forOcsp);
  const base = signingAlgorithm(key, 0, false);
  if (type === 'ec') return { ...base, sign: { name: 'ECDSA', hash: `SHA-${chosen.bits}` } as EcdsaParams };
  return base;
}
