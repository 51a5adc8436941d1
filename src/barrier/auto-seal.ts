// What an auto seal keeps in storage, beside the keyring: the root key wrapped by the seal,
// the recovery key wrapped by the seal, and the recovery key's share count and threshold in
// plaintext (seal-status answers while sealed). Recovery keys stand in for unseal keys where
// a person must authorise something (generate-root, unseal after sys/seal, migration); they
// never decrypt anything themselves. Paths as Vault names them.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { BadRequest, Internal } from '../util/errors.js';
import type { Storage } from '../storage/storage.js';
import { parseWrapped, serializeWrapped, type SealWrapper } from './wrapper.js';
import { ROOT_KEY_BYTES } from './shares.js';

/** The root key, wrapped by the auto seal. */
export const WRAPPED_ROOT_KEY_PATH = 'core/hsm/barrier-unseal-keys';
/** The recovery key, wrapped by the auto seal. */
export const RECOVERY_KEY_PATH = 'core/recovery-key';
/** `{type: 'shamir', secret_shares, secret_threshold}` of the recovery key, plaintext. */
export const RECOVERY_CONFIG_PATH = 'core/recovery-config';
/** Every path this module owns; none may be reached through the barrier. */
export const AUTO_SEAL_PATHS = [WRAPPED_ROOT_KEY_PATH, RECOVERY_KEY_PATH, RECOVERY_CONFIG_PATH];

/** How many recovery shares there are and how many it takes. */
export type RecoveryConfig = { secret_shares: number; secret_threshold: number };

/** One stored entry to write (a Buffer) or remove (undefined), in one transaction with others. */
export type Entry = [path: string, value: Buffer | undefined];

export function recoveryConfigEntry(c: RecoveryConfig): Entry {
  const stored = { type: 'shamir', secret_shares: c.secret_shares, secret_threshold: c.secret_threshold };
  return [RECOVERY_CONFIG_PATH, Buffer.from(JSON.stringify(stored), 'utf8')];
}

export async function readRecoveryConfig(physical: Storage): Promise<RecoveryConfig | undefined> {
  const raw = await physical.get(RECOVERY_CONFIG_PATH);
  if (raw === undefined) return undefined;
  let v: Partial<RecoveryConfig> | null;
  try { v = JSON.parse(raw.toString('utf8')) as Partial<RecoveryConfig>; } catch { v = null; }
  if (!Number.isInteger(v?.secret_shares) || !Number.isInteger(v?.secret_threshold)) throw new Internal('recovery configuration is corrupt');
  return { secret_shares: v!.secret_shares as number, secret_threshold: v!.secret_threshold as number };
}

/** The entries that store `rootKey` and `recoveryKey` wrapped by `wrapper`. */
export async function wrappedKeyEntries(wrapper: SealWrapper, rootKey: Buffer, recoveryKey: Buffer): Promise<Entry[]> {
  return [
    [WRAPPED_ROOT_KEY_PATH, serializeWrapped(await wrapper.encrypt(rootKey))],
    [RECOVERY_KEY_PATH, serializeWrapped(await wrapper.encrypt(recoveryKey))],
  ];
}

/** The entries an auto seal leaves behind, removed when migrating to Shamir. */
export const autoSealRemovals = (): Entry[] => AUTO_SEAL_PATHS.map((p) => [p, undefined]);

async function unwrap(physical: Storage, wrapper: SealWrapper, path: string, what: string): Promise<Buffer> {
  const raw = await physical.get(path);
  if (raw === undefined) throw new Internal(`${what} is missing from storage`);
  const key = await wrapper.decrypt(parseWrapped(raw, what));
  if (key.length !== ROOT_KEY_BYTES) { key.fill(0); throw new Internal(`${what} has the wrong length`); }
  return key;
}

/** The root key, unwrapped by the seal that wrapped it. */
export const unwrapRootKey = (physical: Storage, wrapper: SealWrapper) =>
  unwrap(physical, wrapper, WRAPPED_ROOT_KEY_PATH, 'the wrapped root key');

/** The recovery key, unwrapped by the seal that wrapped it. */
export const unwrapRecoveryKey = (physical: Storage, wrapper: SealWrapper) =>
  unwrap(physical, wrapper, RECOVERY_KEY_PATH, 'the wrapped recovery key');

/** Whether `candidate` (combined recovery shares) is the stored recovery key; constant time. */
export async function isRecoveryKey(physical: Storage, wrapper: SealWrapper, candidate: Buffer): Promise<boolean> {
  const stored = await unwrapRecoveryKey(physical, wrapper);
  try {
    return candidate.length === stored.length && timingSafeEqual(candidate, stored);
  } finally {
    stored.fill(0);
  }
}

/** A fresh recovery key. */
export const newRecoveryKey = (): Buffer => randomBytes(ROOT_KEY_BYTES);

/** Vault's sys/init: the parameters that do not apply to the server's seal type are refused. */
export function checkInitParameters(recoverySeal: boolean, type: string, given: Record<string, boolean>): void {
  const barrier = ['secret_shares', 'secret_threshold', 'pgp_keys'].filter((k) => given[k]);
  const recovery = ['recovery_shares', 'recovery_threshold', 'recovery_pgp_keys'].filter((k) => given[k]);
  const wrong = recoverySeal ? barrier : recovery;
  if (wrong.length > 0) throw new BadRequest(`parameters ${wrong.join(',')} not applicable to seal type ${type}`);
}
