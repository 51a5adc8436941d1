// SOPS's value encryption: AES-256-GCM with a 32-byte IV, the tree path as associated data,
// written as ENC[AES256_GCM,data:…,iv:…,tag:…,type:…].
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A leaf value of a SOPS tree. */
export type Leaf = string | number | boolean;

const ENC = /^ENC\[AES256_GCM,data:([A-Za-z0-9+/=]*),iv:([A-Za-z0-9+/=]+),tag:([A-Za-z0-9+/=]+),type:(str|int|float|bool|bytes|comment)\]$/;

/** The bytes sops encrypts and MACs for a leaf (Go's strconv forms). */
export function leafBytes(value: Leaf | Buffer): Buffer {
  if (Buffer.isBuffer(value)) return value;
  // sops writes booleans as Go's title-case words.
  if (typeof value === 'boolean') return Buffer.from(value ? 'True' : 'False');
  return Buffer.from(String(value));
}

const typeOf = (value: Leaf | Buffer): string =>
  Buffer.isBuffer(value) ? 'str' : typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? (Number.isInteger(value) ? 'int' : 'float') : 'str';

/** Encrypts one leaf under the data key; `aad` is the path joined with ":" plus a final ":". */
export function encryptLeaf(value: Leaf | Buffer, dataKey: Buffer, aad: string, type = typeOf(value)): string {
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
  const { bytes, type } = decryptLeafBytes(text, dataKey, aad);
  const plain = bytes.toString('utf8');
  if (type === 'int' || type === 'float') return Number(plain);
  if (type === 'bool') return plain.toLowerCase() === 'true';
  return plain;
}

/** Decrypts one ENC[…] value to its raw bytes and declared type (binary files need the bytes). */
export function decryptLeafBytes(text: string, dataKey: Buffer, aad: string): { bytes: Buffer; type: string } {
  const m = ENC.exec(text);
  if (!m) throw new Error('Input string is not a sops encrypted value');
  const [, data, iv, tag, type] = m as unknown as [string, string, string, string, string];
  try {
    const d = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(iv, 'base64'));
    d.setAAD(Buffer.from(aad));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    return { bytes: Buffer.concat([d.update(Buffer.from(data, 'base64')), d.final()]), type };
  } catch {
    throw new Error('Could not decrypt with AES_GCM: cipher: message authentication failed');
  }
}
