// encrypt/:name, decrypt/:name and rewrap/:name, single or batch.
import { BadRequest } from '../../../util/errors.js';
import { definePath, field } from '../../../core/path.js';
import { batchItems, itemInt, itemString, singleItem, singleOrBatch, type BatchItem, type BatchShape, type Ctx } from '../batch.js';
import { decodeBase64 } from '../encoding.js';
import { capabilitiesOf } from '../key-types.js';
import { keysConfig, loadKey, requireKey, saveKey, withKeyLock } from '../keyring.js';
import type { KeyPolicy } from '../policy.js';
import { decrypt, encrypt, type CipherOptions } from '../symmetric.js';
import { newPolicy, parseKeyType } from './keys.js';

const common = {
  name: field.name({ description: 'Name of the key.' }),
  context: field.string({ description: 'Base64 context for a derived key.' }),
  nonce: field.string({ description: 'Base64 nonce: only for convergent keys of the oldest scheme.' }),
  associated_data: field.string({ description: 'Base64 associated data, authenticated but not encrypted (AEAD keys).' }),
  batch_input: field.any({ description: 'List of items to process in one request.' }),
  partial_failure_response_code: field.int({ description: 'Status to answer when only some batch items fail.' }),
};

const { partial_failure_response_code: _partial, ...withoutPartialFailureCode } = common;

/** Vault refuses associated data on an RSA key per item, naming the item. */
function checkAssociatedData(p: KeyPolicy, item: BatchItem, i: number): void {
  if (itemString(item, 'associated_data', i) !== '' && !capabilitiesOf(p.type).aead) {
    throw new BadRequest(`'[${i}].associated_data' provided for non-AEAD cipher suite ${p.type}`);
  }
}

/** Decodes an item's optional base64 options. */
function optionsOf(item: BatchItem, i: number): CipherOptions {
  const opt = (name: string) => {
    const text = itemString(item, name, i);
    return text === '' ? undefined : decodeBase64(text);
  };
  return { context: opt('context'), nonce: opt('nonce'), associatedData: opt('associated_data') };
}

/** encrypt/:name */
export const encryptPath = definePath({
  pattern: 'encrypt/:name',
  summary: 'Encrypt base64 plaintext with a named key; with `create` permission a missing key is made.',
  fields: {
    ...common,
    plaintext: field.string({ description: 'Base64 plaintext.', sensitive: true }),
    key_version: field.int({ description: 'Key version to use; 0 = latest.' }),
    type: field.string({ description: 'Type of the key to create on upsert.', default: 'aes256-gcm96' }),
    convergent_encryption: field.bool({ description: 'Whether a key created on upsert is convergent.' }),
  },
  exists: async ({ storage, mount, fields }) => (await loadKey(storage, mount.uuid, fields.name)) !== undefined,
  operations: {
    create: (ctx) => encryptWrite(ctx as unknown as Ctx, true),
    update: (ctx) => encryptWrite(ctx as unknown as Ctx, false),
  },
});

async function encryptWrite(ctx: Ctx, upsert: boolean) {
  const f = ctx.fields;
  const names = ['plaintext', 'context', 'nonce', 'key_version', 'associated_data'];
  const batch = batchItems(f.batch_input);
  if (!batch && !ctx.sent.has('plaintext')) throw new BadRequest('missing plaintext to encrypt');
  const contextSet = checkContextsAlike(batch ?? [singleItem(f, names)]);
  const p = upsert ? await upsertKey(ctx, contextSet) : await requireKey(ctx.storage, ctx.mount.uuid, f.name as string, ctx.clock.now());
  const one = (item: BatchItem, i: number) => {
    const plaintext = decodeBase64(itemString(item, 'plaintext', i));
    checkAssociatedData(p, item, i);
    const { ciphertext, version } = encrypt(p, itemInt(item, 'key_version', i), plaintext, optionsOf(item, i));
    return { ciphertext, key_version: version };
  };
  return singleOrBatch(ctx, names, one);
}

const UPSERT_TYPES = ['aes128-gcm96', 'aes256-gcm96', 'chacha20-poly1305', 'rsa-2048', 'rsa-3072', 'rsa-4096'];

async function upsertKey(ctx: Ctx, derived: boolean): Promise<KeyPolicy> {
  const f = ctx.fields;
  const convergent = f.convergent_encryption as boolean;
  if (convergent && !derived) throw new BadRequest('convergent encryption requires derivation to be enabled, so context is required');
  // Vault upserts the encryption types (RSA included), refuses ECDSA by name, and calls any
  // other type (ed25519, hmac) unknown here.
  const text = f.type as string;
  if (/^ecdsa-p(256|384|521)$/.test(text)) throw new BadRequest(`key type ${text} not supported for this operation`);
  if (!UPSERT_TYPES.includes(text)) throw new BadRequest(`unknown key type ${text}`);
  // config/keys disable_upsert: a missing key is "not found", as without create capability.
  if ((await keysConfig(ctx.storage)).disable_upsert) return requireKey(ctx.storage, ctx.mount.uuid, f.name as string, ctx.clock.now());
  const type = parseKeyType(text);
  if (derived && !capabilitiesOf(type).derivation) throw new BadRequest(`key derivation and convergent encryption not supported for keys of type ${type}`);
  const name = f.name as string;
  return withKeyLock(ctx.mount.uuid, name, async () => {
    const existing = await loadKey(ctx.storage, ctx.mount.uuid, name);
    if (existing) return existing;
    const p = await newPolicy({ name, type, derived, convergent, exportable: false, allowPlaintextBackup: false, autoRotatePeriod: 0, keySize: 0 }, ctx.clock.now());
    await saveKey(ctx.storage, ctx.mount.uuid, p);
    return p;
  });
}

/**
 * Vault's rule for encrypt, decrypt and rewrap: `context` in every item or in none (the whole
 * request is refused otherwise). Returns whether it is set.
 */
function checkContextsAlike(items: BatchItem[]): boolean {
  const contextSet = itemString(items[0] as BatchItem, 'context', 0) !== '';
  items.forEach((item, i) => {
    if ((itemString(item, 'context', i) !== '') !== contextSet) throw new BadRequest('context should be set either in all the request blocks or in none');
  });
  return contextSet;
}

/** Runs a ciphertext-consuming operation (decrypt, rewrap) on one item or a batch. */
async function withCiphertexts(
  c: Ctx, names: string[], op: (p: KeyPolicy, item: BatchItem, i: number) => Record<string, unknown>, shape: BatchShape,
) {
  const batch = batchItems(c.fields.batch_input);
  if (!batch && c.fields.ciphertext === '') throw new BadRequest('missing ciphertext to decrypt');
  checkContextsAlike(batch ?? [singleItem(c.fields, names)]);
  const p = await requireKey(c.storage, c.mount.uuid, c.fields.name as string, c.clock.now());
  return singleOrBatch(c, names, (item, i) => {
    if (itemString(item, 'ciphertext', i) === '') throw new BadRequest('missing ciphertext to decrypt');
    return op(p, item, i);
  }, shape);
}

/** decrypt/:name */
export const decryptPath = definePath({
  pattern: 'decrypt/:name',
  summary: 'Decrypt a vault:v<N>: ciphertext; the plaintext comes back base64.',
  fields: { ...common, ciphertext: field.string({ description: 'The ciphertext, as encrypt returned it.' }) },
  operations: {
    update: (ctx) => withCiphertexts(ctx as unknown as Ctx, ['ciphertext', 'context', 'nonce', 'associated_data'], (p, item, i) => {
      checkAssociatedData(p, item, i);
      const { plaintext } = decrypt(p, itemString(item, 'ciphertext', i), optionsOf(item, i));
      return { plaintext: plaintext.toString('base64') };
    }, { blank: { plaintext: '' } }), // Vault's failed decrypt items still carry an empty `plaintext`.
  },
});

/** rewrap/:name */
export const rewrapPath = definePath({
  pattern: 'rewrap/:name',
  summary: 'Re-encrypt a ciphertext with the latest (or a chosen) key version without revealing the plaintext.',
  // Vault's rewrap has no partial_failure_response_code: its batches always answer 200.
  fields: {
    ...withoutPartialFailureCode,
    ciphertext: field.string({ description: 'The ciphertext to re-encrypt.' }),
    key_version: field.int({ description: 'Key version to encrypt with; 0 = latest.' }),
  },
  operations: {
    update: (ctx) => withCiphertexts(ctx as unknown as Ctx, ['ciphertext', 'context', 'nonce', 'key_version', 'associated_data'], (p, item, i) => {
      // The plaintext never leaves this function: rewrap can be delegated to untrusted callers.
      const opts = optionsOf(item, i);
      const { plaintext } = decrypt(p, itemString(item, 'ciphertext', i), opts);
      const { ciphertext, version } = encrypt(p, itemInt(item, 'key_version', i), plaintext, opts);
      return { ciphertext, key_version: version };
    }, { alwaysOk: true }), // Vault's rewrap answers a batch with 200 whatever its items did.
  },
});
