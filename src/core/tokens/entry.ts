// A token entry's shape and the values around it (constants, new token values): what the
// store keeps, apart from how it keeps it.
import { randomBytes } from 'node:crypto';

/** A stored token, in Vault's field names where it has them. */
export type TokenEntry = {
  /** HMAC of the token: the storage key, and the id children point to. */
  id: string;
  accessor: string;
  /** Id of the parent token; '' for an orphan. */
  parent: string;
  policies: string[];
  path: string;
  meta: Record<string, string> | null;
  display_name: string;
  /** Uses left; 0 means unlimited; USES_SPENT while its last use is being served. */
  num_uses: number;
  /** Seconds since the epoch. */
  creation_time: number;
  /** Seconds; 0 means it never expires (root tokens). */
  ttl: number;
  explicit_max_ttl: number;
  period: number;
  renewable: boolean;
  type: 'service' | 'batch';
  entity_id: string;
  role: string;
  /** Milliseconds since the epoch; 0 when the token never expires. */
  expire_at: number;
  /** The token's own first issue time in ms, bounding renewals by explicit_max_ttl. */
  issued_at: number;
  /** When the token was last renewed, in ms; absent until the first renewal (and in entries
   *  stored before this field existed). */
  last_renewal?: number;
  /** Networks the token may be used from (its role's or its login's token_bound_cidrs); absent: anywhere. */
  bound_cidrs?: string[];
  /** For a token issued by a login: the issuing mount and what its method asked to be kept,
   *  so a renewal goes back to that method (core/tokens/login.ts). */
  login?: LoginRecord;
};

/** What removing a token deletes: its entry, accessor index (by HMAC), parent index and queue item. */
export type TokenRemoval = { id: string; accessor: string; parent: string };

/** What a login token remembers of its login. */
export type LoginRecord = { mount_uuid: string; internal: Record<string, unknown> };

/** Vault's answer when the would-be parent of a new token is gone or revocation pending. */
export const NO_PARENT = 'parent token lookup failed: no parent found';

/** num_uses of a token whose last use has been claimed: it authenticates nothing more. */
export const USES_SPENT = -1;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 24 base62 characters (~142 bits) behind Vault's `hvs.` service-token prefix. */
export function newTokenValue(prefix = 'hvs.'): string {
  const bytes = randomBytes(24);
  let out = prefix;
  for (const b of bytes) out += BASE62[b % 62];
  return out;
}
