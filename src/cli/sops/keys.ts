// The data key of a SOPS file and the key sources that hold it: Lockbox transit (sops's
// hc_vault source, called as sops's Go client calls it) and age. With several key groups the
// data key is split with Shamir's scheme (shamir_threshold of them open it), one share per
// group, as sops does.
import { randomBytes } from 'node:crypto';
import { armor, Decrypter, Encrypter } from 'age-encryption';
import { combine, split } from 'shamir-secret-sharing';

/** A transit key as sops's hc_vault source names it. */
export type VaultKey = { vault_address: string; engine_path: string; key_name: string };

/** The keys of one group: any one of them opens the group's share. */
export type KeyGroup = { vault: VaultKey[]; age: string[] };

type HcVaultEntry = VaultKey & { created_at: string; enc: string };
type AgeEntry = { recipient: string; enc: string };

/** One group as it is written in metadata. */
export type GroupEntries = { hc_vault?: HcVaultEntry[]; age?: AgeEntry[] };

/** What decryption may use: a token for transit, or age identities. */
export type Credentials = { token?: string; ageIdentities?: string[] };

/** A new random data key (AES-256). */
export const newDataKey = (): Buffer => randomBytes(32);

async function transit(key: VaultKey, token: string, op: 'encrypt' | 'decrypt', body: Record<string, string>): Promise<string> {
  // As sops's client does: <address>/v1/<engine_path>/<op>/<key_name>, a JSON body, no content type.
  const res = await fetch(`${key.vault_address.replace(/\/+$/, '')}/v1/${key.engine_path}/${op}/${key.key_name}`, {
    method: 'PUT', headers: { 'X-Vault-Token': token }, body: JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as { data?: Record<string, string>; errors?: string[] };
  if (!res.ok || !json.data) throw new Error(`transit ${op} with ${key.key_name} failed: ${json.errors?.[0] ?? res.status}`);
  return op === 'encrypt' ? (json.data.ciphertext as string) : (json.data.plaintext as string);
}

/** Encrypts a share (or the whole data key) to every key of a group. */
async function sealGroup(share: Buffer, group: KeyGroup, token: string, createdAt: string): Promise<GroupEntries> {
  const out: GroupEntries = {};
  if (group.vault.length > 0) {
    out.hc_vault = [];
    for (const key of group.vault) {
      // The plaintext transit sees is the base64 of the key, as sops sends it.
      out.hc_vault.push({ ...key, created_at: createdAt, enc: await transit(key, token, 'encrypt', { plaintext: share.toString('base64') }) });
    }
  }
  if (group.age.length > 0) {
    out.age = [];
    for (const recipient of group.age) {
      const e = new Encrypter();
      e.addRecipient(recipient);
      out.age.push({ recipient, enc: armor.encode(await e.encrypt(share)) });
    }
  }
  return out;
}

/** Encrypts the data key to the groups; one group holds the key itself, several hold shares. */
export async function sealDataKey(dataKey: Buffer, groups: KeyGroup[], threshold: number, token: string, createdAt: string): Promise<GroupEntries[]> {
  if (groups.length === 0 || groups.every((g) => g.vault.length === 0 && g.age.length === 0)) {
    throw new Error('no key sources: give an hc_vault key or an age recipient');
  }
  if (groups.length === 1) return [await sealGroup(dataKey, groups[0] as KeyGroup, token, createdAt)];
  if (threshold < 2 || threshold > groups.length) throw new Error(`shamir_threshold must be between 2 and the number of key groups (${groups.length})`);
  const shares = await split(new Uint8Array(dataKey), groups.length, threshold);
  const out: GroupEntries[] = [];
  for (const [i, group] of groups.entries()) out.push(await sealGroup(Buffer.from(shares[i] as Uint8Array), group, token, createdAt));
  return out;
}

/** Opens a group's share with whatever credentials fit; undefined when none does. */
async function openGroup(group: GroupEntries, creds: Credentials, problems: string[]): Promise<Buffer | undefined> {
  for (const entry of group.hc_vault ?? []) {
    if (!creds.token) break;
    try {
      return Buffer.from(await transit(entry, creds.token, 'decrypt', { ciphertext: entry.enc }), 'base64');
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  for (const entry of group.age ?? []) {
    if (!creds.ageIdentities?.length) break;
    try {
      const d = new Decrypter();
      for (const id of creds.ageIdentities) d.addIdentity(id);
      return Buffer.from(await d.decrypt(armor.decode(entry.enc)));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return undefined;
}

/** Recovers the data key from `threshold` groups (all of one group when there is one). */
export async function openDataKey(groups: GroupEntries[], threshold: number, creds: Credentials): Promise<Buffer> {
  const needed = groups.length === 1 ? 1 : threshold;
  const problems: string[] = [];
  const shares: Buffer[] = [];
  for (const group of groups) {
    const share = await openGroup(group, creds, problems);
    if (share) shares.push(share);
    if (shares.length === needed) break;
  }
  if (shares.length < needed) {
    throw new Error(`Error getting data key: ${needed} successful groups required, got ${shares.length}${problems.length ? ` (${problems.join('; ')})` : ''}`);
  }
  if (groups.length === 1) return shares[0] as Buffer;
  return Buffer.from(await combine(shares.map((s) => new Uint8Array(s))));
}
