// SOPS's value encryption: AES-256-GCM with a 32-byte IV, the tree path as associated data,
// written as ENC[AES256_GCM,data:…,iv:…,tag:…,type:…].
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A leaf value of a SOPS tree. */
export type Leaf = string | number | boolean;

const ENC = /^ENC\[AES256_GCM,data:([A-Za-z0-9+/=]*),iv:([A-Za-z0-9+/=]+),tag:([A-Za-z0-9+/=]+),type:(str|int|float|bool|bytes|comment)\]$/;

/** The bytes sops encrypts and MACs for a leaf (Go's strconv forms). */
export function leafBytes(value: Leaf): Buffer {
  if (typeof value === 'boolean') return Buffer.from(value ? 'true' : 'false');
  return Buffer.from(String(value));
}

const typeOf = (value: Leaf): string =>
  typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? (Number.isInteger(value) ? 'int' : 'float') : 'str';

/** Encrypts one leaf under the data key; `aad` is the path joined with ":" plus a final ":". */
export function encryptLeaf(value: Leaf, dataKey: Buffer, aad: string, type = typeOf(value)): string {
  const iv = randomBytes(32);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(Buffer.from(aad));
  const data = Buffer.concat([cipher.update(leafBytes(value)), cipher.final()]);
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${cipher.getAuthTag().toString('base64')},type:${type}]`;
}

/** True for a string in SOPS's encrypted-value form. */
export const isEncrypted = (text: unknown): text is string => typeof text === 'string' && ENC.test(text);

/** Decrypts one ENC[…] value back to its typed leaf; throws sops's error on a bad tag. */
export function decryptLeaf(text: string, dataKey: Buffer, aad: string): Leaf {
  const m = ENC.exec(text);
  if (!m) throw new Error('Input string is not a sops encrypted value');
  const [, data, iv, tag, type] = m as unknown as [string, string, string, string, string];
  let plain: string;
  try {
    const d = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(iv, 'base64'));
    d.setAAD(Buffer.from(aad));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    plain = Buffer.concat([d.update(Buffer.from(data, 'base64')), d.final()]).toString('utf8');
  } catch {
    throw new Error('Could not decrypt with AES_GCM: cipher: message authentication failed');
  }
  if (type === 'int' || type === 'float') return Number(plain);
  if (type === 'bool') return plain.toLowerCase() === 'true';
  return plain;
}
