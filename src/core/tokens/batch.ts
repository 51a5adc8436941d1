// Batch tokens: nothing is stored. The token value is its own entry, sealed with AES-256-GCM
// under a key kept in the barrier (`core/batch-token-key`), and prefixed `hvb.` as Vault's are.
// So a login that issues one costs no write, and a restart changes nothing: the key is in
// storage, and a barrier rotation leaves it alone (Vault's old keyring terms stay readable too).
// Batch tokens have no accessor, cannot be renewed or parent other tokens, have no cubbyhole,
// and stop working when their TTL runs out or their parent is revoked.
import { decrypt, encrypt } from '../../barrier/aead.js';

/** Vault's batch-token prefix. */
export const BATCH_PREFIX = 'hvb.';

/** Authenticated with the ciphertext: a sealed entry is valid only as a batch token. */
const AAD = 'lockbox/batch-token/v1';

/** Whether a token value is a batch token. */
export const isBatchToken = (token: string) => token.startsWith(BATCH_PREFIX);

/** Seals and opens batch tokens with one key; the token store decides what they carry. */
export class BatchTokens {
  readonly #key: Buffer;
  constructor(key: Buffer) {
    this.#key = key;
  }

  /** A new batch token carrying `fields` (a JSON-able object). */
  seal(fields: object): string {
    return BATCH_PREFIX + encrypt(this.#key, 0, Buffer.from(JSON.stringify(fields)), AAD).toString('base64url');
  }

  /** What a batch token carries, or undefined when it is not one of ours (forged, altered). */
  open(token: string): unknown {
    try {
      return JSON.parse(decrypt(this.#key, Buffer.from(token.slice(BATCH_PREFIX.length), 'base64url'), AAD).toString('utf8'));
    } catch {
      return undefined;
    }
  }
}
