// sys/rekey/* and sys/generate-root/*: key-share holders change the shares (rekey) or mint a
// root token (generate-root). Like Vault these answer without a token (the shares are the
// authority) and outside the envelope; sys/rekey/backup needs sudo.
import { Rekey } from '../barrier/rekey.js';
import type { Core } from '../core/core.js';
import { RootGeneration } from '../core/generate-root.js';
import { definePath, field } from '../core/path.js';
import { newTokenValue } from '../core/tokens/store.js';
import { BadRequest } from '../util/errors.js';
import { decodeKey } from './seal.js';

const raw = (body: unknown) => ({ raw: { status: 200, body } });

/** The key share of an update, decoded; Vault's message when it is missing. */
function shareOf(key: string): Buffer {
  if (key === '') throw new BadRequest("'key' must be specified in request body as JSON");
  return decodeKey(key);
}

const keyFields = {
  key: field.string({ description: 'One key share, hex or base64.', sensitive: true }),
  nonce: field.string({ description: 'The nonce of the operation in progress.' }),
};

export function rekeyPaths(core: Core) {
  const rekey = new Rekey(core.seal);
  return [
    definePath({
      pattern: 'rekey/init', summary: 'Start, read or cancel a rekey: new key shares for the same data.',
      unauthenticated: true,
      fields: {
        secret_shares: field.int({ description: 'How many shares to split the new root key into.', required: true }),
        secret_threshold: field.int({ description: 'How many shares it will take to unseal.', required: true }),
        pgp_keys: field.strings({ description: 'Not supported: the new shares are returned in clear.' }),
        backup: field.bool({ description: 'Store PGP-encrypted copies of the new shares; needs pgp_keys.' }),
        require_verification: field.bool({ description: 'Install the new key only after a threshold of the new shares is typed back in.' }),
        stored_shares: field.int({ description: 'Accepted for compatibility; shares are never stored.' }),
      },
      operations: {
        read: async () => raw(rekey.status()),
        update: async ({ fields }) => {
          if (fields.backup && fields.pgp_keys.length === 0) {
            throw new BadRequest('cannot request a backup of the new keys without providing PGP keys for encryption');
          }
          if (fields.pgp_keys.length > 0) throw new BadRequest('PGP encryption of key shares is not supported');
          // The auto seal holds the root key; there are no unseal key shares to rekey.
          if (core.seal.recoverySeal) throw new BadRequest('rekeying the root key is not supported with an auto seal');
          return raw(rekey.init({
            secret_shares: fields.secret_shares, secret_threshold: fields.secret_threshold,
            require_verification: fields.require_verification,
          }));
        },
        delete: async () => { rekey.status(); rekey.cancel(); },
      },
    }),
    definePath({
      pattern: 'rekey/update', summary: 'Submit one current key share towards the rekey.', unauthenticated: true, fields: keyFields,
      operations: { update: async ({ fields }) => raw(await rekey.update(shareOf(fields.key), fields.nonce)) },
    }),
    definePath({
      pattern: 'rekey/verify', summary: 'Read, restart or advance the verification of the new key shares.', unauthenticated: true, fields: keyFields,
      operations: {
        read: async () => raw(rekey.verifyStatus()),
        update: async ({ fields }) => raw(await rekey.verify(shareOf(fields.key), fields.nonce)),
        delete: async () => raw(rekey.restartVerification()),
      },
    }),
    definePath({
      // Backups hold PGP-encrypted shares, and PGP is refused above: there is never one to return.
      pattern: 'rekey/backup', summary: 'Backed-up (PGP-encrypted) key shares of the last rekey; Lockbox keeps none.', sudo: true, fields: {},
      operations: { read: async () => undefined, delete: async () => undefined },
    }),
  ];
}

export function generateRootPaths(core: Core) {
  const generation = new RootGeneration(core.seal, () => core.createRootToken(newTokenValue()));
  return [
    definePath({
      pattern: 'generate-root/attempt', summary: 'Start, read or cancel the generation of a new root token.',
      unauthenticated: true,
      fields: {
        otp: field.string({ description: 'A one-time password of 28 characters to encode the token with; without it one is generated.', sensitive: true }),
        pgp_key: field.string({ description: 'Not supported: use the OTP.' }),
      },
      operations: {
        read: async () => raw(generation.status()),
        update: async ({ fields }) => raw(generation.start(fields.otp, fields.pgp_key)),
        delete: async () => { generation.status(); generation.cancel(); },
      },
    }),
    definePath({
      pattern: 'generate-root/update', summary: 'Submit one key share towards the new root token.', unauthenticated: true, fields: keyFields,
      operations: { update: async ({ fields }) => raw(await generation.update(shareOf(fields.key), fields.nonce)) },
    }),
  ];
}
