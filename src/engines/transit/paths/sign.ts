// sign/:name(/:algorithm) and verify/:name(/:algorithm); verify also checks HMACs.
import { BadRequest } from '../../../util/errors.js';
import { definePath, field, type PathDef } from '../../../core/path.js';
import { batchItems, itemInt, itemString, singleOrBatch, type BatchItem, type Ctx } from '../batch.js';
import { decodeContext } from '../format.js';
import { checkSigningHash, digestName } from '../hashes.js';
import { capabilitiesOf } from '../key-types.js';
import { requireKey } from '../keyring.js';
import type { KeyPolicy } from '../policy.js';
import { signInput, verifyInput, type SignOptions } from '../signing.js';
import { inputOf, verifyHmac } from './hmac.js';

const signFields = {
  name: field.name({ description: 'Name of the key.' }),
  urlalgorithm: field.string({ description: 'Hash algorithm, from the URL.' }),
  hash_algorithm: field.string({ description: 'Hash of the input for ECDSA and RSA keys.', default: 'sha2-256' }),
  algorithm: field.string({ description: 'Deprecated name of hash_algorithm.' }),
  input: field.string({ description: 'Base64 input.', sensitive: true }),
  context: field.string({ description: 'Base64 context for a derived Ed25519 key.' }),
  key_version: field.int({ description: 'Key version to sign with; 0 = latest.' }),
  prehashed: field.bool({ description: 'The input is already a digest.' }),
  signature_algorithm: field.string({ description: 'RSA: pss or pkcs1v15.', default: 'pss' }),
  marshaling_algorithm: field.string({ description: 'ECDSA: asn1 or jws.', default: 'asn1' }),
  salt_length: field.string({ description: 'RSA-PSS salt length: auto, hash or a number of bytes.', default: 'auto' }),
  batch_input: field.any({ description: 'List of {input, context} items.' }),
};

const verifyFields = {
  ...signFields,
  signature: field.string({ description: 'Signature to verify, as sign returned it.' }),
  hmac: field.string({ description: 'HMAC to verify, as hmac returned it.' }),
};

function hashOf(f: Record<string, unknown>): string {
  if (f.urlalgorithm) return f.urlalgorithm as string;
  // Vault: the deprecated `algorithm` counts only when hash_algorithm is absent.
  return (f.algorithm as string) && f.hash_algorithm === 'sha2-256' ? (f.algorithm as string) : (f.hash_algorithm as string);
}

function optionsOf(f: Record<string, unknown>, item: BatchItem, i: number): SignOptions {
  const decoded = decodeContext(itemString(item, 'context', i));
  return {
    hashAlgorithm: hashOf(f), signatureAlgorithm: f.signature_algorithm as string,
    marshaling: f.marshaling_algorithm as string, prehashed: f.prehashed as boolean,
    saltLength: f.salt_length as string, context: decoded,
  };
}

/**
 * The request-wide checks Vault makes before it looks at any item: the hash and marshaling
 * names, then the key (with the operation's own "not found" text) and whether it signs.
 * A failure here is the request's 400, not an item's error.
 */
async function signingKey(ctx: Ctx, missing: string, verb: string): Promise<KeyPolicy> {
  const f = ctx.fields;
  checkSigningHash(hashOf(f));
  if (f.marshaling_algorithm !== 'asn1' && f.marshaling_algorithm !== 'jws') {
    throw new BadRequest(`invalid marshaling type ${JSON.stringify(f.marshaling_algorithm)}`);
  }
  const p = await requireKey(ctx.storage, ctx.mount.uuid, f.name as string, ctx.clock.now(), missing);
  if (!capabilitiesOf(p.type).signing) throw new BadRequest(`key type ${p.type} does not support ${verb}`);
  return p;
}

async function signWrite(ctx: Ctx) {
  const f = ctx.fields;
  const p = await signingKey(ctx, 'signing key not found', 'signing');
  const one = (item: BatchItem, i: number) =>
    signInput(p, itemInt(item, 'key_version', i) || (f.key_version as number), inputOf(item, i, 'missing input'), optionsOf(f, item, i));
  // Vault's sign items keep `key_version` (0) when they fail.
  const res = await singleOrBatch(ctx, ['input', 'context', 'key_version'], one, { blank: { key_version: 0 }, alwaysOk: true });
  // Vault names a derived Ed25519 key's public key `public_key` in a single answer and
  // `publickey` in batch items.
  const data = res.data as Record<string, unknown>;
  if (data.publickey !== undefined) {
    data.public_key = data.publickey;
    delete data.publickey;
  }
  return res;
}

// Vault tells the kinds apart by which keys an item has, whatever their values: an empty or
// null `signature` still makes a signature item, whose value is then refused on its own.
const present = (item: BatchItem, name: string): boolean => Object.hasOwn(item, name) && item[name] !== undefined;

/**
 * What verify checks, by Vault's rule: an item is a signature item when it has `signature`,
 * else an HMAC item when it has `hmac`; a batch must not mix them nor leave any item without
 * one. Vault's texts name `cmac` too (an Enterprise kind Lockbox does not have).
 */
function verifyMode(items: BatchItem[], batch: boolean): 'signature' | 'hmac' {
  let sig = false;
  let mac = false;
  let missing = false;
  for (const item of items) {
    if (present(item, 'signature')) sig = true;
    else if (present(item, 'hmac')) mac = true;
    else missing = true;
  }
  if (!batch && !sig && !mac) throw new BadRequest("missing 'signature', 'hmac' or 'cmac' were given to verify");
  if (sig && mac) throw new BadRequest("elements of batch_input must all provide either 'signature', 'hmac' or 'cmac'");
  if (missing && (sig || mac)) throw new BadRequest(`some elements of batch_input are missing '${sig ? 'signature' : 'hmac'}'`);
  if (!sig && !mac) throw new BadRequest("no batch_input elements have 'signature', 'hmac' or 'cmac'");
  return mac ? 'hmac' : 'signature';
}

async function verifyWrite(ctx: Ctx) {
  const f = ctx.fields;
  const batch = batchItems(f.batch_input);
  // A single request counts the fields it sent, empty ones too (Vault asks whether the field
  // was given, not whether it is blank); a field left to its default is not a signature.
  const single: BatchItem = Object.fromEntries(['signature', 'hmac'].filter((n) => ctx.sent.has(n)).map((n) => [n, f[n]]));
  const hmacMode = verifyMode(batch ?? [single], batch !== undefined) === 'hmac';
  // Any key verifies an HMAC; a signature needs a signing key (Vault's texts for verify).
  const p = hmacMode
    ? await requireKey(ctx.storage, ctx.mount.uuid, f.name as string, ctx.clock.now())
    : await signingKey(ctx, 'signature verification key not found', 'verification');
  const one = (item: BatchItem, i: number) => verifyOne(p, f, item, i, hmacMode);
  // Vault's signature items keep `valid` (false) when they fail; its HMAC items omit a false
  // `valid` altogether (a single answer still says false).
  const res = await singleOrBatch(ctx, ['input', 'signature', 'hmac', 'context'], one, { blank: hmacMode ? {} : { valid: false }, alwaysOk: true });
  if (hmacMode && batch) {
    for (const r of (res.data as { batch_results: Array<Record<string, unknown>> }).batch_results) if (r.valid === false) delete r.valid;
  }
  return res;
}

function verifyOne(p: KeyPolicy, f: Record<string, unknown>, item: BatchItem, i: number, hmacMode: boolean) {
  const input = inputOf(item, i, 'missing input');
  if (hmacMode) {
    // A null hmac reads as empty and fails on its framing ("no prefix"), as in Vault.
    return { valid: verifyHmac(p, digestName(hashOf(f)), input, itemString(item, 'hmac', i)) };
  }
  // Vault's signature item is "missing" when its value is not a string (null included); an
  // empty string goes on to the framing check like any other malformed signature.
  const framed = item.signature;
  if (typeof framed !== 'string') throw new BadRequest('missing signature');
  return { valid: verifyInput(p, input, framed, optionsOf(f, item, i)) };
}

/** sign/:name and sign/:name/:urlalgorithm */
export const signPaths: PathDef[] = ['sign/:name', 'sign/:name/:urlalgorithm'].map((pattern) =>
  definePath({ pattern, summary: 'Sign base64 input with a named key.', fields: signFields, operations: { update: (ctx) => signWrite(ctx as unknown as Ctx) } }),
);

/** verify/:name and verify/:name/:urlalgorithm */
export const verifyPaths: PathDef[] = ['verify/:name', 'verify/:name/:urlalgorithm'].map((pattern) =>
  definePath({ pattern, summary: 'Verify a signature or HMAC made with a named key.', fields: verifyFields, operations: { update: (ctx) => verifyWrite(ctx as unknown as Ctx) } }),
);
