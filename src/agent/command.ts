// The entry of `lockbox agent` (loaded only when it runs): reads the configuration, sets up
// logging and signals, and runs the agent.
import { loadConfig, ConfigError } from './config/index.js';
import { runAgent } from './agent.js';
import { createLogger, isLevel, type Level } from './log.js';

export type AgentArgs = { configs: string[]; exitAfterAuth: boolean; logLevel?: string };

export async function agentCommand(args: AgentArgs, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let config;
  try {
    config = loadConfig(args.configs, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const levelText = (args.logLevel || config.logLevel || 'info').toLowerCase();
  if (!isLevel(levelText)) {
    process.stderr.write(`unknown log level: ${levelText}\n`);
    return 1;
  }
  const level: Level = levelText;
  const log = createLogger(level).named('agent');
  const ac = new AbortController();
  const stop = (sig: NodeJS.Signals) => {
    log.info(`received ${sig === 'SIGINT' ? 'interrupt' : 'terminate'} signal, shutting down`);
    ac.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stderr.write('==> Lockbox agent started! Log data will stream in below:\n\n');
  try {
    return await runAgent({ config, env, log, level, exitAfterAuth: args.exitAfterAuth || config.exitAfterAuth, signal: ac.signal });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
