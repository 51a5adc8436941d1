// Process supervisor mode's parts, put together for agent.ts: the env_template runner, whose
// complete variable sets feed the supervisor, which runs exec.command. The agent gives the
// runner each new token (as it does in file mode), ends when `done` settles (the child's own
// exit code) and calls stop() on the way out.
import { parseDurationMs } from '../config/body.js';
import type { AgentConfig, EnvTemplate, Exec } from '../config/types.js';
import type { Transport } from '../http.js';
import type { Logger } from '../log.js';
import type { Scheduler } from '../schedule.js';
import { TemplateConfigError, TemplateRunner } from '../template/runner.js';
import { ChildOutput, processLauncher } from './child.js';
import { compileEnvTemplates, EnvOutput } from './env-templates.js';
import { KILL_TIMEOUT_MS, Supervisor } from './supervisor.js';

/**
 * How long a stopped child has before SIGKILL: Vault's fixed 30 s, unless
 * LOCKBOX_AGENT_EXEC_KILL_TIMEOUT (a duration) says otherwise.
 */
export const KILL_TIMEOUT_ENV = 'LOCKBOX_AGENT_EXEC_KILL_TIMEOUT';

export type ExecMode = {
  runner: TemplateRunner<EnvTemplate>;
  /** The child's exit code once it exits on its own (1 when it could not start). */
  done: Promise<number>;
  stop(): Promise<void>;
};

export type ExecDeps = { transport: Transport; scheduler: Scheduler; log: Logger; env: NodeJS.ProcessEnv };

/** Throws TemplateConfigError for a template or an output file that is not usable. */
export function createExecMode(config: AgentConfig, exec: Exec, d: ExecDeps): ExecMode {
  const raw = d.env[KILL_TIMEOUT_ENV];
  const killTimeoutMs = raw === undefined || raw === '' ? KILL_TIMEOUT_MS : parseDurationMs(raw);
  if (killTimeoutMs === undefined) throw new TemplateConfigError(`${KILL_TIMEOUT_ENV}: invalid duration ${JSON.stringify(raw)}`);
  const templates = compileEnvTemplates(config.envTemplates);
  let out: ChildOutput;
  try {
    out = new ChildOutput(exec.childProcessStdout, exec.childProcessStderr);
  } catch (err) {
    throw new TemplateConfigError(`could not create exec server: ${(err as Error).message}`);
  }
  const supervisor = new Supervisor({
    exec, launch: processLauncher(exec.command, out), env: d.env, scheduler: d.scheduler, log: d.log, killTimeoutMs,
  });
  const runner = new TemplateRunner({
    templates, output: new EnvOutput(templates, (vars) => supervisor.update(vars)),
    config: config.templateConfig, vault: config.vault, transport: d.transport, scheduler: d.scheduler, log: d.log, env: d.env,
  });
  return {
    runner, done: supervisor.done,
    stop: async () => {
      await supervisor.stop();
      out.close();
    },
  };
}
