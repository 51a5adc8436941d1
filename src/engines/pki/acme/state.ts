// ACME state: config/acme, nonces (single-use, short-lived, in memory as Vault keeps them),
// and the stored accounts, orders and authorizations.
import { randomBytes } from 'node:crypto';
import type { Storage } from '../../../storage/storage.js';
import { getJson, putJson } from '../store.js';

/** Vault's config/acme. */
export type AcmeConfig = {
  enabled: boolean; allowed_issuers: string[]; allowed_roles: string[]; allow_role_ext_key_usage: boolean;
  default_directory_policy: string; eab_policy: string; dns_resolver: string;
};

export const DEFAULT_ACME_CONFIG: AcmeConfig = {
  enabled: false, allowed_issuers: ['*'], allowed_roles: ['*'], allow_role_ext_key_usage: false,
  default_directory_policy: 'sign-verbatim', eab_policy: 'not-required', dns_resolver: '',
};

export async function acmeConfig(storage: Storage): Promise<AcmeConfig> {
  return { ...DEFAULT_ACME_CONFIG, ...(await getJson<Partial<AcmeConfig>>(storage, 'config/acme')) };
}

export type Identifier = { type: 'dns' | 'ip'; value: string };

export type Account = { id: string; jwk: Record<string, unknown>; thumbprint: string; status: 'valid' | 'deactivated' | 'revoked'; contact: string[]; created: number; /** The EAB id the account was bound with, or ''. */ eab?: string;
  /** When it was deactivated or revoked (ms); tidy deletes it a safety buffer later. */ revoked_at?: number;
  /** The latest NotAfter (ms) of the certificates its orders got, kept by tidy after their orders go. */ max_cert_expiry?: number };

export type Challenge = { type: 'http-01'; token: string; status: 'pending' | 'processing' | 'valid' | 'invalid'; validated?: string; error?: Problem; attempts: number; retry_at?: number };

export type Authorization = { id: string; account: string; order: string; identifier: Identifier; status: 'pending' | 'valid' | 'invalid' | 'expired'; expires: number; challenges: Challenge[] };

export type Order = {
  id: string; account: string; status: 'pending' | 'ready' | 'processing' | 'valid' | 'invalid'; identifiers: Identifier[];
  authorizations: string[]; expires: number; not_before?: string; not_after?: string; serial?: string; certificate?: string;
  /** NotAfter (ms) of the issued certificate. */ cert_expiry?: number;
  /** The directory the order came through (its role and issuer), for finalize. */
  directory: DirectoryRef;
};

/** Which directory a request came through. */
export type DirectoryRef = { issuer: string; role: string };

export type Problem = { type: string; detail: string; status: number };

const NONCE_TTL_MS = 5 * 60_000;
const MAX_NONCES = 100_000;
const nonces = new Map<string, number>();

/** A fresh nonce, valid once for five minutes. */
export function newNonce(nowMs: number): string {
  if (nonces.size >= MAX_NONCES) {
    for (const [n, exp] of nonces) if (exp <= nowMs) nonces.delete(n);
    if (nonces.size >= MAX_NONCES) nonces.delete(nonces.keys().next().value as string);
  }
  const nonce = randomBytes(16).toString('base64url');
  nonces.set(nonce, nowMs + NONCE_TTL_MS);
  return nonce;
}

/** Spends a nonce; false when unknown, used or expired. */
export function spendNonce(nonce: string, nowMs: number): boolean {
  const exp = nonces.get(nonce);
  if (exp === undefined) return false;
  nonces.delete(nonce);
  return exp > nowMs;
}

export const newId = () => randomBytes(16).toString('hex');

export const accounts = {
  get: (s: Storage, id: string) => getJson<Account>(s, `acme/accounts/${id}`),
  put: (s: Storage, a: Account) => putJson(s, `acme/accounts/${a.id}`, a),
  byThumbprint: async (s: Storage, thumbprint: string) => {
    const id = (await s.get(`acme/thumbprints/${thumbprint}`))?.toString();
    return id ? getJson<Account>(s, `acme/accounts/${id}`) : undefined;
  },
  link: (s: Storage, a: Account) => s.put(`acme/thumbprints/${a.thumbprint}`, Buffer.from(a.id)),
  /** The account of a thumbprint entry, by id (undefined when the entry points nowhere). */
  idOfThumbprint: async (s: Storage, thumbprint: string) => (await s.get(`acme/thumbprints/${thumbprint}`))?.toString(),
};

export const orders = {
  get: (s: Storage, id: string) => getJson<Order>(s, `acme/orders/${id}`),
  put: (s: Storage, o: Order) => putJson(s, `acme/orders/${o.id}`, o),
  ofAccount: (s: Storage, account: string) => s.list(`acme/account-orders/${account}/`),
  link: (s: Storage, o: Order) => s.put(`acme/account-orders/${o.account}/${o.id}`, Buffer.alloc(0)),
};

export const authorizations = {
  get: (s: Storage, id: string) => getJson<Authorization>(s, `acme/authz/${id}`),
  put: (s: Storage, a: Authorization) => putJson(s, `acme/authz/${a.id}`, a),
};
