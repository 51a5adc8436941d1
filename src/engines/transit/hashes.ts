// Vault's hash algorithm names and node:crypto's.
import { BadRequest } from '../../util/errors.js';

const NODE_NAMES: Record<string, string> = {
  sha1: 'sha1', 'sha2-224': 'sha224', 'sha2-256': 'sha256', 'sha2-384': 'sha384', 'sha2-512': 'sha512',
  'sha3-224': 'sha3-224', 'sha3-256': 'sha3-256', 'sha3-384': 'sha3-384', 'sha3-512': 'sha3-512',
};

/** node's name of a hash that hash/hmac accept (not sha1, as in Vault). */
export function digestName(algorithm: string): string {
  const name = algorithm === 'sha1' ? undefined : NODE_NAMES[algorithm];
  if (!name) throw new BadRequest(`unsupported algorithm ${algorithm}`);
  return name;
}

/** Vault's refusal of a sign/verify hash name it does not know. */
const invalidHash = (algorithm: string) => new BadRequest(`invalid hash algorithm ${JSON.stringify(algorithm)}`);

/** node's name of a hash that sign/verify accept (sha1 included, as in Vault). */
export function signingDigestName(algorithm: string): string {
  const name = NODE_NAMES[algorithm];
  if (!name) throw invalidHash(algorithm);
  return name;
}

/** Checks a sign/verify hash name ("none" included) before any key is looked up, as Vault does. */
export function checkSigningHash(algorithm: string): void {
  if (algorithm !== 'none' && !NODE_NAMES[algorithm]) throw invalidHash(algorithm);
}

/** The digest length in bytes of a node hash name. */
export function digestBytes(nodeName: string): number {
  const bits = Number(/(\d+)$/.exec(nodeName)?.[1] ?? 160);
  return nodeName === 'sha1' ? 20 : bits / 8;
}
