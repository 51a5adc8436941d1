// The four file formats sops reads and writes: YAML (comments and order kept), JSON (tab
// indented, as sops writes it), dotenv (metadata flattened into sops_… keys) and binary (the
// whole file as one encrypted `data` value in a JSON document).
import { createHash } from 'node:crypto';
import { dataKeyFor, decryptDocument, decryptYaml, encryptDocument, encryptYaml, metadataFor, type EncryptOptions, type Metadata } from './document.js';
import { newDataKey, type Credentials } from './keys.js';
import { parseDocument } from 'yaml';
import { decryptLeafBytes, encryptLeaf } from './value-cipher.js';

/** A file format sops knows. */
export type Format = 'yaml' | 'json' | 'dotenv' | 'binary';

/** The format of a file from its name, as sops guesses it. */
export function formatOf(file: string): Format {
  if (/\.ya?ml$/i.test(file)) return 'yaml';
  if (/\.json$/i.test(file)) return 'json';
  if (/\.env$/i.test(file) || /(^|\/)\.env(\.|$)/.test(file)) return 'dotenv';
  return 'binary';
}

const asJson = (doc: unknown): string => `${JSON.stringify(doc, null, '\t')}\n`;

function jsonMap(text: string): Record<string, unknown> {
  const doc: unknown = JSON.parse(text);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('the document must be a map');
  return doc as Record<string, unknown>;
}

// dotenv: KEY=VALUE lines; sops keeps its metadata as flattened keys (sops_mac=…,
// sops_hc_vault__list_0__map_enc=…) and writes newlines in values as \n.
function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 1) throw new Error(`invalid dotenv line: ${line.slice(0, 20)}`);
    out[line.slice(0, eq)] = line.slice(eq + 1).replace(/\\n/g, '\n');
  }
  return out;
}

const writeDotenv = (doc: Record<string, unknown>): string =>
  Object.entries(doc).map(([k, v]) => `${k}=${String(v).replace(/\n/g, '\\n')}\n`).join('');

function flatten(value: unknown, prefix: string, out: Record<string, string>): void {
  if (Array.isArray(value)) value.forEach((v, i) => flatten(v, `${prefix}__list_${i}`, out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) flatten(v, prefix === '' ? k : `${prefix}__map_${k}`, out);
  else if (value !== undefined && value !== null) out[prefix] = String(value);
}

function unflatten(flat: Record<string, string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split(/__(?=list_|map_)/);
    let node: any = root;
    let name: string | number = parts[0] as string;
    for (const part of parts.slice(1)) {
      const isList = part.startsWith('list_');
      node[name] ??= isList ? [] : {};
      node = node[name];
      name = isList ? Number(part.slice('list_'.length)) : part.slice('map_'.length);
    }
    node[name] = /^\d+$/.test(value) && name === 'shamir_threshold' ? Number(value) : value;
  }
  return root;
}

/** Encrypts a file's bytes in the given format. */
export async function encryptFile(input: Buffer, format: Format, opts: EncryptOptions): Promise<Buffer> {
  const text = input.toString('utf8');
  if (format === 'yaml') return Buffer.from(await encryptYaml(text, opts));
  if (format === 'json') return Buffer.from(asJson(await encryptDocument(jsonMap(text), opts)));
  if (format === 'dotenv') {
    const { sops, ...values } = await encryptDocument(parseDotenv(text), opts);
    return withMetadata(Buffer.from(writeDotenv(values)), 'dotenv', sops as Metadata);
  }
  // Binary: the bytes as one value under "data", with path "data:" as associated data.
  const dataKey = newDataKey();
  const mac = createHash('sha512').update(input).digest('hex').toUpperCase();
  const sops = await metadataFor(dataKey, mac, opts, opts.selectors ?? { unencrypted_suffix: '_unencrypted' });
  return Buffer.from(asJson({ data: encryptLeaf(input, dataKey, 'data:'), sops }));
}

/** The metadata block of an encrypted file. */
export function metadataOfFile(input: Buffer, format: Format): Metadata {
  const text = input.toString('utf8');
  if (format === 'yaml') return (parseDocument(text).toJS() as { sops: Metadata }).sops;
  if (format === 'dotenv') {
    const flat = Object.fromEntries(Object.entries(parseDotenv(text)).filter(([k]) => k.startsWith('sops_')).map(([k, v]) => [k.slice(5), v]));
    return unflatten(flat) as Metadata;
  }
  return (JSON.parse(text) as { sops: Metadata }).sops;
}

/** Decrypts a file's bytes in the given format, checking the MAC. */
export async function decryptFile(input: Buffer, format: Format, creds: Credentials): Promise<Buffer> {
  const text = input.toString('utf8');
  if (format === 'yaml') return Buffer.from(await decryptYaml(text, creds));
  if (format === 'json') return Buffer.from(asJson(await decryptDocument(jsonMap(text), creds)));
  if (format === 'dotenv') {
    const all = parseDotenv(text);
    const values = Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith('sops_')));
    return Buffer.from(writeDotenv(await decryptDocument({ ...values, sops: metadataOfFile(input, format) }, creds)));
  }
  const doc = JSON.parse(text) as { data: string; sops: Metadata };
  const dataKey = await dataKeyFor(doc.sops, creds);
  const { bytes } = decryptLeafBytes(doc.data, dataKey, 'data:');
  const mac = createHash('sha512').update(bytes).digest('hex').toUpperCase();
  const stored = decryptLeafBytes(doc.sops.mac, dataKey, doc.sops.lastmodified).bytes.toString('utf8');
  if (stored !== mac) throw new Error(`MAC mismatch. File has ${stored}, computed ${mac}`);
  return bytes;
}

/** The same file with its metadata replaced (updatekeys): values are left as they are. */
export function withMetadata(input: Buffer, format: Format, meta: Metadata): Buffer {
  const text = input.toString('utf8');
  if (format === 'yaml') {
    const doc = parseDocument(text);
    doc.set('sops', doc.createNode(meta));
    return Buffer.from(doc.toString());
  }
  if (format === 'dotenv') {
    const values = Object.fromEntries(Object.entries(parseDotenv(text)).filter(([k]) => !k.startsWith('sops_')));
    const flat: Record<string, string> = {};
    flatten(meta, '', flat);
    return Buffer.from(writeDotenv({ ...values, ...Object.fromEntries(Object.entries(flat).map(([k, v]) => [`sops_${k}`, v])) }));
  }
  return Buffer.from(asJson({ ...(JSON.parse(text) as Record<string, unknown>), sops: meta }));
}
