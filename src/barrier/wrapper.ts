// An auto seal ("seal wrapper" in Vault's words): something outside this server that can
// encrypt and decrypt a small blob — the root key, and the recovery key — so the server can
// unseal itself at start. Shamir needs none. A wrapper never sees anything but those blobs.
import { Internal, LockboxError } from '../util/errors.js';

/** The auto seal types, as sys/seal-status reports them. */
export type AutoSealType = 'transit' | 'pkcs11';
/** Every seal type. */
export type SealType = 'shamir' | AutoSealType;

/** What a wrapper returns and takes back: opaque to everyone else, stored as JSON. */
export type WrappedBlob = { ciphertext: string; key_id?: string; iv?: string };

/** One configured auto seal. */
export interface SealWrapper {
  readonly type: AutoSealType;
  /** One line for the start-up summary, never holding a credential. */
  describe(): string;
  encrypt(plaintext: Buffer): Promise<WrappedBlob>;
  /** The plaintext; SealUnavailable when the key service cannot or will not answer. */
  decrypt(blob: WrappedBlob): Promise<Buffer>;
  /** Releases connections, sessions and timers. */
  close(): Promise<void>;
}

/**
 * The key service did not answer, refused, or does not have the key: a 500 whose message is
 * ours and safe to log and return (as Vault returns it): it names the service and the reason,
 * never a token or PIN.
 */
export class SealUnavailable extends LockboxError { override readonly status = 500; }

/** Parses a stored WrappedBlob; the blob is ours, so a bad one means corrupted storage. */
export function parseWrapped(raw: Buffer, what: string): WrappedBlob {
  let v: unknown;
  try { v = JSON.parse(raw.toString('utf8')); } catch { throw new Internal(`${what} is corrupt`); }
  const o = v as Partial<WrappedBlob> | null;
  if (typeof o?.ciphertext !== 'string' || (o.key_id !== undefined && typeof o.key_id !== 'string')
    || (o.iv !== undefined && typeof o.iv !== 'string')) throw new Internal(`${what} is corrupt`);
  return { ciphertext: o.ciphertext, ...(o.key_id ? { key_id: o.key_id } : {}), ...(o.iv ? { iv: o.iv } : {}) };
}

export const serializeWrapped = (blob: WrappedBlob): Buffer => Buffer.from(JSON.stringify(blob), 'utf8');

/** The seals a server is configured with: none (Shamir), an auto seal, and one marked disabled. */
export type SealSetup = {
  /** The auto seal in use; undefined for Shamir. */
  wrapper?: SealWrapper;
  /** A `seal` block marked disabled = true: the auto seal being migrated away from. */
  previous?: SealWrapper;
};
