// hmac/:name(/:algorithm): HMACs under a key version's HMAC key, framed vault:v<N>:.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { BadRequest } from '../../../util/errors.js';
import { definePath, field, type PathDef } from '../../../core/path.js';
import { itemString, singleOrBatch, type BatchItem, type Ctx } from '../batch.js';
import { decodeBase64, frame } from '../encoding.js';
import { digestName } from '../hashes.js';
import { requireKey } from '../keyring.js';
import type { KeyPolicy } from '../policy.js';

/** The HMAC key of a version, with Vault's messages. */
export function hmacKeyOf(p: KeyPolicy, version: number): Buffer {
  if (version < 0) throw new BadRequest('key version does not exist (cannot be negative)');
  if (version > p.latest_version) throw new BadRequest(`key version does not exist; latest key version is ${p.latest_version}`);
  const entry = p.keys[String(version)];
  if (!entry) throw new BadRequest('no such key version');
  return Buffer.from(entry.hmac_key, 'base64');
}

/** Decodes an item's base64 `input`, with Vault's message. */
export function inputOf(item: BatchItem, i: number, missing: string): Buffer {
  if (item.input === undefined || item.input === null) throw new BadRequest(missing);
  try {
    return decodeBase64(itemString(item, 'input', i));
  } catch (err) {
    throw new BadRequest(`unable to decode input as base64: ${(err as Error).message}`);
  }
}

const hmacFields = {
  name: field.name({ description: 'Name of the key.' }),
  urlalgorithm: field.string({ description: 'Algorithm, from the URL.' }),
  algorithm: field.string({ description: 'sha2-224/256/384/512 or sha3-224/256/384/512.', default: 'sha2-256' }),
  input: field.string({ description: 'Base64 input.', sensitive: true }),
  key_version: field.int({ description: 'Key version; 0 = latest.' }),
  batch_input: field.any({ description: 'List of {input} items.' }),
};

async function hmacWrite(ctx: Ctx) {
  const f = ctx.fields;
  const p = await requireKey(ctx.storage, ctx.mount.uuid, f.name as string, ctx.clock.now());
  let version = f.key_version as number;
  if (version === 0) version = p.latest_version;
  else if (version !== p.latest_version && p.min_encryption_version > 0 && version < p.min_encryption_version) {
    throw new BadRequest('cannot generate HMAC: version is too old (disallowed by policy)');
  }
  const key = hmacKeyOf(p, version);
  const algorithm = digestName((f.urlalgorithm as string) || (f.algorithm as string));
  if (!ctx.sent.has('batch_input') && !ctx.sent.has('input')) throw new BadRequest('missing input for HMAC');
  const one = (item: BatchItem, i: number) => {
    const input = inputOf(item, i, 'missing input for HMAC');
    return { hmac: frame(version, createHmac(algorithm, key).update(input).digest('base64')) };
  };
  // Vault answers an hmac batch with 200 even when every item failed.
  return singleOrBatch(ctx, ['input'], one, { alwaysOk: true });
}

/** Verifies one framed HMAC against the input; false for a mismatch, an error for bad framing. */
export function verifyHmac(p: KeyPolicy, algorithm: string, input: Buffer, framed: string): boolean {
  if (!framed.startsWith('vault:v')) throw new BadRequest('invalid HMAC to verify: no prefix');
  const rest = framed.slice('vault:v'.length);
  const colon = rest.indexOf(':');
  if (colon === -1) throw new BadRequest('invalid HMAC: wrong number of fields');
  const digits = rest.slice(0, colon);
  if (!/^[+-]?\d+$/.test(digits)) throw new BadRequest('invalid HMAC: version number could not be decoded');
  let given: Buffer;
  try {
    given = decodeBase64(rest.slice(colon + 1));
  } catch (err) {
    throw new BadRequest(`unable to decode verification HMAC as base64: ${(err as Error).message}`);
  }
  const version = Number(digits);
  if (version > p.latest_version) throw new BadRequest('invalid HMAC: version is too new');
  if (p.min_decryption_version > 0 && version < p.min_decryption_version) {
    throw new BadRequest('cannot verify HMAC: version is too old (disallowed by policy)');
  }
  const expected = createHmac(algorithm, hmacKeyOf(p, version)).update(input).digest();
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** hmac/:name and hmac/:name/:urlalgorithm */
export const hmacPaths: PathDef[] = ['hmac/:name', 'hmac/:name/:urlalgorithm'].map((pattern) =>
  definePath({
    pattern,
    summary: 'HMAC base64 input with a named key.',
    fields: hmacFields,
    operations: { update: (ctx) => hmacWrite(ctx as unknown as Ctx) },
  }),
);
