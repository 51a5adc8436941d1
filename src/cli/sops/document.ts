// A SOPS document: the encrypted tree plus its `sops` metadata block. The data key is sent to
// Lockbox transit (the `hc_vault` key source, as sops's Go client calls it) and optionally
// encrypted to age recipients; the MAC over the cleartext is encrypted with the data key.
import { randomBytes } from 'node:crypto';
import { armor, Decrypter, Encrypter } from 'age-encryption';
import { decryptTree, encryptTree, type Selectors } from './tree.js';
import { decryptLeaf, encryptLeaf } from './value-cipher.js';

/** The sops version written into metadata (the on-disk format of sops 3.x). */
export const SOPS_FORMAT_VERSION = '3.9.0';

/** A transit key as sops's hc_vault source names it. */
export type VaultKey = { vault_address: string; engine_path: string; key_name: string };

/** What encryption needs: where the data key goes, and which keys stay clear. */
export type EncryptOptions = { vault: VaultKey[]; age: string[]; token: string; selectors?: Selectors; now?: Date };

/** What decryption may use: a token for transit, or age identities. */
export type DecryptOptions = { token?: string; ageIdentities?: string[] };

type HcVaultEntry = VaultKey & { created_at: string; enc: string };
type AgeEntry = { recipient: string; enc: string };
type Metadata = Selectors & { hc_vault?: HcVaultEntry[] | null; age?: AgeEntry[] | null; lastmodified: string; mac: string; version: string };

/** sops writes times as RFC 3339 in UTC, to the second. */
const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

async function transit(key: VaultKey, token: string, op: 'encrypt' | 'decrypt', body: Record<string, string>): Promise<string> {
  // As sops's client does: the key's URL is <address>/v1/<engine_path>/<op>/<key_name>.
  const res = await fetch(`${key.vault_address.replace(/\/+$/, '')}/v1/${key.engine_path}/${op}/${key.key_name}`, {
    method: 'PUT', headers: { 'X-Vault-Token': token }, body: JSON.stringify(body),
  });
  const json = (await res.json()) as { data?: Record<string, string>; errors?: string[] };
  if (!res.ok || !json.data) throw new Error(`transit ${op} with ${key.key_name} failed: ${json.errors?.[0] ?? res.status}`);
  return op === 'encrypt' ? (json.data.ciphertext as string) : (json.data.plaintext as string);
}

/** Encrypts a cleartext document into SOPS's format. */
export async function encryptDocument(doc: Record<string, unknown>, opts: EncryptOptions): Promise<Record<string, unknown>> {
  if (opts.vault.length === 0 && opts.age.length === 0) throw new Error('no key sources: give an hc_vault key or an age recipient');
  const dataKey = randomBytes(32);
  const selectors = opts.selectors ?? { unencrypted_suffix: '_unencrypted' };
  const { tree, mac } = encryptTree(doc, dataKey, selectors);
  const lastmodified = rfc3339(opts.now ?? new Date());
  const hcVault: HcVaultEntry[] = [];
  for (const key of opts.vault) {
    hcVault.push({ ...key, created_at: lastmodified, enc: await transit(key, opts.token, 'encrypt', { plaintext: dataKey.toString('base64') }) });
  }
  const age: AgeEntry[] = [];
  for (const recipient of opts.age) {
    const e = new Encrypter();
    e.addRecipient(recipient);
    age.push({ recipient, enc: armor.encode(await e.encrypt(dataKey)) });
  }
  const sops: Metadata = {
    ...(hcVault.length > 0 ? { hc_vault: hcVault } : {}),
    ...(age.length > 0 ? { age } : {}),
    lastmodified,
    mac: encryptLeaf(mac, dataKey, lastmodified, 'str'),
    ...selectors,
    version: SOPS_FORMAT_VERSION,
  };
  return { ...tree, sops };
}

/** The data key, from the first key source that opens it. */
async function dataKeyOf(meta: Metadata, opts: DecryptOptions): Promise<Buffer> {
  const problems: string[] = [];
  for (const entry of meta.hc_vault ?? []) {
    if (!opts.token) break;
    try {
      return Buffer.from(await transit(entry, opts.token, 'decrypt', { ciphertext: entry.enc }), 'base64');
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  for (const entry of meta.age ?? []) {
    if (!opts.ageIdentities?.length) break;
    try {
      const d = new Decrypter();
      for (const id of opts.ageIdentities) d.addIdentity(id);
      return Buffer.from(await d.decrypt(armor.decode(entry.enc)));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  throw new Error(`Error getting data key: 0 successful groups required, got 0${problems.length ? ` (${problems.join('; ')})` : ''}`);
}

/** Decrypts a SOPS document, checking its MAC as sops does. */
export async function decryptDocument(doc: Record<string, unknown>, opts: DecryptOptions): Promise<Record<string, unknown>> {
  const meta = doc.sops as Metadata | undefined;
  if (!meta || typeof meta !== 'object') throw new Error('sops metadata not found');
  const dataKey = await dataKeyOf(meta, opts);
  const { tree, mac } = decryptTree(doc, dataKey, meta);
  const stored = String(decryptLeaf(meta.mac, dataKey, meta.lastmodified));
  if (stored !== mac) throw new Error(`MAC mismatch. File has ${stored}, computed ${mac}`);
  return tree;
}
