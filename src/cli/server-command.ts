// `lockbox server`, declared here so that help, completion and flag checks do not load the
// server's modules; the command itself (server.ts) is imported only when it runs.
import type { Subcommand } from './command.js';
import { bool, COMMAND_TITLE, str } from './flags.js';

export const server: Subcommand = {
  synopsis: '[options]', summary: 'Start a Lockbox server',
  description: 'Starts a server that runs until it is sent SIGINT or SIGTERM (SIGHUP reopens the log and audit '
    + 'files). With -config it reads an HCL or JSON configuration file; with -dev it starts an in-memory server that '
    + 'is initialised and unsealed, for development only: everything is lost on exit.',
  examples: ['server -config=/etc/lockbox/config.hcl', 'server -dev', 'server -dev -dev-root-token-id=root'],
  flags: [{
    title: COMMAND_TITLE,
    flags: [
      str('config', 'Path to the configuration file.'),
      bool('dev', 'Run an in-memory development server: initialised, unsealed, with a root token printed at start. Never use it in production.'),
      str('dev-root-token-id', 'With -dev: the root token\'s value instead of a generated one.'),
      str('dev-listen-address', 'With -dev: the address to listen on.', { default: '127.0.0.1:8200' }),
    ],
  }],
  run: async (ctx) => (await import('./server.js')).serverCommand(ctx.args),
};
