// random(/:source)(/:bytes) and hash(/:algorithm): no key involved.
import { createHash, randomBytes } from 'node:crypto';
import { BadRequest } from '../../../util/errors.js';
import { definePath, field, type PathDef } from '../../../core/path.js';
import { decodeBase64 } from '../encoding.js';
import { digestName } from '../hashes.js';

const MAX_RANDOM_BYTES = 128 * 1024;

/** Encodes output bytes as `format` asks (hex or base64). */
export function encodeAs(bytes: Buffer, format: string): string {
  if (format === 'hex') return bytes.toString('hex');
  if (format === 'base64') return bytes.toString('base64');
  throw new BadRequest(`unsupported encoding format ${format}; must be "hex" or "base64"`);
}

const randomFields = {
  urlbytes: field.string({ description: 'Number of bytes, from the URL.' }),
  bytes: field.int({ description: 'Number of bytes to return.', default: 32 }),
  format: field.string({ description: 'hex or base64.', default: 'base64' }),
  source: field.string({ description: 'platform, seal or all: where the randomness comes from.', default: 'platform' }),
};

function randomHandler() {
  return async ({ fields }: { fields: { urlbytes: string; bytes: number; format: string; source: string } }) => {
    let n = fields.bytes;
    if (fields.urlbytes !== '') {
      if (!/^\d+$/.test(fields.urlbytes)) throw new BadRequest(`error parsing byte count as integer: ${fields.urlbytes}`);
      n = Number(fields.urlbytes);
    }
    if (!['platform', 'seal', 'all'].includes(fields.source)) throw new BadRequest(`unsupported entropy source ${fields.source}; must be "platform", "seal", or "all"`);
    if (n < 1) throw new BadRequest('missing bytes');
    if (n > MAX_RANDOM_BYTES) throw new BadRequest(`number of bytes requested may be no greater than ${MAX_RANDOM_BYTES}`);
    // Every source is the platform's CSPRNG here: the Shamir seal has no entropy source of its own.
    return { data: { random_bytes: encodeAs(randomBytes(n), fields.format) } };
  };
}

/** random, random/:urlbytes, random/:source, random/:source/:urlbytes */
export const randomPaths: PathDef[] = [
  definePath({ pattern: 'random', summary: 'Random bytes.', fields: randomFields, operations: { update: randomHandler() } }),
  definePath({ pattern: 'random/:urlbytes', summary: 'Random bytes; the count in the URL.', fields: randomFields, operations: { update: async (ctx) => {
    // One segment is either a source name or a byte count, as in Vault.
    const f = ctx.fields;
    if (['platform', 'seal', 'all'].includes(f.urlbytes)) return randomHandler()({ fields: { ...f, source: f.urlbytes, urlbytes: '' } });
    return randomHandler()({ fields: f });
  } } }),
  definePath({ pattern: 'random/:source/:urlbytes', summary: 'Random bytes from a source; the count in the URL.', fields: randomFields, operations: { update: randomHandler() } }),
];

const hashFields = {
  urlalgorithm: field.string({ description: 'Algorithm, from the URL.' }),
  algorithm: field.string({ description: 'sha2-224/256/384/512 or sha3-224/256/384/512.', default: 'sha2-256' }),
  input: field.string({ description: 'Base64 input.', sensitive: true }),
  format: field.string({ description: 'hex or base64.', default: 'hex' }),
};

async function hashHandler({ fields }: { fields: { urlalgorithm: string; algorithm: string; input: string; format: string } }) {
  const input = decodeBase64Input(fields.input);
  if (fields.format !== 'hex' && fields.format !== 'base64') throw new BadRequest(`unsupported encoding format ${fields.format}; must be "hex" or "base64"`);
  const algorithm = fields.urlalgorithm || fields.algorithm;
  const sum = createHash(digestName(algorithm)).update(input).digest();
  return { data: { sum: encodeAs(sum, fields.format) } };
}

function decodeBase64Input(text: string): Buffer {
  try {
    return decodeBase64(text);
  } catch (err) {
    throw new BadRequest(`unable to decode input as base64: ${(err as Error).message}`);
  }
}

/** hash and hash/:urlalgorithm */
export const hashPaths: PathDef[] = [
  definePath({ pattern: 'hash', summary: 'Hash base64 input.', fields: hashFields, operations: { update: hashHandler } }),
  definePath({ pattern: 'hash/:urlalgorithm', summary: 'Hash base64 input with the algorithm in the URL.', fields: hashFields, operations: { update: hashHandler } }),
];
