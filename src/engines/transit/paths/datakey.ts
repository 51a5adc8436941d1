// datakey/:plaintext|wrapped/:name: a fresh random key, returned encrypted under the named key.
import { randomBytes } from 'node:crypto';
import { BadRequest } from '../../../util/errors.js';
import { definePath, field } from '../../../core/path.js';
import { decodeBase64 } from '../encoding.js';
import { requireKey } from '../keyring.js';
import { encrypt } from '../symmetric.js';

/** An optional base64 field, refused with Vault's text for it. */
function optional(text: string, name: string): Buffer | undefined {
  if (text === '') return undefined;
  try {
    return decodeBase64(text);
  } catch {
    throw new BadRequest(`failed to base64-decode ${name}`);
  }
}

/** datakey/:plaintext/:name */
export const datakeyPath = definePath({
  pattern: 'datakey/:plaintext/:name',
  summary: 'Generate a data key; "plaintext" also returns it in the clear, "wrapped" only encrypted.',
  fields: {
    plaintext: field.name({ description: '"plaintext" or "wrapped".' }),
    name: field.name({ description: 'Name of the key that encrypts the data key.' }),
    context: field.string({ description: 'Base64 context for a derived key.' }),
    nonce: field.string({ description: 'Base64 nonce: only for convergent keys of the oldest scheme.' }),
    bits: field.int({ description: '128, 256 or 512.', default: 256 }),
    key_version: field.int({ description: 'Key version to encrypt with; 0 = latest.' }),
    associated_data: field.string({ description: 'Base64 associated data (AEAD keys).' }),
  },
  operations: {
    update: async ({ storage, mount, fields, clock }) => {
      // Vault's order: the options, the bit length, the path's mode, then the key.
      const context = optional(fields.context, 'context');
      const nonce = optional(fields.nonce, 'nonce');
      if (![128, 256, 512].includes(fields.bits)) throw new BadRequest('invalid bit length');
      const mode = fields.plaintext;
      if (mode !== 'plaintext' && mode !== 'wrapped') throw new BadRequest("Invalid path, must be 'plaintext' or 'wrapped'");
      const p = await requireKey(storage, mount.uuid, fields.name, clock.now());
      const key = randomBytes(fields.bits / 8);
      const { ciphertext, version } = encrypt(p, fields.key_version, key, {
        context, nonce, associatedData: optional(fields.associated_data, 'associated_data'),
      });
      const data: Record<string, unknown> = { ciphertext, key_version: version };
      if (mode === 'plaintext') data.plaintext = key.toString('base64');
      return { data };
    },
  },
});
