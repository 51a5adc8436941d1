// RSA PKCS #1 v1.5 signatures over a digest the caller already computed (Vault's `prehashed`).
// node:crypto hashes messages itself, so the DigestInfo it would build is built here with
// @peculiar/asn1-rsa and signed with the raw RSA private operation. With hash_algorithm
// "none" the input is signed as it is, as Vault allows.
import { constants, privateEncrypt, publicDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { DigestInfo } from '@peculiar/asn1-rsa';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { BadRequest } from '../../util/errors.js';
import { digestBytes } from './hashes.js';

// Object identifiers of the hash algorithms, by node's names.
const HASH_OIDS: Record<string, string> = {
  sha1: '1.3.14.3.2.26', sha224: '2.16.840.1.101.3.4.2.4', sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2', sha512: '2.16.840.1.101.3.4.2.3', 'sha3-224': '2.16.840.1.101.3.4.2.7',
  'sha3-256': '2.16.840.1.101.3.4.2.8', 'sha3-384': '2.16.840.1.101.3.4.2.9', 'sha3-512': '2.16.840.1.101.3.4.2.10',
};

/** What is fed to the RSA operation: DigestInfo(hash, digest), or the input itself for "none". */
function encoded(nodeHash: string | undefined, digest: Buffer): Buffer {
  if (nodeHash === undefined) return digest;
  if (digest.length !== digestBytes(nodeHash)) throw new BadRequest('the prehashed input does not have the length of the hash algorithm\'s digest');
  const info = new DigestInfo({
    digestAlgorithm: new AlgorithmIdentifier({ algorithm: HASH_OIDS[nodeHash] as string, parameters: null }),
    digest: new OctetString(digest),
  });
  return Buffer.from(AsnConvert.serialize(info));
}

/** Signs a digest (or raw input for "none") with RSA PKCS #1 v1.5. */
export function signPrehashedPkcs1(key: KeyObject, nodeHash: string | undefined, digest: Buffer): Buffer {
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, encoded(nodeHash, digest));
}

/** Verifies such a signature. */
export function verifyPrehashedPkcs1(key: KeyObject, nodeHash: string | undefined, digest: Buffer, sig: Buffer): boolean {
  const expected = encoded(nodeHash, digest);
  let recovered: Buffer;
  try {
    recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, sig);
  } catch {
    return false;
  }
  return recovered.length === expected.length && timingSafeEqual(recovered, expected);
}
