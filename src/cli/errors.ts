// The CLI's own failures (as opposed to the server's, which are ApiError): each carries the
// exit code Vault's CLI uses for it. A leaf of the CLI: every command module may throw these.

/** A local failure (unreadable file, bad input): exit code 1. */
export class LocalError extends Error {
  readonly exitCode: number = 1;
}

/** A request the target cannot serve, found out before sending it (kv patch on v1): exit code 2. */
export class NotPossible extends LocalError {
  override readonly exitCode: number = 2;
}

/** A mistake on the command line: exit code 1, like Vault's usage errors. */
export class UsageError extends LocalError {}
