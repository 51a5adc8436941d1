// A template's command: argv run directly, or one string run by /bin/sh -c, killed when it
// outlives its timeout. A failure is reported to the caller, never fatal to the agent.
import { spawn } from 'node:child_process';
import type { Command } from '../config/types.js';

export function runCommand(c: Command, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  const [file, args] = 'shell' in c ? ['/bin/sh', ['-c', c.shell]] : [c.argv[0] as string, c.argv.slice(1)];
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: err.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && code === null) resolve({ ok: false, detail: `command timed out after ${timeoutMs / 1000}s` });
      else resolve({ ok: code === 0, detail: code === 0 ? '' : `exit status ${code ?? signal}` });
    });
  });
}
