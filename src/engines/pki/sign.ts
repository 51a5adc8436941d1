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

// Vault's revocation_signature_algorithm names (matched without case) and Go's spelling of
// each, which is what Vault stores and reads back.
type RevocationAlgorithm = { go: string; type: 'rsa' | 'ec' | 'ed25519'; bits: number; pss: boolean };
const rsa = (bits: number, pss: boolean): RevocationAlgorithm => ({ go: `SHA${bits}-RSA${pss ? 'PSS' : ''}`, type: 'rsa', bits, pss });
const ecdsa = (bits: number): RevocationAlgorithm => ({ go: `ECDSA-SHA${bits}`, type: 'ec', bits, pss: false });
const ED25519: RevocationAlgorithm = { go: 'Ed25519', type: 'ed25519', bits: 0, pss: false };
const REVOCATION_ALGORITHMS: Record<string, RevocationAlgorithm> = {
  sha256withrsa: rsa(256, false), sha384withrsa: rsa(384, false), sha512withrsa: rsa(512, false),
  ecdsawithsha256: ecdsa(256), ecdsawithsha384: ecdsa(384), ecdsawithsha512: ecdsa(512),
  sha256withrsapss: rsa(256, true), sha384withrsapss: rsa(384, true), sha512withrsapss: rsa(512, true),
  pureed25519: ED25519, ed25519: ED25519,
};
const byName = (name: string) => REVOCATION_ALGORITHMS[name.toLowerCase()]
  ?? Object.values(REVOCATION_ALGORITHMS).find((a) => a.go.toLowerCase() === name.toLowerCase());
const GO_KEY_TYPE = { rsa: 'RSA', ec: 'ECDSA', ed25519: 'Ed25519' } as const;

/**
 * Vault's check of revocation_signature_algorithm: a known name the issuer's key can sign
 * with. Answers Go's spelling ("SHA256-RSA"), stored and shown as Vault shows it; "" stays "".
 */
export function checkRevocationAlgorithm(name: string, key: KeyObject | undefined): string {
  if (name === '') return '';
  const known = byName(name);
  if (!known) {
    throw new BadRequest(`Unknown signature algorithm value: ${name}; known values are: ${Object.keys(REVOCATION_ALGORITHMS).join(', ')}`);
  }
  const type = key ? describeKey(key).type : known.type;
  if (type !== known.type) throw new BadRequest(`unable to use issuer of type ${GO_KEY_TYPE[type]} to sign with ${known.go} key type`);
  return known.go;
}

/**
 * What an issuer signs CRLs and OCSP answers with: its revocation_signature_algorithm when set
 * (RSA hash and PSS, or the ECDSA hash), else the key's default (SHA-256 for RSA, by curve for EC).
 */
export function revocationAlgorithm(key: KeyObject, name: string): SigningAlgorithm {
  const chosen = name === '' ? undefined : byName(name);
  const type = describeKey(key).type;
  if (!chosen || chosen.type !== type) return signingAlgorithm(key, 0, false);
  if (type === 'rsa') return signingAlgorithm(key, chosen.bits, chosen.pss);
  const base = signingAlgorithm(key, 0, false);
  if (type === 'ec') return { ...base, sign: { name: 'ECDSA', hash: `SHA-${chosen.bits}` } as EcdsaParams };
  return base;
}
