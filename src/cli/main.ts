#!/usr/bin/env node
// The `lockbox` command: dispatches to one module per command group. Exit codes follow
// Vault's CLI: 0 success, 1 a local or usage error, 2 an error from (or reaching) the server.
import { readFileSync } from 'node:fs';
import { VAULT_API_VERSION } from '../core/version.js';
import { LockboxError } from '../util/errors.js';
import { parseArgs } from './args.js';
import { auditCommand } from './audit.js';
import { authCommand } from './auth.js';
import { ApiError, clientOptions, ConnectionError, createClient, type Client } from './client.js';
import { type Context } from './command.js';
import { LocalError } from './errors.js';
import { deleteCommand, listCommand, readCommand, unwrapCommand, writeCommand } from './generic.js';
import { kvCommand } from './kv.js';
import { leaseCommand } from './lease.js';
import { loginCommand } from './login.js';
import { operatorCommand } from './operator.js';
import { formatOf } from './output.js';
import { policyCommand } from './policy.js';
import { secretsCommand } from './secrets.js';
import { statusCommand } from './status.js';
import { tokenCommand } from './token.js';
import { sopsCommand } from './sops/command.js';

/**
 * Flags that never take a separate value. One set for every command: Vault gives a flag name
 * the same kind everywhere, and `-self TOKEN` must not swallow TOKEN as the flag's value.
 */
const BOOLEAN_FLAGS = new Set([
  'dev', 'reset', 'force', 'f', 'prefix', 'orphan', 'no-print', 'self', 'detailed', 'recursive', 'status',
  'accessor', 'no-default-policy', 'renewable', 'no-store', 'token-only', 'tls-skip-verify', 'cas-required',
  'local', 'seal-wrap', 'external-entropy-access', 'force-no-cache', 'h', 'help', 'non-interactive',
]);

const USAGE = `Usage: lockbox <command> [args]

Common commands:
    read        Read data from a path
    write       Write data to a path
    delete      Delete data at a path
    list        List the keys under a path
    login       Authenticate and store the token locally
    server      Start a server (-dev for an in-memory development server)
    status      Print the seal status
    kv          Work with key/value secrets (v1 and v2)

Other commands:
    audit       Enable, disable and list audit devices
    auth        Enable, disable, list and tune auth methods
    lease       Look up, renew and revoke leases
    operator    init, unseal, seal, rotate, key-status
    policy      Write, read, list, delete and format ACL policies
    secrets     Enable, disable, list, tune and move secrets engines
    token       Create, look up, renew, revoke tokens; show capabilities
    unwrap      Unwrap a response-wrapping token
    version     Print the version

Global options: -address=ADDR (LOCKBOX_ADDR, VAULT_ADDR), -format=table|json (VAULT_FORMAT),
    -ca-cert=FILE (LOCKBOX_CACERT, VAULT_CACERT), -tls-skip-verify (VAULT_SKIP_VERIFY),
    -wrap-ttl=D (VAULT_WRAP_TTL): wrap the response in a single-use token
`;

type Handler = (ctx: Context) => Promise<number>;

/** The version in package.json, three levels up from dist/src/cli where this module runs. */
function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
  } catch {
    return 'unknown';
  }
}

const COMMANDS: Record<string, Handler> = {
  status: statusCommand, operator: operatorCommand, login: loginCommand, token: tokenCommand,
  policy: policyCommand, secrets: secretsCommand, auth: authCommand, kv: kvCommand, lease: leaseCommand, audit: auditCommand,
  read: readCommand, write: writeCommand, delete: deleteCommand, list: listCommand, unwrap: unwrapCommand,
  sops: sopsCommand,
};

/** Runs the CLI and returns its exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const args = parseArgs(rest, BOOLEAN_FLAGS);
  // Loaded only for `server`: the client commands should not pay for (or break with) the server's modules.
  if (command === 'server') return (await import('./server.js')).serverCommand(args);
  if (command === 'version' || command === '-version' || command === '--version' || command === '-v') {
    process.stdout.write(`Lockbox v${packageVersion()} (Vault API ${VAULT_API_VERSION})\n`);
    return 0;
  }
  const handler = command === undefined ? undefined : COMMANDS[command];
  if (!handler) {
    const help = command === undefined || command === '-h' || command === '--help' || command === '-help' || command === 'help';
    if (!help) process.stderr.write(`Unknown command "${command}"\n\n`);
    (help ? process.stdout : process.stderr).write(USAGE);
    return command !== undefined && help ? 0 : 127;
  }
  try {
    const options = clientOptions(args);
    let client: Client | undefined;
    return await handler({ args, format: formatOf(args), options, client: () => (client ??= createClient(options)) });
  } catch (err) {
    if (err instanceof ApiError || err instanceof ConnectionError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    if (err instanceof LocalError) {
      process.stderr.write(`${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    const message = err instanceof LockboxError ? err.message : err instanceof Error ? err.message : String(err);
    process.stderr.write(`Error: ${message}\n`);
    process.exitCode = 1;
  },
);
