// What a complete set of typed key shares stands for: the root key itself (Shamir), or a
// recovery key that must match the stored one before the auto seal hands out the root key.
import { BadRequest, Internal } from '../util/errors.js';
import type { Storage } from '../storage/storage.js';
import { isRecoveryKey, unwrapRootKey } from './auto-seal.js';
import type { SealConfig } from './seal-config.js';
import type { SealWrapper } from './wrapper.js';

// One message for every way a complete set of shares can be wrong: which way is no one's business.
export const INVALID_SHARES = 'Error unsealing: invalid key shares';

/**
 * The root key `combined` opens the barrier with: `combined` itself under Shamir; under an auto
 * seal a new buffer (the caller wipes it), unwrapped by `wrapper` once `combined` is the recovery key.
 */
export async function rootKeyOf(physical: Storage, config: SealConfig, wrapper: SealWrapper | undefined, combined: Buffer): Promise<Buffer> {
  if (config.type === 'shamir') return combined;
  if (!wrapper) throw new Internal('no seal to unwrap the root key');
  if (!await isRecoveryKey(physical, wrapper, combined)) throw new BadRequest(INVALID_SHARES);
  return unwrapRootKey(physical, wrapper);
}
