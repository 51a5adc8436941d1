#!/usr/bin/env node
// The `lockbox` command: dispatches to one module per command group.
import { LockboxError } from '../errors.js';
import { parseArgs } from './args.js';
import { serverCommand } from './server.js';

const BOOLEAN_FLAGS = new Set(['dev', 'reset', 'force', 'prefix', 'orphan', 'no-print', 'self', 'detailed', 'recursive']);

const USAGE = `Usage: lockbox <command> [args]

Common commands:
    server      Start a server (-dev for an in-memory development server)
    status      Print seal and HA status
    operator    init, unseal, seal, rotate, key-status
`;

/** Runs the CLI and returns its exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const args = parseArgs(rest, BOOLEAN_FLAGS);
  switch (command) {
    case 'server':
      return serverCommand(args);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 127 : 0;
    default:
      process.stderr.write(`Unknown command "${command}"\n\n${USAGE}`);
      return 127;
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
