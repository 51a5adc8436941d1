// The sigv4 method's records in its mount's storage (encrypted by the barrier): roles, and
// access keys with their secret (an HMAC key, so it is kept, not hashed) and bound token.
import type { Storage } from '../../storage/storage.js';

/** A role: what the tokens behind its keys may do, and how long its keys live. */
export type Role = { token_policies: string[]; token_ttl: number; token_max_ttl: number; key_ttl: number };

/** One access key. */
export type AccessKey = {
  role: string;
  secret_access_key: string;
  /** The Lockbox token requests signed with this key act as. */
  token: string;
  /** SHA-256 (hex) of the session token a temporary key must send; absent for role keys. */
  session_token_sha256?: string;
  /** Seconds since the epoch. */
  created: number;
  /** Day (yyyy-mm-dd) of the last signed request: written at most once a day. */
  last_used?: string;
};

const decode = <T>(raw: Buffer | undefined): T | undefined => (raw === undefined ? undefined : (JSON.parse(raw.toString('utf8')) as T));
const encode = (value: unknown) => Buffer.from(JSON.stringify(value));

function records<T>(storage: Storage, prefix: string) {
  return {
    get: async (name: string) => decode<T>(await storage.get(prefix + name)),
    put: (name: string, value: T) => storage.put(prefix + name, encode(value)),
    delete: (name: string) => storage.delete(prefix + name),
    list: () => storage.list(prefix),
  };
}

/** Roles by name. */
export const roles = (s: Storage) => records<Role>(s, 'role/');
/** Access keys by access key id. */
export const keys = (s: Storage) => records<AccessKey>(s, 'key/');
