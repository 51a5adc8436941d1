// export/:type/:name(/:version): key material of exportable keys, in Vault's formats.
import { createPrivateKey } from 'node:crypto';
import { BadRequest } from '../../../util/errors.js';
import { definePath, field, type PathDef } from '../../../core/path.js';
import { capabilitiesOf, curveOf, rsaBitsOf } from '../key-types.js';
import { loadKey } from '../keyring.js';
import type { KeyEntry, KeyPolicy } from '../policy.js';

const EXPORT_TYPES = ['encryption-key', 'signing-key', 'hmac-key', 'public-key'] as const;

/** One version's material as export shows it. */
function exported(p: KeyPolicy, entry: KeyEntry, type: string): string {
  if (type === 'hmac-key') return entry.hmac_key;
  if (type === 'public-key') return entry.public_key ?? '';
  if (p.type === 'ed25519' || capabilitiesOf(p.type).aead) return entry.key ?? '';
  // Vault exports ECDSA keys as SEC 1 and RSA keys as PKCS #1 PEM.
  const key = createPrivateKey(entry.private_pem ?? '');
  if (curveOf(p.type)) return key.export({ type: 'sec1', format: 'pem' }).toString();
  if (rsaBitsOf(p.type)) return key.export({ type: 'pkcs1', format: 'pem' }).toString();
  return entry.key ?? '';
}

function checkExport(p: KeyPolicy, type: string): void {
  if (!(EXPORT_TYPES as readonly string[]).includes(type)) throw new BadRequest(`invalid export type: ${type}`);
  if (type === 'public-key') {
    if (!capabilitiesOf(p.type).signing || (p.type === 'ed25519' && p.derived)) throw new BadRequest('public-key export not supported for the key');
    return;
  }
  if (!p.exportable) throw new BadRequest('private key material is not exportable');
  if (type === 'encryption-key' && !capabilitiesOf(p.type).encryption) throw new BadRequest('encryption not supported for the key');
  if (type === 'signing-key' && !capabilitiesOf(p.type).signing) throw new BadRequest('signing not supported for the key');
}

const exportFields = {
  type: field.name({ description: 'encryption-key, signing-key, hmac-key or public-key.' }),
  name: field.name({ description: 'Name of the key.' }),
  version: field.string({ description: 'A version number or "latest"; all versions when absent.' }),
};

/** export/:type/:name and export/:type/:name/:version */
export const exportPaths: PathDef[] = ['export/:type/:name', 'export/:type/:name/:version'].map((pattern) =>
  definePath({
    pattern,
    summary: 'Export the material of an exportable key.',
    fields: exportFields,
    operations: {
      read: async ({ storage, mount, fields }) => {
        const p = await loadKey(storage, mount.uuid, fields.name);
        if (!p) return undefined;
        checkExport(p, fields.type);
        const keys: Record<string, string> = {};
        if (fields.version === '') {
          for (const [v, entry] of Object.entries(p.keys)) if (Number(v) >= p.min_decryption_version) keys[v] = exported(p, entry, fields.type);
        } else {
          const v = fields.version === 'latest' ? p.latest_version : Number(fields.version);
          if (!Number.isInteger(v) || v <= 0) throw new BadRequest('invalid key version');
          if (v < p.min_decryption_version) throw new BadRequest('version for export is below minimum decryption version');
          const entry = p.keys[String(v)];
          if (!entry) throw new BadRequest('version does not exist or cannot be found');
          keys[String(v)] = exported(p, entry, fields.type);
        }
        return { data: { name: p.name, type: p.type, keys } };
      },
    },
  }),
);
