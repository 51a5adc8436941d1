// Seal persistence: reading the stored seal back, and what init and recovery rekey write.
import { BadRequest, Internal } from '../util/errors.js';
import type { Storage } from '../storage/storage.js';
import { encryptKeyring, KEYRING_PATH, SEAL_CONFIG_PATH } from './barrier.js';
import type { Keyring } from './keyring.js';
import {
  readRecoveryConfig, recoveryConfigEntry, wrappedKeyEntries, wrappedRecoveryKeyEntry, type Entry, type RecoveryConfig,
} from './auto-seal.js';
import { sealConfigEntry } from './migration.js';
import { parseSealConfig, type InitOptions, type SealConfig } from './seal-config.js';
import type { SealWrapper } from './wrapper.js';

/** The seal configuration stored as `raw` and, for an auto seal, the recovery keys' configuration. */
export async function decodeStoredSeal(physical: Storage, raw: Buffer): Promise<{ config: SealConfig; recovery: RecoveryConfig | undefined }> {
  const config = parseSealConfig(raw);
  const recovery = config.type === 'shamir' ? undefined : await readRecoveryConfig(physical);
  if (config.type !== 'shamir' && recovery === undefined) throw new Internal('recovery configuration is missing');
  return { config, recovery };
}

/** With an auto seal, init also stores the recovery key's share counts and both keys wrapped. */
export type AutoInit = { wrapper: SealWrapper; recoveryKey: Buffer; shares: InitOptions };

/** Init's entries: the seal configuration, the keyring under `rootKey`, and an auto seal's keys. */
export async function initEntries(config: SealConfig, rootKey: Buffer, keyring: Keyring, auto: AutoInit | undefined): Promise<Entry[]> {
  const entries: Entry[] = [sealConfigEntry(config), [KEYRING_PATH, encryptKeyring(rootKey, keyring)]];
  if (auto) entries.push(recoveryConfigEntry(auto.shares), ...await wrappedKeyEntries(auto.wrapper, rootKey, auto.recoveryKey));
  return entries;
}

/** Writes init's entries in one transaction, unless the store was initialised meanwhile. */
export function writeInitEntries(physical: Storage, entries: Entry[]): Promise<void> {
  return physical.transaction(async (tx) => {
    // Another process sharing the backend may have initialised it since we opened.
    if (await tx.get(SEAL_CONFIG_PATH) !== undefined) throw new BadRequest('Vault is already initialized');
    await putAll(tx, entries);
  });
}

/** Recovery rekey's write: the new recovery key, wrapped, and its share counts, in one transaction. */
export async function writeRecoveryKey(physical: Storage, wrapper: SealWrapper, recovery: RecoveryConfig, recoveryKey: Buffer): Promise<void> {
  const entries = [recoveryConfigEntry(recovery), await wrappedRecoveryKeyEntry(wrapper, recoveryKey)];
  await physical.transaction((tx) => putAll(tx, entries));
}

async function putAll(tx: Storage, entries: Entry[]): Promise<void> {
  for (const [path, value] of entries) if (value) await tx.put(path, value);
}
