// `lockbox server`, declared here so that help, completion and flag checks do not load the
// server's modules; the command itself (server.ts) is imported only when it runs.
import type { Subcommand } from './command.js';
import { bool, COMMAND_TITLE, listFlag, str } from './flags.js';

export const server: Subcommand = {
  synopsis: '[options]', summary: 'Start a Lockbox server',
  description: 'Starts a server that runs until it is sent SIGINT or SIGTERM (SIGHUP reopens the log and audit '
    + 'files). With -config it reads an HCL or JSON configuration file; with -dev it starts an in-memory server that '
    + 'is initialised and unsealed, for development only: everything is lost on exit.',
  examples: ['server -config=/etc/lockbox/config.hcl', 'server -dev', 'server -dev -dev-root-token-id=root'],
  flags: [{
    title: COMMAND_TITLE,
    flags: [
      listFlag('config', 'Path to a configuration file or a directory of them (*.hcl and *.json, merged in name order, '
        + 'as Vault merges them). May be repeated.'),
      bool('dev', 'Run an in-memory development server: initialised, unsealed, with a root token printed at start. Never use it in production.'),
      str('dev-root-token-id', 'With -dev: the root token\'s value instead of a generated one.', { env: ['LOCKBOX_DEV_ROOT_TOKEN_ID', 'VAULT_DEV_ROOT_TOKEN_ID'] }),
      str('dev-listen-address', 'With -dev: the address to listen on.', { default: '127.0.0.1:8200', env: ['LOCKBOX_DEV_LISTEN_ADDRESS', 'VAULT_DEV_LISTEN_ADDRESS'] }),
      str('log-level', 'The lowest level logged: trace, debug, info, warn or error. Overrides log_level in the configuration.',
        { default: 'info', env: ['LOCKBOX_LOG_LEVEL', 'VAULT_LOG_LEVEL'], completion: ['trace', 'debug', 'info', 'warn', 'error'] }),
      str('log-format', 'How log lines look: "standard" (text) or "json". Overrides log_format in the configuration.',
        { default: 'standard', env: ['LOCKBOX_LOG_FORMAT', 'VAULT_LOG_FORMAT'], completion: ['standard', 'json'] }),
    ],
  }],
  run: async (ctx) => (await import('./server.js')).serverCommand(ctx.args),
};
