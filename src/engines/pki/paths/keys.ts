// Keys of the mount: keys LIST, keys/generate, keys/import, key/:ref and config/keys.
import { definePath, field, type HandlerContext } from '../../../core/path.js';
import { BadRequest } from '../../../util/errors.js';
import { checkGenerateType, keyForCa, storeKey } from '../generate.js';
import { allIssuers, allKeys, checkKeyName, deleteKeyEntry, findKey, importKey, keyObjectOf, keysConfig, resolveKey } from '../issuers.js';
import { pemBlocks } from '../certs.js';
import { keyIdentifier } from '../cert-build.js';
import { parsePrivateKey, spkiOf } from '../keys.js';
import { renderPrivateKey } from '../output.js';
import { putJson, type KeyEntry } from '../store.js';

// Vault's key answers: id, name and type; a read adds the key's subject key id (colon hex).
const keyView = (k: KeyEntry) => ({ key_id: k.id, key_name: k.name, key_type: k.type });
const keyRead = (k: KeyEntry) => ({
  ...keyView(k), subject_key_id: keyIdentifier(spkiOf(keyObjectOf(k))).match(/../g)!.join(':'),
});

async function keyById(ctx: HandlerContext<unknown>, id: string): Promise<KeyEntry> {
  return (await allKeys(ctx.storage)).find((k) => k.id === id)!;
}

export const keyPaths = [
  definePath({
    pattern: 'keys/', fields: {}, summary: 'List keys.',
    operations: {
      list: async (ctx) => {
        const config = await keysConfig(ctx.storage);
        const keys = (await allKeys(ctx.storage)).sort((a, b) => (a.id < b.id ? -1 : 1));
        const keyInfo = Object.fromEntries(keys.map((k) => [k.id, { key_name: k.name, is_default: k.id === config.default }]));
        return { data: { keys: keys.map((k) => k.id), key_info: keyInfo } };
      },
    },
  }),
  definePath({
    pattern: 'keys/generate/:type', summary: 'Generate a key.',
    fields: {
      type: field.name({ description: 'internal or exported.' }),
      key_type: field.string({ description: 'rsa, ec or ed25519.', default: 'rsa' }),
      key_bits: field.int({ description: 'Key size; 0 for the default.', default: 0 }),
      key_name: field.string({ description: 'Name for the key.' }),
    },
    operations: {
      update: async (ctx) => {
        const type = checkGenerateType(ctx.fields.type);
        if (type === 'existing') throw new BadRequest('Unknown type of key to generate');
        await checkKeyName(ctx.storage, ctx.fields.key_name);
        const made = await keyForCa(ctx.storage, type, { ...ctx.fields, key_ref: '' }, ctx.sent, false);
        const id = await storeKey(ctx.storage, made, ctx.fields.key_name);
        const data: Record<string, unknown> = keyView(await keyById(ctx, id));
        if (type === 'exported') data.private_key = renderPrivateKey(made.key, 'pem', '').private_key;
        return { data };
      },
    },
  }),
  definePath({
    pattern: 'keys/import', summary: 'Import a PEM private key.',
    fields: { pem_bundle: field.string({ description: 'The PEM private key.', sensitive: true }), key_name: field.string({ description: 'Name for the key.' }) },
    operations: {
      update: async (ctx) => {
        // Vault's checks: under 64 characters cannot be a PEM key (likely a path), and one key only.
        if (ctx.fields.pem_bundle.length < 64) throw new BadRequest('provided data for import was too short; perhaps a path was passed to the API rather than the contents of a PEM file');
        if (pemBlocks(ctx.fields.pem_bundle).length > 1) throw new BadRequest('only a single key can be present within the pem_bundle for importing');
        const key = parsePrivateKey(ctx.fields.pem_bundle);
        const { id, existing } = await importKey(ctx.storage, key, ctx.fields.key_name);
        return { data: keyView(await keyById(ctx, id)), warnings: existing ? ['Key already imported, use key/ endpoint to update name.'] : [] };
      },
    },
  }),
  definePath({
    pattern: 'key/:key_ref', summary: 'Read, rename or delete a key.',
    fields: { key_ref: field.name({ description: 'Key id, name or "default".' }), key_name: field.string({ description: 'New name.' }) },
    operations: {
      read: async (ctx) => {
        const key = await findKey(ctx.storage, ctx.fields.key_ref);
        if (!key) throw new BadRequest(`unable to resolve key id for reference${ctx.fields.key_ref}`);
        return { data: keyRead(key) };
      },
      // An empty name removes the name, with Vault's warning (its typo kept).
      update: async (ctx) => {
        const key = await resolveKey(ctx.storage, ctx.fields.key_ref);
        if (ctx.fields.key_name !== '') await checkKeyName(ctx.storage, ctx.fields.key_name, key.id);
        const next = { ...key, name: ctx.fields.key_name };
        await putJson(ctx.storage, `key/${key.id}`, next);
        const warnings = ctx.fields.key_name === '' ? [`Name successfully deleted, you will now need to reference this key by it's Id: ${key.id}`] : [];
        return { data: keyView(next), warnings };
      },
      delete: async (ctx) => {
        const key = await findKey(ctx.storage, ctx.fields.key_ref);
        if (!key) return;
        const user = (await allIssuers(ctx.storage)).find((i) => i.key_id === key.id);
        if (user) throw new BadRequest(`Failed to Delete Key.  Key in Use by Issuer: ${user.id}`);
        if (!(await deleteKeyEntry(ctx.storage, key))) return undefined;
        return { data: {}, warnings: [`Deleted key ${key.id} (via key_ref ${ctx.fields.key_ref}); this was configured as the default key. Operations without an explicit key will not work until a new default is configured.`] };
      },
    },
  }),
  definePath({
    pattern: 'config/keys', summary: 'The default key.',
    fields: { default: field.string({ description: 'The default key (id or name).' }) },
    operations: {
      read: async (ctx) => ({ data: await keysConfig(ctx.storage) }),
      update: async (ctx) => {
        const data = { default: (await resolveKey(ctx.storage, ctx.fields.default)).id };
        await putJson(ctx.storage, 'config/keys', data);
        return { data };
      },
    },
  }),
];
