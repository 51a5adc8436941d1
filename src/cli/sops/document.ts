// A SOPS document: the encrypted tree plus its `sops` metadata block (key sources, the MAC
// over the cleartext encrypted with the data key, lastmodified, selectors, version).
import { parseDocument, type Document } from 'yaml';
import { newDataKey, openDataKey, sealDataKey, type Credentials, type GroupEntries, type KeyGroup, type VaultKey } from './keys.js';
import { decryptTree, encryptTree, type Selectors } from './tree.js';
import { decryptLeaf, encryptLeaf } from './value-cipher.js';
import { transformYaml } from './yaml-tree.js';

export type { Credentials, KeyGroup, VaultKey } from './keys.js';

/** The sops version written into metadata (the on-disk format of sops 3.x). */
export const SOPS_FORMAT_VERSION = '3.9.0';

/** What encryption needs: key groups (usually one), who may call transit, which keys stay clear. */
export type EncryptOptions = {
  groups: KeyGroup[];
  token: string;
  shamirThreshold?: number;
  selectors?: Selectors;
  now?: Date;
};

/** The `sops` block as written. */
export type Metadata = Selectors & GroupEntries & {
  key_groups?: GroupEntries[];
  shamir_threshold?: number;
  lastmodified: string;
  mac: string;
  version: string;
};

/** sops writes times as RFC 3339 in UTC, to the second. */
const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

const DEFAULT_SELECTORS: Selectors = { unencrypted_suffix: '_unencrypted' };

/** Builds the metadata for a data key and a cleartext MAC. */
export async function metadataFor(dataKey: Buffer, mac: string, opts: EncryptOptions, selectors: Selectors): Promise<Metadata> {
  const lastmodified = rfc3339(opts.now ?? new Date());
  const threshold = opts.shamirThreshold ?? opts.groups.length;
  const sealed = await sealDataKey(dataKey, opts.groups, threshold, opts.token, lastmodified);
  // One group is written flat (hc_vault:, age:), several as key_groups with a threshold.
  const groups: Partial<Metadata> = sealed.length === 1 ? sealed[0] as GroupEntries : { key_groups: sealed, shamir_threshold: threshold };
  return { ...groups, lastmodified, mac: encryptLeaf(mac, dataKey, lastmodified, 'str'), ...selectors, version: SOPS_FORMAT_VERSION };
}

/** The data key of a file, from its metadata. */
export function dataKeyFor(meta: Metadata, creds: Credentials): Promise<Buffer> {
  const groups = meta.key_groups ?? [{ hc_vault: meta.hc_vault ?? undefined, age: meta.age ?? undefined }];
  return openDataKey(groups, meta.shamir_threshold ?? groups.length, creds);
}

function checkMac(meta: Metadata, dataKey: Buffer, computed: string): void {
  const stored = String(decryptLeaf(meta.mac, dataKey, meta.lastmodified));
  if (stored !== computed) throw new Error(`MAC mismatch. File has ${stored}, computed ${computed}`);
}

function metadataOf(doc: unknown): Metadata {
  const meta = (doc as { sops?: unknown } | null)?.sops;
  if (!meta || typeof meta !== 'object') throw new Error('sops metadata not found');
  return meta as Metadata;
}

/** Encrypts a cleartext document (a JSON value tree) into SOPS's format. */
export async function encryptDocument(doc: Record<string, unknown>, opts: EncryptOptions): Promise<Record<string, unknown>> {
  const selectors = opts.selectors ?? DEFAULT_SELECTORS;
  const dataKey = newDataKey();
  const { tree, mac } = encryptTree(doc, dataKey, selectors);
  return { ...tree, sops: await metadataFor(dataKey, mac, opts, selectors) };
}

/** Decrypts a SOPS document (a JSON value tree), checking its MAC as sops does. */
export async function decryptDocument(doc: Record<string, unknown>, creds: Credentials): Promise<Record<string, unknown>> {
  const meta = metadataOf(doc);
  const dataKey = await dataKeyFor(meta, creds);
  const { tree, mac } = decryptTree(doc, dataKey, meta);
  checkMac(meta, dataKey, mac);
  return tree;
}

/** Encrypts YAML text, keeping comments (encrypted) and key order. */
export async function encryptYaml(text: string, opts: EncryptOptions): Promise<string> {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`Error unmarshalling input YAML: ${doc.errors[0]?.message}`);
  const selectors = opts.selectors ?? DEFAULT_SELECTORS;
  const dataKey = newDataKey();
  const mac = transformYaml(doc, 'encrypt', dataKey, selectors);
  doc.set('sops', doc.createNode(await metadataFor(dataKey, mac, opts, selectors)));
  return doc.toString();
}

/** Decrypts SOPS YAML text, checking the MAC; comments and key order are kept. */
export async function decryptYaml(text: string, creds: Credentials): Promise<string> {
  const doc: Document = parseDocument(text);
  const meta = metadataOf(doc.toJS());
  const dataKey = await dataKeyFor(meta, creds);
  const mac = transformYaml(doc, 'decrypt', dataKey, meta);
  checkMac(meta, dataKey, mac);
  doc.delete('sops');
  return doc.toString();
}

/** The metadata and data key of YAML or JSON text, for rotate and updatekeys. */
export async function openText(text: string, yaml: boolean, creds: Credentials): Promise<{ clear: string; meta: Metadata }> {
  if (yaml) {
    const meta = metadataOf(parseDocument(text).toJS());
    return { clear: await decryptYaml(text, creds), meta };
  }
  const doc = JSON.parse(text) as Record<string, unknown>;
  return { clear: JSON.stringify(await decryptDocument(doc, creds)), meta: metadataOf(doc) };
}

/** The key groups a file's metadata names, to encrypt it again to the same keys. */
export function groupsOf(meta: Metadata): KeyGroup[] {
  const groups = meta.key_groups ?? [{ hc_vault: meta.hc_vault, age: meta.age }];
  return groups.map((g) => ({
    vault: (g.hc_vault ?? []).map(({ vault_address, engine_path, key_name }): VaultKey => ({ vault_address, engine_path, key_name })),
    age: (g.age ?? []).map((a) => a.recipient),
  }));
}

/** The selectors a file was encrypted with. */
export function selectorsOf(meta: Metadata): Selectors {
  const s: Selectors = {};
  for (const k of ['unencrypted_suffix', 'encrypted_suffix', 'unencrypted_regex', 'encrypted_regex'] as const) if (meta[k] !== undefined) s[k] = meta[k];
  return s;
}

/** Metadata re-sealed for new key groups, keeping the data key, MAC and selectors (updatekeys). */
export async function rekeyMetadata(meta: Metadata, dataKey: Buffer, opts: Pick<EncryptOptions, 'groups' | 'token' | 'shamirThreshold'>): Promise<Metadata> {
  const threshold = opts.shamirThreshold ?? opts.groups.length;
  const sealed = await sealDataKey(dataKey, opts.groups, threshold, opts.token, meta.lastmodified);
  const { hc_vault: _v, age: _a, key_groups: _g, shamir_threshold: _t, ...rest } = meta;
  const groups: Partial<Metadata> = sealed.length === 1 ? sealed[0] as GroupEntries : { key_groups: sealed, shamir_threshold: threshold };
  return { ...groups, ...rest };
}
