#!/usr/bin/env node
// The `lockbox` command: finds the declared command a command line names, parses its flags
// against the declaration and runs it. Exit codes follow Vault's CLI: 0 success, 1 a local or
// usage error, 2 an error from (or reaching) the server; 127 for no or an unknown command.
import { readFileSync } from 'node:fs';
import { VAULT_API_VERSION } from '../core/version.js';
import { LockboxError } from '../util/errors.js';
import { FlagError, parseArgs } from './args.js';
import { agent } from './agent-command.js';
import { auditCommand } from './audit.js';
import { authCommand } from './auth.js';
import { ApiError, clientOptions, ConnectionError, createClient, type Client } from './client.js';
import { type Group, type Subcommand } from './command.js';
import { LocalError } from './errors.js';
import { installCompletion } from './completion.js';
import { genericCommands } from './generic.js';
import { kvCommand } from './kv.js';
import { leaseCommand } from './lease.js';
import { login } from './login.js';
import { operatorCommand } from './operator.js';
import { formatOf } from './output.js';
import { policyCommand } from './policy.js';
import { printCommand } from './print.js';
import { secretsCommand } from './secrets.js';
import { server } from './server-command.js';
import { sopsCommand } from './sops/command.js';
import { status } from './status.js';
import { awsCommand } from './aws.js';
import { tokenCommand } from './token.js';
import { allFlags, complete, groupHelp, leafHelp, resolve, rootHelp, suggestion } from './tree.js';

/** The version in package.json, three levels up from dist/src/cli where this module runs. */
function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
  } catch {
    return 'unknown';
  }
}

const version: Subcommand = {
  synopsis: '', summary: 'Prints the Lockbox CLI version',
  description: 'Prints the version of this CLI and the level of Vault\'s API it speaks. "lockbox status" shows the server\'s.',
  examples: ['version'], flags: [],
  run: async () => {
    process.stdout.write(`Lockbox v${packageVersion()} (Vault API ${VAULT_API_VERSION})\n`);
    return 0;
  },
};

/** Every command, as Vault names them. */
export const ROOT: Group = {
  summary: 'Lockbox',
  subcommands: {
    ...genericCommands, agent, login, server, status, version,
    audit: auditCommand, auth: authCommand, aws: awsCommand, kv: kvCommand, lease: leaseCommand, operator: operatorCommand,
    policy: policyCommand, print: printCommand, secrets: secretsCommand, sops: sopsCommand, token: tokenCommand,
  },
};

/** Listed first in the top-level usage, as in Vault's. */
const COMMON = ['read', 'write', 'delete', 'list', 'login', 'server', 'status', 'unwrap'];

const TOP_FLAGS_ERROR = 'Invalid flags before the subcommand. If these flags are for\nthe subcommand, please put them after the subcommand.\n\n';

/** Runs the CLI and returns its exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Shell completion (`complete -C lockbox lockbox`): the shell runs us with COMP_LINE set.
  if (env.COMP_LINE !== undefined) {
    const line = env.COMP_LINE.slice(0, env.COMP_POINT === undefined ? undefined : Number(env.COMP_POINT));
    for (const word of complete(line, ROOT)) process.stdout.write(`${word}\n`);
    return 0;
  }
  if (argv.length === 1 && ['-v', '-version', '--version'].includes(argv[0] as string)) return version.run(undefined as never);
  if (argv.length === 1 && ['-autocomplete-install', '--autocomplete-install', '-autocomplete-uninstall', '--autocomplete-uninstall'].includes(argv[0] as string)) {
    return installCompletion(argv[0]?.includes('uninstall') ? 'uninstall' : 'install', env);
  }
  if (argv[0] === 'help' && argv.length === 1) {
    process.stderr.write(rootHelp(ROOT, COMMON));
    return 0;
  }
  const r = resolve(argv, ROOT);
  if (r.kind === 'unknown') {
    const where = r.path.length === 0 ? 'command' : 'subcommand';
    const name = [...r.path, r.word].join(' ');
    process.stderr.write(`Unknown ${where} "${name}"\n${suggestion(r.word, Object.keys(r.group.subcommands))}\n`);
    process.stderr.write(r.path.length === 0 ? rootHelp(ROOT, COMMON) : groupHelp(r.path, r.group));
    // Vault: an unknown command prints the usage with 127; below a group it is a usage error.
    return r.path.length === 0 ? 127 : 1;
  }
  if (r.kind === 'group') {
    process.stderr.write(r.path.length === 0 ? rootHelp(ROOT, COMMON) : groupHelp(r.path, r.group));
    return r.help ? 0 : 127;
  }
  // Vault writes help to stderr, so piped output stays clean.
  if (r.help) {
    process.stderr.write(leafHelp(r.path, r.leaf));
    return 0;
  }
  if (r.topFlags.length > 0) {
    process.stderr.write(TOP_FLAGS_ERROR + leafHelp(r.path, r.leaf));
    return 1;
  }
  try {
    const args = parseArgs(r.rest, r.leaf.flags.flatMap((g) => g.flags));
    const options = clientOptions(args);
    let client: Client | undefined;
    return await r.leaf.run({ args, format: formatOf(args, env, r.leaf.rawOutput, allFlags(r.leaf).some((f) => f.name === 'format')), options, client: () => (client ??= createClient(options)) });
  } catch (err) {
    if (err instanceof ApiError || err instanceof ConnectionError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    if (err instanceof LocalError) {
      process.stderr.write(`${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof FlagError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

// Run only as the program, not when a test imports ROOT.
if (process.argv[1] !== undefined && /(^|[\\/])(lockbox|main\.js)$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      const message = err instanceof LockboxError ? err.message : err instanceof Error ? err.message : String(err);
      // Messages that already say what failed ("Error loading configuration from …") stand alone.
      process.stderr.write(message.startsWith('Error') ? `${message}\n` : `Error: ${message}\n`);
      process.exitCode = 1;
    },
  );
}
