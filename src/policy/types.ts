// Data shapes shared by the parser and the ACL. A Policy is plain data (what the text said,
// validated); compileAcl turns a token's policies into the structure requests are checked against.

/** Capabilities a policy path may grant, as Vault spells them. */
export const CAPABILITIES = ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny'] as const;

/** One capability a policy path may grant. */
export type Capability = (typeof CAPABILITIES)[number];

/** The request operations an ACL decides on (each needs the capability of the same name). */
export type Operation = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list';

/** Parameter name (lower-cased) → permitted or forbidden values; `[]` means any value. */
export type ParamConstraints = Readonly<Record<string, readonly unknown[]>>;

/** One `path "<pattern>" { … }` stanza of a policy. */
export type PathRule = {
  /** The pattern as written, less a leading "/": exact, trailing `*` glob, or `+` segments. */
  path: string;
  /** Granted capabilities; a stanza naming `deny` holds `["deny"]` alone. */
  capabilities: readonly Capability[];
  /** `{}` when the stanza sets none (no constraint). */
  allowedParameters: ParamConstraints;
  deniedParameters: ParamConstraints;
  requiredParameters: readonly string[];
  /** Seconds; 0 when unset. */
  minWrappingTtl: number;
  maxWrappingTtl: number;
};

/** A parsed ACL policy: its name (lower-cased), the text it came from, and its stanzas in order. */
export type Policy = {
  name: string;
  raw: string;
  paths: readonly PathRule[];
};

/** What a request asks of the ACL. `wrapTtlSeconds` is set only when response wrapping was requested. */
export type AclRequest = {
  path: string;
  operation: Operation;
  params?: Readonly<Record<string, unknown>>;
  wrapTtlSeconds?: number;
  /** false: decide on path, capability and wrapping only (the parameters come later). */
  checkParameters?: boolean;
};

/** The ACL's answer. `rootPrivs` is the applying rule's `sudo`; `reason` is for logs, never the client. */
export type AclDecision = {
  allowed: boolean;
  rootPrivs: boolean;
  reason?: string;
};

/** A token's compiled policies. */
export interface Acl {
  /** True when the `root` policy is among the token's policies. */
  readonly root: boolean;
  /** Decides one request. */
  allowed(request: AclRequest): AclDecision;
  /** Vault's sys/capabilities answer for a path: sorted names, `["deny"]` or `["root"]`. */
  capabilities(path: string): string[];
  /** Whether any rule grants something at or below `prefix` (Vault's check for mount discovery). */
  grantsUnder(prefix: string): boolean;
}
