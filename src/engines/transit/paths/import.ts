// BYOK: wrapping_key (the mount's RSA-4096 public key) and keys/:name/import(_version). The
// caller wraps a fresh AES-256 key with RSA-OAEP under the wrapping key, and the key material
// with that AES key (AES key wrap with padding, RFC 5649): ciphertext = wrapped AES key (512
// bytes) ‖ wrapped material. Symmetric material is raw bytes; asymmetric material PKCS #8 DER.
import { constants, createDecipheriv, createPrivateKey, createPublicKey, generateKeyPair, privateDecrypt, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { BadRequest } from '../../../util/errors.js';
import type { Storage } from '../../../storage/storage.js';
import { definePath, field } from '../../../core/path.js';
import { aeadKeyBytes, capabilitiesOf, curveOf, rsaBitsOf, type KeyType } from '../key-types.js';
import { decodeBase64 } from '../encoding.js';
import { formatKey } from '../format.js';
import { loadKey, saveKey, withKeyLock } from '../keyring.js';
import { HMAC_MAX_KEY_SIZE, HMAC_MIN_KEY_SIZE, setAsymmetric, setEd25519 } from '../material.js';
import type { KeyEntry, KeyPolicy } from '../policy.js';
import { checkRotatePeriod, newPolicy, parseKeyType } from './keys.js';

const generateKeyPairAsync = promisify(generateKeyPair);
const WRAPPING_KEY = 'wrapping_key';
const WRAPPED_AES_BYTES = 512;
const KWP_IV = Buffer.from('A65959A6', 'hex');
const OAEP_HASHES: Record<string, string> = { 'SHA1': 'sha1', 'SHA224': 'sha224', 'SHA256': 'sha256', 'SHA384': 'sha384', 'SHA512': 'sha512' };

/** The mount's wrapping key, made on first use (an RSA-4096 key generated off the event loop). */
async function wrappingKey(storage: Storage): Promise<KeyObject> {
  const stored = await storage.get(WRAPPING_KEY);
  if (stored) return createPrivateKey(stored.toString('utf8'));
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 4096 });
  await storage.put(WRAPPING_KEY, Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()));
  return privateKey;
}

const pending = new Map<string, Promise<KeyObject>>();

/** The mount's wrapping key; two first requests at once must not make two keys. */
function wrappingKeyOf(storage: Storage, mountUuid: string): Promise<KeyObject> {
  let p = pending.get(mountUuid);
  if (!p) {
    p = wrappingKey(storage).finally(() => pending.delete(mountUuid));
    pending.set(mountUuid, p);
  }
  return p;
}

/** wrapping_key */
export const wrappingKeyPath = definePath({
  pattern: 'wrapping_key',
  summary: 'The RSA-4096 public key that wraps key material for import.',
  fields: {},
  operations: {
    read: async ({ storage, mount }) => {
      const key = await wrappingKeyOf(storage, mount.uuid);
      return { data: { public_key: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString() } };
    },
  },
});

/** Unwraps the caller's ciphertext to the key material. */
async function unwrap(storage: Storage, mountUuid: string, ciphertext: string, hashFunction: string): Promise<Buffer> {
  const oaepHash = OAEP_HASHES[hashFunction.replace('-', '').toUpperCase()];
  if (!oaepHash) throw new BadRequest(`unsupported hash function: ${hashFunction}`);
  const blob = decodeBase64(ciphertext);
  if (blob.length <= WRAPPED_AES_BYTES) throw new BadRequest('provided ciphertext is too short');
  try {
    const aesKey = privateDecrypt({ key: await wrappingKeyOf(storage, mountUuid), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, blob.subarray(0, WRAPPED_AES_BYTES));
    const d = createDecipheriv('id-aes256-wrap-pad', aesKey, KWP_IV);
    return Buffer.concat([d.update(blob.subarray(WRAPPED_AES_BYTES)), d.final()]);
  } catch {
    throw new BadRequest('failed to unwrap the key material');
  }
}

/** A key version made of imported material, checked against the type. */
function importedEntry(type: KeyType, material: Buffer, now: number): KeyEntry {
  const entry: KeyEntry = { hmac_key: randomBytes(32).toString('base64'), time: new Date(now).toISOString(), creation_time: Math.floor(now / 1000) };
  if (capabilitiesOf(type).aead) {
    if (material.length !== aeadKeyBytes(type)) throw new BadRequest(`invalid key size ${material.length} bytes for key type ${type}`);
    entry.key = material.toString('base64');
  } else if (type === 'hmac') {
    if (material.length < HMAC_MIN_KEY_SIZE || material.length > HMAC_MAX_KEY_SIZE) throw new BadRequest(`invalid key size ${material.length} bytes for key type ${type}`);
    entry.key = material.toString('base64');
    entry.hmac_key = entry.key;
  } else {
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
    } catch {
      throw new BadRequest('error parsing asymmetric key: the key material is not a PKCS #8 private key');
    }
    checkAsymmetric(type, key);
    if (type === 'ed25519') setEd25519(entry, Buffer.from(key.export({ format: 'jwk' }).d as string, 'base64url'));
    else setAsymmetric(entry, key);
  }
  return entry;
}

function checkAsymmetric(type: KeyType, key: KeyObject): void {
  const details = key.asymmetricKeyDetails;
  const ok = type === 'ed25519' ? key.asymmetricKeyType === 'ed25519'
    : curveOf(type) ? key.asymmetricKeyType === 'ec' && details?.namedCurve === curveOf(type)?.node
      : key.asymmetricKeyType === 'rsa' && details?.modulusLength === rsaBitsOf(type);
  if (!ok) throw new BadRequest(`the imported key does not match the key type ${type}`);
}

const importFields = {
  name: field.name({ description: 'Name of the key.' }),
  ciphertext: field.string({ description: 'Base64: RSA-OAEP-wrapped AES key ‖ AES-KWP-wrapped key material.', sensitive: true }),
  hash_function: field.string({ description: 'Hash of the RSA-OAEP step: SHA1, SHA224, SHA256, SHA384 or SHA512.', default: 'SHA256' }),
  type: field.string({ description: 'Type of the imported key.', default: 'aes256-gcm96' }),
  allow_rotation: field.bool({ description: 'Allow rotate on the imported key.' }),
  derived: field.bool({ description: 'Derive per-request keys from a context.' }),
  exportable: field.bool({ description: 'Allow export.' }),
  allow_plaintext_backup: field.bool({ description: 'Allow plaintext backups.' }),
  auto_rotate_period: field.duration({ description: 'Rotate automatically this often (needs allow_rotation).' }),
};

/** keys/:name/import */
export const importPath = definePath({
  pattern: 'keys/:name/import',
  summary: 'Create a key from wrapped key material.',
  fields: importFields,
  operations: {
    update: async ({ storage, mount, fields, clock }) => {
      const type = parseKeyType(fields.type);
      checkRotatePeriod(fields.auto_rotate_period);
      if (fields.auto_rotate_period !== 0 && !fields.allow_rotation) throw new BadRequest('allow_rotation must be set to true if auto-rotation is enabled');
      if (fields.ciphertext === '') throw new BadRequest('ciphertext must be provided to import a key');
      return withKeyLock(mount.uuid, fields.name, async () => {
        if (await loadKey(storage, mount.uuid, fields.name)) {
          throw new BadRequest('the import path cannot be used with an existing key; use import-version to rotate an existing imported key');
        }
        const material = await unwrap(storage, mount.uuid, fields.ciphertext, fields.hash_function);
        const now = clock.now();
        const p: KeyPolicy = await newPolicy({
          name: fields.name, type, derived: fields.derived, convergent: false, exportable: fields.exportable,
          allowPlaintextBackup: fields.allow_plaintext_backup, autoRotatePeriod: fields.auto_rotate_period, keySize: 0,
        }, now);
        p.keys['1'] = importedEntry(type, material, now);
        p.imported = true;
        p.allow_imported_key_rotation = fields.allow_rotation;
        await saveKey(storage, mount.uuid, p);
        return { data: formatKey(p) };
      });
    },
  },
});

/** keys/:name/import_version */
export const importVersionPath = definePath({
  pattern: 'keys/:name/import_version',
  summary: 'Add a version of wrapped key material to an imported key.',
  fields: { name: importFields.name, ciphertext: importFields.ciphertext, hash_function: importFields.hash_function },
  operations: {
    update: async ({ storage, mount, fields, clock }) =>
      withKeyLock(mount.uuid, fields.name, async () => {
        const current = await loadKey(storage, mount.uuid, fields.name);
        if (!current) throw new BadRequest('cannot import key version, key does not exist');
        if (!current.imported) throw new BadRequest('the import_version endpoint can only be used with an imported key');
        if (current.rotated_in_place) throw new BadRequest('cannot import key version, key has been rotated in Lockbox');
        const material = await unwrap(storage, mount.uuid, fields.ciphertext, fields.hash_function);
        const p = structuredClone(current);
        p.latest_version += 1;
        p.keys[String(p.latest_version)] = importedEntry(p.type, material, clock.now());
        await saveKey(storage, mount.uuid, p);
        return { data: formatKey(p) };
      }),
  },
});
