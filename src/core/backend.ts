// A backend is what a mount serves: a secrets engine, an auth method, or the system backend.
// It declares its paths; core does routing, field parsing, ACL and audit for all of them.
import type { Storage } from '../storage/storage.js';
import { PathTable, type PathDef } from './path.js';
import type { PasswordGenerator } from './password-policy.js';

/** A backend declaration, as an engine's index.ts writes it. */
export type BackendSpec = {
  type: string;
  summary: string;
  paths: PathDef[];
  /** Called when a mount of this type is removed, before its storage is deleted. */
  cleanup?: () => Promise<void>;
  /** Called before the server seals, once per backend in use: drop key material held in memory. */
  onSeal?: () => Promise<void>;
  /**
   * HA standby serving reads: another node changed `key` in this mount's storage; drop what is
   * held in memory for it (Vault's InvalidateKey).
   */
  invalidate?: (key: string, mountUuid: string) => void;
  /**
   * Called when a tune changes the mount's options, before they take effect: the backend
   * converts its stored data (kv version 1 → 2) or refuses with an error.
   */
  onOptionsChange?: (change: { storage: Storage; from: Record<string, string>; to: Record<string, string>; now: number }) => Promise<void>;
  /** Revokes a secret this backend issued with a lease (drop the database user…); throws on failure. */
  revokeSecret?: (lease: SecretContext) => Promise<void>;
  /** Approves a renewal of a secret's lease; throws to refuse it. Without it, renewals only move the expiry. */
  renewSecret?: (lease: SecretContext & { increment: number; now: number }) => Promise<void>;
  /**
   * Background work for one mount (rotations that fell due, repairs after a crash). Core runs
   * it at unseal and then every few seconds while unsealed, never twice at once; whatever it
   * must remember lives in the mount's storage, so it survives a restart. `mountUuid` names
   * the mount for state a backend keeps in memory per mount (PKI's tidy status).
   */
  periodic?: (ctx: { storage: Storage; now: number; passwords: PasswordGenerator; mountUuid: string }) => Promise<void>;
  /**
   * Auth methods: approves the renewal of a token one of this mount's logins issued, and says
   * which TTL, max TTL and period apply now (the role's or user's current token_ttl,
   * token_max_ttl and token_period; 0 means the mount's, or not periodic). Throws to refuse
   * (the role or user is gone, its policies changed).
   */
  renewLogin?: (login: LoginContext) => Promise<{ ttl: number; maxTtl: number; period: number }>;
  /**
   * Auth methods with lockout: who a login request is for (username, role_id), read from the
   * path inside the mount and the body before the handler runs; undefined when not a login.
   */
  loginAlias?: (path: string, data: Record<string, unknown>) => string | undefined;
};

/** What an auth method is told about one of its tokens being renewed. */
export type LoginContext = {
  storage: Storage;
  /** What the login put in its grant's `internal`. */
  internal: Record<string, unknown>;
  /** The token's policies as issued. */
  policies: string[];
};

/** What a backend is told about one of its leased secrets. */
export type SecretContext = {
  storage: Storage;
  /** What the handler put in `secret.internal` when it issued the secret. */
  internal: Record<string, unknown>;
  /** The data the secret was first returned with. */
  data: Record<string, unknown>;
  leaseId: string;
};

/** A declared backend with its paths compiled into a routing table. */
export type Backend = BackendSpec & { table: PathTable };

/** Declares a backend; ambiguous path patterns fail here, at start-up. */
export function defineBackend(spec: BackendSpec): Backend {
  return { ...spec, table: new PathTable(spec.paths) };
}
