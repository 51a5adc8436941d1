// The shapes a request and a response take between the HTTP layer, core and the backends.
import type { Storage } from '../storage/storage.js';
import type { Clock } from '../util/clock.js';
import type { WrapInfo } from './wrapping.js';
import type { PasswordGenerator } from './password-policy.js';
import type { TokenParams } from './tokens/params.js';
import type { TemplateIdentity } from '../policy/index.js';
import type { Logger } from './log.js';

/** Vault's logical operations; the HTTP verb and `?list=true` map onto these. */
export type Operation = 'read' | 'create' | 'update' | 'patch' | 'delete' | 'list';

/** A request as core sees it, after HTTP parsing. */
export type LogicalRequest = {
  id: string;
  operation: Operation;
  /** The HTTP method, for the rare protocol that tells HEAD from GET (ACME's new-nonce). */
  method?: string;
  /** Full path after `/v1/`, without a leading slash. */
  path: string;
  /** The decoded JSON body (or query parameters for reads). */
  data: Record<string, unknown>;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  clientToken: string;
  remoteAddress: string;
  /** Seconds from `X-Vault-Wrap-TTL`, when asked. */
  wrapTtl?: number;
  /**
   * Reads and decodes the body into the request's data. Core calls it once the token and the
   * ACL have allowed the request as far as its path and operation can tell, so a refused
   * request never has its body read; `withToken` picks the larger size limit. Absent when
   * there is no body to read (or it was read).
   */
  readBody?: (withToken: boolean) => Promise<Record<string, unknown>>;
  /**
   * The undecoded body, for the few binary protocols served under /v1 (PKI's
   * `application/ocsp-request`); such a body is not parsed as JSON and `data` is empty.
   */
  rawBody?: Buffer;
  /**
   * One audit device's encoding of this request's block, kept between the request's two
   * records (a WeakMap entry per request cost more than the encoding it saved). Audit only.
   */
  auditMemo?: { owner: object; value: unknown };
};

/** What a login or token creation hands back: Vault's `auth` block before rendering. */
export type AuthResult = {
  client_token: string;
  accessor: string;
  policies: string[];
  token_policies: string[];
  identity_policies?: string[];
  metadata: Record<string, string> | null;
  lease_duration: number;
  renewable: boolean;
  entity_id: string;
  token_type: string;
  orphan: boolean;
  mfa_requirement: null;
  num_uses: number;
};

/**
 * What a login path returns instead of a token: who logged in and what their role or user
 * says about the token. Core turns it into the token and the `auth` block (core/tokens/login.ts),
 * so every auth method gets the same TTL caps, token types, CIDR binding and lease handling.
 */
export type LoginGrant = {
  params: TokenParams;
  /** Shown as the token's `meta` and the auth block's `metadata`. */
  metadata: Record<string, string>;
  /** Appended to the mount path for the token's display name (userpass: the username). */
  displayName: string;
  /** Who logged in as the method names them (username, role_id): the lockout key. */
  alias: string;
  /** Kept with the token and given back to the method's `renewLogin` (role name, username). */
  internal: Record<string, unknown>;
  /** Overrides params.token_bound_cidrs for this login (an AppRole secret-id's own list). */
  boundCidrs?: string[];
  /**
   * Identity: the metadata written on this login's entity alias (the alias is named by `alias`
   * on this mount). Absent means the alias keeps no metadata.
   */
  aliasMetadata?: Record<string, string>;
  /** Identity: the group-alias names (on this mount) the login is a member of, e.g. a JWT groups claim. */
  groupAliases?: string[];
};

/**
 * A lease the handler asks core to register for the secret it returns. With `register: false`
 * the TTL is only advisory and no lease is made (Vault does this for kv).
 */
export type SecretLease = { ttl: number; maxTtl?: number; renewable: boolean; internal?: Record<string, unknown>; register?: false };

/** What a handler returns; undefined means "nothing": 204 for writes, 404 for reads. */
export type Response = {
  data?: Record<string, unknown> | null;
  secret?: SecretLease;
  /** Set by core once the secret's lease is registered. */
  leaseId?: string;
  /** Set when the response was wrapped: the envelope then carries only this. */
  wrapInfo?: WrapInfo;
  auth?: AuthResult;
  /** From a login path: core issues the token and replaces this with `auth`. */
  login?: LoginGrant;
  /** Set by core when a login created its entity (audited as `auth.entity_created`). */
  entityCreated?: true;
  warnings?: string[];
  /**
   * Answer this exact status and body, outside Vault's envelope (sys/health, sys/init, …).
   * Such responses are never wrapped.
   */
  raw?: RawReply;
  /** Vault's older sys/ endpoints also repeat `data`'s keys at the top level. */
  dataAtTopLevel?: boolean;
  /** Status other than 200 for an enveloped answer (e.g. 404 with KV metadata in the body). */
  status?: number;
  /**
   * Says that `data` is fixed by the identity of `object` and by `part`: the same pair always
   * comes with the same data. Audit devices then hash and encode that data once per pair
   * instead of on every read (a KV version: its shared, frozen metadata and the version
   * number). Only for data that nothing else (clock, caller) changes.
   */
  auditKey?: { object: object; part: string | number };
};

/**
 * An answer outside the envelope. A Buffer or string body with a `contentType` is written as
 * those bytes (PKI's DER and PEM downloads, OCSP, ACME); any other body is sent as JSON.
 */
export type RawReply = { status: number; body: unknown; contentType?: string; headers?: Record<string, string> };

/** The mount a request was routed to. */
export type MountInfo = {
  path: string;
  type: string;
  accessor: string;
  uuid: string;
  local: boolean;
  options: Record<string, string>;
  config: { default_lease_ttl: number; max_lease_ttl: number };
};

/** The caller, once the token has been resolved. */
export type Caller = {
  token: string;
  accessor: string;
  policies: string[];
  /** Token entry id (hashed token), for ownership of cubbyhole data and leases. */
  tokenId: string;
  displayName: string;
  entityId: string;
  metadata: Record<string, string>;
  isRoot: boolean;
  tokenType: string;
  /** The entity's policies and its groups', computed for this request ([] without an entity). */
  identityPolicies: string[];
  /** What templated policy paths read; absent for a token without an entity. */
  identity?: TemplateIdentity;
};

/** Everything a handler may use: its mount's storage, a clock, the parsed request. */
export type HandlerContext<V> = {
  operation: Operation;
  /** The path inside the mount, e.g. `roles/reader`. */
  path: string;
  fields: V;
  sent: Set<string>;
  storage: Storage;
  request: LogicalRequest;
  mount: MountInfo;
  caller: Caller | undefined;
  clock: Clock;
  /** The server's lease TTLs, for a mount that sets none. */
  defaults: { defaultLeaseTtl: number; maxLeaseTtl: number };
  /** Generates a password from a named password policy ('' = Vault's default policy). */
  passwords: PasswordGenerator;
  /** The server's log (it redacts secret-named fields), for reasons a handler must not answer with. */
  log?: Logger;
};
