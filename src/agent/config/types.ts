// The agent's configuration after parsing: Vault Agent's stanzas, with defaults applied and
// durations in milliseconds. Only what the agent enforces is here (unknown keys are refused).

export type ApproleConfig = {
  type: 'approle';
  roleIdFilePath: string;
  secretIdFilePath?: string;
  removeSecretIdFileAfterReading: boolean;
  secretIdResponseWrappingPath?: string;
};
export type JwtConfig = { type: 'jwt'; path: string; role: string; removeJwtAfterReading: boolean; jwtReadPeriodMs: number };
export type KubernetesConfig = { type: 'kubernetes'; role: string; tokenPath: string };
export type TokenFileConfig = { type: 'token_file'; tokenFilePath: string };
export type MethodConfig = ApproleConfig | JwtConfig | KubernetesConfig | TokenFileConfig;

export type Method = {
  type: MethodConfig['type'];
  /** Without a trailing slash, "auth/<type>" by default. */
  mountPath: string;
  wrapTtlMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  exitOnErr: boolean;
  config: MethodConfig;
};

export type Sink = {
  type: 'file';
  path: string;
  /** File mode bits, 0o640 by default. */
  mode: number;
  wrapTtlMs: number;
  dhType?: 'curve25519';
  dhPath?: string;
  aad?: string;
  deriveKey: boolean;
};

export type AutoAuth = { method: Method; sinks: Sink[]; revokeOnShutdown: boolean };

export type VaultConfig = {
  address?: string;
  caCert?: string;
  caPath?: string;
  clientCert?: string;
  clientKey?: string;
  tlsSkipVerify: boolean;
  tlsServerName?: string;
  /** Retries after the first attempt (12 by default; -1 in the file means none). */
  numRetries: number;
};

export type Listener = {
  type: 'tcp' | 'unix';
  address: string;
  tlsDisable: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  requireRequestHeader: boolean;
  enableQuit: boolean;
  /** unix only: octal mode of the socket file. */
  socketMode?: number;
  at: string;
};

export type ApiProxy = { useAutoAuthToken: boolean; forceAutoAuthToken: boolean; useAutoAuthTokenSet: boolean };
export type Cache = { useAutoAuthTokenSet: boolean; useAutoAuthToken: boolean; forceAutoAuthToken: boolean };

/** A command run after a template changes: argv, or one string run by /bin/sh -c. */
export type Command = { argv: string[] } | { shell: string };

export type Template = {
  source?: string;
  contents?: string;
  destination: string;
  createDestDirs: boolean;
  perms?: number;
  backup: boolean;
  commands: Command[];
  commandTimeoutMs: number;
  errorOnMissingKey: boolean;
  leftDelimiter: string;
  rightDelimiter: string;
  sandboxPath?: string;
  functionDenylist: string[];
  waitMinMs: number;
  waitMaxMs: number;
};

export type TemplateConfig = {
  staticSecretRenderIntervalMs: number;
  exitOnRetryFailure: boolean;
  leaseRenewalThreshold: number;
  maxConnectionsPerHost: number;
};

export type EnvTemplate = {
  name: string;
  source?: string;
  contents?: string;
  errorOnMissingKey: boolean;
  leftDelimiter: string;
  rightDelimiter: string;
  functionDenylist: string[];
};

export type Exec = {
  command: string[];
  restartOnSecretChanges: 'always' | 'never';
  restartStopSignal: NodeJS.Signals;
  childProcessStdout?: string;
  childProcessStderr?: string;
};

export type AgentConfig = {
  autoAuth?: AutoAuth;
  exitAfterAuth: boolean;
  pidFile: string;
  logLevel?: string;
  vault?: VaultConfig;
  cache?: Cache;
  apiProxy?: ApiProxy;
  listeners: Listener[];
  templateConfig?: TemplateConfig;
  templates: Template[];
  exec?: Exec;
  envTemplates: EnvTemplate[];
};

export const DEFAULT_TEMPLATE_CONFIG: TemplateConfig = {
  staticSecretRenderIntervalMs: 5 * 60_000,
  exitOnRetryFailure: false,
  leaseRenewalThreshold: 0.9,
  maxConnectionsPerHost: 10,
};
export const DEFAULT_NUM_RETRIES = 12;
