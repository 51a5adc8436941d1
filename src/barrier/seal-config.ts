// The stored seal configuration: its shape, Vault's rules for sys/init parameters, and decoding it.
import { BadRequest, Internal } from '../util/errors.js';
import type { AutoSealType, SealType } from './wrapper.js';

/** Vault's sys/init parameters (for an auto seal, the recovery key's). */
export type InitOptions = { secret_shares: number; secret_threshold: number };

/** What is stored, plaintext, at SEAL_CONFIG_PATH; an auto seal stores 1 of 1. */
export type SealConfig = { type: SealType; secret_shares: number; secret_threshold: number };

/** Checks sys/init parameters the way Vault does; throws BadRequest naming the rule broken. */
export function validateInitOptions({ secret_shares: n, secret_threshold: t }: InitOptions): void {
  if (!Number.isInteger(n) || !Number.isInteger(t)) {
    throw new BadRequest('secret_shares and secret_threshold must be integers');
  }
  if (n < 1) throw new BadRequest('secret_shares must be at least 1');
  if (t < 1) throw new BadRequest('secret_threshold must be at least 1');
  if (n > 255) throw new BadRequest('secret_shares must be at most 255');
  if (t > n) throw new BadRequest('secret_threshold cannot be larger than secret_shares');
  // Vault: a threshold of 1 with several shares would make every share the whole root key.
  if (n > 1 && t === 1) throw new BadRequest('secret_threshold must be greater than 1 when secret_shares is greater than 1');
}

/** The stored configuration, checked as strictly as init's parameters; Internal when corrupt. */
export function parseSealConfig(raw: Buffer): SealConfig {
  let v: unknown;
  try { v = JSON.parse(raw.toString('utf8')); } catch { throw new Internal('seal configuration is corrupt'); }
  const c = v as Partial<SealConfig> | null;
  if (!SEAL_TYPES.has(c?.type as string) || typeof c?.secret_shares !== 'number' || typeof c.secret_threshold !== 'number') {
    throw new Internal('seal configuration is corrupt');
  }
  try { validateInitOptions(c as SealConfig); } catch { throw new Internal('seal configuration is corrupt'); }
  return { type: c.type as SealType, secret_shares: c.secret_shares, secret_threshold: c.secret_threshold };
}

const SEAL_TYPES = new Set<string>(['shamir', 'transit', 'pkcs11']);

/** An auto seal's configuration: the root key is one wrapped key, not shares. */
export const autoConfig = (type: AutoSealType): SealConfig => ({ type, secret_shares: 1, secret_threshold: 1 });

/** Only the two share counts of a request's options, whatever else the caller passed. */
export function pickInit(o: InitOptions): InitOptions {
  return { secret_shares: o.secret_shares, secret_threshold: o.secret_threshold };
}
