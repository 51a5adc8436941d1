// Signatures with a key version, as Vault makes them: ECDSA and RSA sign a digest of the
// input (hash_algorithm), Ed25519 signs the input itself; ASN.1 (DER) or JWS (r ‖ s) output.
import { constants, sign, verify, type KeyObject } from 'node:crypto';
import { BadRequest } from '../../util/errors.js';
import { capabilitiesOf, curveOf, rsaBitsOf } from './key-types.js';
import { decodeBase64, decodeBase64Url, frame, unframe } from './encoding.js';
import { digestBytes, signingDigestName } from './hashes.js';
import { ed25519FromSeed, ed25519PublicKey, privateKeyOf, publicKeyOf } from './material.js';
import { signPrehashedPkcs1, verifyPrehashedPkcs1 } from './pkcs1-prehashed.js';
import type { KeyPolicy } from './policy.js';
import { encryptionVersion, ERR_TOO_OLD, keyFor, liveEntry } from './symmetric.js';

/** What a sign or verify request asks for. */
export type SignOptions = {
  hashAlgorithm: string;
  signatureAlgorithm: string;
  marshaling: string;
  prehashed: boolean;
  /** 'auto', 'hash' or a number of bytes (RSA-PSS). */
  saltLength: string;
  context?: Buffer;
};

function checkOptions(p: KeyPolicy, o: SignOptions): void {
  if (!capabilitiesOf(p.type).signing) throw new BadRequest(`key type ${p.type} does not support signing`);
  if (o.marshaling !== 'asn1' && o.marshaling !== 'jws') throw new BadRequest(`invalid marshaling type ${JSON.stringify(o.marshaling)}`);
  // node:crypto signs only messages it hashes itself; a digest can be signed as is only with
  // RSA PKCS #1 v1.5 (pkcs1-prehashed.ts). ECDSA and RSA-PSS digests are refused.
  if (o.prehashed && p.type !== 'ed25519' && !isPrehashedPkcs1(p, o)) {
    throw new BadRequest(`prehashed input is not supported for key type ${p.type}${rsaBitsOf(p.type) ? ' with signature_algorithm pss' : ''}`);
  }
  if (o.hashAlgorithm === 'none' && !isPrehashedPkcs1(p, o)) throw new BadRequest('hash algorithm none requires prehashed input and signature_algorithm pkcs1v15');
  if (rsaBitsOf(p.type) && o.signatureAlgorithm !== 'pss' && o.signatureAlgorithm !== 'pkcs1v15') {
    throw new BadRequest(`unsupported rsa signature algorithm ${o.signatureAlgorithm}`);
  }
}

const isPrehashedPkcs1 = (p: KeyPolicy, o: SignOptions): boolean =>
  rsaBitsOf(p.type) !== undefined && o.prehashed && o.signatureAlgorithm === 'pkcs1v15';

/** node's hash name for a prehashed PKCS #1 request; undefined for "none". */
const prehashName = (o: SignOptions): string | undefined => (o.hashAlgorithm === 'none' ? undefined : signingDigestName(o.hashAlgorithm));

function saltLengthOf(p: KeyPolicy, o: SignOptions, signing: boolean): number {
  if (o.saltLength === 'auto') return signing ? constants.RSA_PSS_SALTLEN_MAX_SIGN : constants.RSA_PSS_SALTLEN_AUTO;
  const hashBytes = digestBytes(signingDigestName(o.hashAlgorithm));
  if (o.saltLength === 'hash') return hashBytes;
  const n = /^-?\d+$/.test(o.saltLength) ? Number(o.saltLength) : NaN;
  const max = Math.ceil(((rsaBitsOf(p.type) ?? 0) - 1) / 8) - 2 - hashBytes;
  if (!Number.isInteger(n) || n < 0 || n > max) throw new BadRequest(`requested salt length ${o.saltLength} is invalid`);
  return n;
}

/** node's sign/verify arguments for a key of this policy. */
function keyArgs(p: KeyPolicy, key: KeyObject, o: SignOptions, signing: boolean) {
  if (p.type === 'ed25519') return { algorithm: null, key: { key } };
  const algorithm = signingDigestName(o.hashAlgorithm);
  if (curveOf(p.type)) return { algorithm, key: { key, dsaEncoding: o.marshaling === 'jws' ? 'ieee-p1363' as const : 'der' as const } };
  if (o.signatureAlgorithm === 'pkcs1v15') return { algorithm, key: { key, padding: constants.RSA_PKCS1_PADDING } };
  return { algorithm, key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: saltLengthOf(p, o, signing) } };
}

/** The signing key of a version; a derived Ed25519 key is made from the context. */
function signingKey(p: KeyPolicy, version: number, context?: Buffer): { key: KeyObject; publicKey?: Buffer } {
  if (p.type === 'ed25519' && p.derived) {
    const seed = keyFor(p, version, context, 32);
    return { key: ed25519FromSeed(seed), publicKey: ed25519PublicKey(seed) };
  }
  return { key: privateKeyOf(p.type, liveEntry(p, version)) };
}

function signWith(p: KeyPolicy, key: KeyObject, o: SignOptions, input: Buffer): Buffer {
  const args = keyArgs(p, key, o, true);
  return sign(args.algorithm, input, args.key);
}

/** Signs input with a version (0 = latest); returns the framed signature. */
export function signInput(p: KeyPolicy, requested: number, input: Buffer, o: SignOptions) {
  checkOptions(p, o);
  const version = encryptionVersion(p, requested, 'signing');
  const { key, publicKey } = signingKey(p, version, o.context);
  const sig = isPrehashedPkcs1(p, o) ? signPrehashedPkcs1(key, prehashName(o), input) : signWith(p, key, o, input);
  const text = o.marshaling === 'jws' ? sig.toString('base64url') : sig.toString('base64');
  return { signature: frame(version, text), key_version: version, ...(publicKey ? { publickey: publicKey.toString('base64') } : {}) };
}

/** Verifies a framed signature; false when it does not match, an error when it is malformed. */
export function verifyInput(p: KeyPolicy, input: Buffer, framed: string, o: SignOptions): boolean {
  checkOptions(p, o);
  const { version, payload } = unframe(framed, 'signature');
  if (version > p.latest_version) throw new BadRequest('invalid signature: version is too new');
  if (p.min_decryption_version > 0 && version < p.min_decryption_version) throw new BadRequest(ERR_TOO_OLD);
  let sig: Buffer | undefined;
  try {
    sig = o.marshaling === 'jws' ? decodeBase64Url(payload) : decodeBase64(payload);
  } catch {
    sig = undefined;
  }
  if (!sig) throw new BadRequest('invalid base64 signature value');
  const key = p.type === 'ed25519' && p.derived
    ? signingKey(p, version, o.context).key
    : publicKeyOf(p.type, liveEntry(p, version));
  if (isPrehashedPkcs1(p, o)) return verifyPrehashedPkcs1(key, prehashName(o), input, sig);
  const args = keyArgs(p, key, o, false);
  try {
    return verify(args.algorithm, input, args.key, sig);
  } catch {
    return false;
  }
}
