// Seal migration, as Vault documents it: the configured seal differs from the stored one, and
// the operator unseals once with migrate = true to move over. From Shamir the unseal keys are
// given and become the recovery keys (a new root key is wrapped by the new seal); to Shamir
// (the old block kept with disabled = "true") the recovery keys are given and become the
// unseal keys; between two auto seals the recovery keys are given and both keys are rewrapped.
import { randomBytes } from 'node:crypto';
import { Internal } from '../util/errors.js';
import { SEAL_CONFIG_PATH } from './barrier.js';
import { autoSealRemovals, recoveryConfigEntry, wrappedKeyEntries, type Entry, type RecoveryConfig } from './auto-seal.js';
import { ROOT_KEY_BYTES } from './shares.js';
import type { SealSetup, SealType, SealWrapper } from './wrapper.js';

export const MIGRATE_REQUIRED = 'migrate option not provided and seal migration is pending';
export const MIGRATE_NOT_PENDING = "can't perform a seal migration, no migration seal found";

/** A pending migration: the stored seal, the configured one, and the wrappers of each. */
export type Migration = { from: SealType; to: SealType; fromWrapper?: SealWrapper; toWrapper?: SealWrapper };

/** What a migration writes: the root key the keyring will be under, and the new seal entries. */
export type MigrationPlan = {
  rootKey: Buffer;
  entries: Entry[];
  config: { type: SealType; secret_shares: number; secret_threshold: number };
  recovery: RecoveryConfig | undefined;
};

/** The migration the configuration asks for over a store sealed by `stored`, if any. */
export function migrationOf(stored: SealType, setup: SealSetup): Migration | undefined {
  const configured = setup.wrapper?.type ?? 'shamir';
  if (stored === configured) return undefined;
  if (stored === 'shamir') return { from: stored, to: configured, toWrapper: setup.wrapper };
  if (setup.previous?.type === stored) return { from: stored, to: configured, fromWrapper: setup.previous, toWrapper: setup.wrapper };
  return undefined;
}

export const sealConfigEntry = (config: MigrationPlan['config']): Entry =>
  [SEAL_CONFIG_PATH, Buffer.from(JSON.stringify(config), 'utf8')];

/**
 * The entries for `m`, given the operator's combined key (`typed`: the old root key from
 * Shamir shares, else the recovery key) and its share config. `currentRoot` is the root key
 * the old auto seal unwrapped (auto → auto keeps it).
 */
export async function migrationEntries(m: Migration, keys: RecoveryConfig, typed: Buffer, currentRoot: Buffer | undefined): Promise<MigrationPlan> {
  const shares = { secret_shares: keys.secret_shares, secret_threshold: keys.secret_threshold };
  if (m.to === 'shamir') {
    // The recovery key becomes the root key, so the recovery shares are the unseal keys.
    const config = { type: 'shamir' as const, ...shares };
    return { rootKey: Buffer.from(typed), entries: [sealConfigEntry(config), ...autoSealRemovals()], config, recovery: undefined };
  }
  const to = m.toWrapper;
  if (!to) throw new Internal('no seal to migrate to');
  const config = { type: to.type, secret_shares: 1, secret_threshold: 1 };
  // From Shamir: a fresh root key, and the old one (what the shares combine to) is the recovery key.
  const rootKey = m.from === 'shamir' ? randomBytes(ROOT_KEY_BYTES) : Buffer.from(currentRoot ?? Buffer.alloc(0));
  if (rootKey.length !== ROOT_KEY_BYTES) throw new Internal('the root key to rewrap is missing');
  try {
    const entries = [sealConfigEntry(config), recoveryConfigEntry(shares), ...await wrappedKeyEntries(to, rootKey, typed)];
    return { rootKey, entries, config, recovery: shares };
  } catch (err) {
    rootKey.fill(0);
    throw err;
  }
}
