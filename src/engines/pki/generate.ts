// Making a key for a new CA (internal, exported or existing) and issuing CA certificates.
import type { KeyObject } from 'node:crypto';
import type { Storage } from '../../storage/storage.js';
import { BadRequest } from '../../util/errors.js';
import { checkIssuerKey, checkKeyBits, generateKey, type KeyType } from './keys.js';
import { importKey, keyObjectOf, resolveKey } from './issuers.js';

/** The `:exported` path segment of Vault's generate paths. */
export type GenerateType = 'internal' | 'exported' | 'existing';

export function checkGenerateType(type: string): GenerateType {
  if (type === 'internal' || type === 'exported' || type === 'existing') return type;
  if (type === 'kms') throw new BadRequest('error retrieving managed key: managed keys are supported within enterprise edition only');
  throw new BadRequest('the "exported" path parameter must be "internal", "existing", exported" or "kms"');
}

/**
 * The key a new CA uses: an existing one (key_ref) or a new one, which the caller stores
 * (with `storeKey`) only once everything else has succeeded: nothing half-written.
 * Issuer keys must be signable by WebCrypto (no P-224).
 */
export async function keyForCa(
  storage: Storage,
  type: GenerateType,
  f: { key_type: string; key_bits: number; key_name: string; key_ref: string },
  sent: Set<string>,
  forIssuer: boolean,
): Promise<{ key: KeyObject; existingId?: string }> {
  if (type === 'existing') {
    if (sent.has('key_type') || sent.has('key_bits')) {
      throw new BadRequest('invalid parameter for the kms/existing path parameter, key_type nor key_bits arguments can be set in this mode');
    }
    const entry = await resolveKey(storage, f.key_ref);
    return { key: keyObjectOf(entry), existingId: entry.id };
  }
  const bits = checkKeyBits(f.key_type, f.key_bits);
  if (forIssuer) checkIssuerKey(f.key_type, bits);
  return { key: await generateKey(f.key_type as KeyType, bits) };
}

/** Stores a newly made key (or finds the existing one); answers its id. */
export async function storeKey(storage: Storage, made: { key: KeyObject; existingId?: string }, name: string): Promise<string> {
  return made.existingId ?? (await importKey(storage, made.key, name)).id;
}
