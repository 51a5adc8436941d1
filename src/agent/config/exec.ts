// The exec block: the child process the agent runs, and when and how it is restarted.
import { constants } from 'node:os';
import type { Body } from './body.js';
import type { Exec } from './types.js';

export function parseExec(body: Body): Exec {
  const command = body.strings('command', true) ?? [];
  const restart = body.string('restart_on_secret_changes') ?? 'always';
  if (restart !== 'always' && restart !== 'never') body.fail('restart_on_secret_changes', `'exec.restart_on_secret_changes' unexpected value: ${JSON.stringify(restart)}`);
  const signal = (body.string('restart_stop_signal') ?? 'SIGTERM').toUpperCase();
  const name = signal.startsWith('SIG') ? signal : `SIG${signal}`;
  if (!(name in constants.signals)) body.fail('restart_stop_signal', `'exec.restart_stop_signal' unknown signal: ${JSON.stringify(signal)}`);
  const e: Exec = {
    command, restartOnSecretChanges: restart, restartStopSignal: name as NodeJS.Signals,
    childProcessStdout: body.string('child_process_stdout') || undefined,
    childProcessStderr: body.string('child_process_stderr') || undefined,
  };
  body.finish();
  return e;
}
