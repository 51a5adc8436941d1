// `lockbox agent`, declared here so that help, completion and flag checks do not load the
// agent's modules; the agent itself (src/agent/) is imported only when it runs.
import type { Subcommand } from './command.js';
import { bool, COMMAND_TITLE, listFlag, str } from './flags.js';

export const agent: Subcommand = {
  synopsis: '[options]', summary: 'Start a Vault-Agent-compatible agent',
  description: 'Starts an agent that logs in (auto_auth), keeps its token alive, writes it to sinks, renders '
    + 'templates and proxies API requests, as Vault Agent does and from the same configuration. It runs until it '
    + 'is sent SIGINT or SIGTERM, or, with -exit-after-auth, until it has logged in once and written everything.',
  examples: ['agent -config=/etc/lockbox/agent.hcl', 'agent -config=agent.d/ -exit-after-auth'],
  flags: [{
    title: COMMAND_TITLE,
    flags: [
      listFlag('config', 'Path to a configuration file or a directory of them (*.hcl and *.json, merged in name order). May be repeated.'),
      bool('exit-after-auth', 'Log in once, write every sink and template, then exit: 0 when all of it worked.'),
      str('log-level', 'The lowest level logged: trace, debug, info, warn or error. Overrides log_level in the configuration.',
        { env: ['LOCKBOX_LOG_LEVEL', 'VAULT_LOG_LEVEL'], completion: ['trace', 'debug', 'info', 'warn', 'error'] }),
    ],
  }],
  run: async (ctx) => (await import('../agent/command.js')).agentCommand({
    configs: ctx.args.all('config'),
    exitAfterAuth: ctx.args.on('exit-after-auth'),
    logLevel: ctx.args.flag('log-level'),
  }),
};
