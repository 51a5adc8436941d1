// The audit table as persisted through the barrier: Vault keeps it apart from the mount table
// (core/audit), and each device's HMAC salt apart from its entry, so listing never shows it.
import type { Storage } from '../storage/storage.js';

/** One enabled audit device, in Vault's field names. */
export type AuditEntry = {
  /** Normalised, with one trailing slash ("file/"). */
  path: string;
  type: string;
  description: string;
  options: Record<string, string>;
  local: boolean;
  /** Names the device's salt in storage; never shown. */
  uuid: string;
};

const TABLE_KEY = 'core/audit';
const saltKey = (uuid: string) => `core/audit-salt/${uuid}`;

/** The stored table; empty when no device was ever enabled. */
export async function loadTable(storage: Storage): Promise<AuditEntry[]> {
  const raw = await storage.get(TABLE_KEY);
  return raw ? (JSON.parse(raw.toString('utf8')) as { entries: AuditEntry[] }).entries : [];
}

/** Replaces the stored table. */
export async function saveTable(storage: Storage, entries: AuditEntry[]): Promise<void> {
  await storage.put(TABLE_KEY, Buffer.from(JSON.stringify({ entries })));
}

/** A device's salt, if stored. */
export const loadSalt = (storage: Storage, uuid: string): Promise<Buffer | undefined> => storage.get(saltKey(uuid));

/** Stores a device's salt. */
export const saveSalt = (storage: Storage, uuid: string, salt: Buffer): Promise<void> => storage.put(saltKey(uuid), salt);

/** Forgets a device's salt: a device enabled again at the same path hashes differently, as in Vault. */
export const deleteSalt = (storage: Storage, uuid: string): Promise<void> => storage.delete(saltKey(uuid));
