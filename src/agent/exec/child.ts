// Starting the supervised process, as consul-template's child package does for Vault Agent:
// `command = ["one string with spaces"]` runs under `sh -c` in a process group of its own (so
// a signal reaches the shell's children too); any other command is run directly. The child
// reads the agent's stdin and writes to its stdout/stderr, or to the files exec names.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';

/** A started child. */
export type Running = {
  pid: number;
  /** Sends `sig` to the child (to its process group when it runs under sh -c). */
  signal(sig: NodeJS.Signals): void;
  /** Settles once the child has exited: its exit code, or 128 + the number of the signal that ended it. */
  exited: Promise<number>;
};

/** Starts the child with this environment; rejects when it cannot be started. */
export type Launcher = (env: NodeJS.ProcessEnv) => Promise<Running>;

/** consul-template's CommandPrep: the argv to run, and whether it is a shell. */
export function commandPrep(command: string[]): { argv: string[]; shell: boolean } {
  const [first] = command;
  if (command.length === 1 && first !== undefined && first.trim().split(/\s+/).length > 1) return { argv: ['/bin/sh', '-c', first], shell: true };
  return { argv: command, shell: false };
}

/** The child's output files (opened for appending, 0644, as Vault opens them), or the agent's own streams. */
export class ChildOutput {
  readonly stdout: number | 'inherit';
  readonly stderr: number | 'inherit';

  constructor(stdoutPath: string | undefined, stderrPath: string | undefined) {
    const open = (p: string) => {
      try {
        return openSync(p, 'a', 0o644);
      } catch (err) {
        throw new Error(`could not open ${JSON.stringify(p)}, ${(err as Error).message}`);
      }
    };
    this.stdout = stdoutPath ? open(stdoutPath) : 'inherit';
    try {
      this.stderr = stderrPath ? open(stderrPath) : 'inherit';
    } catch (err) {
      if (typeof this.stdout === 'number') closeSync(this.stdout);
      throw err;
    }
  }

  close(): void {
    for (const fd of [this.stdout, this.stderr]) if (typeof fd === 'number') closeSync(fd);
  }
}

export function processLauncher(command: string[], out: ChildOutput): Launcher {
  const { argv, shell } = commandPrep(command);
  const [file, ...args] = argv as [string, ...string[]];
  return (env) => new Promise((resolve, reject) => {
    // Node refuses such an environment with a message quoting the value: name the variable only.
    const bad = Object.entries(env).find(([, v]) => v?.includes('\0'));
    if (bad) return reject(new Error(`environment variable ${bad[0]} holds a NUL byte`));
    // detached puts the shell in a new process group (setsid), the Setpgid Vault uses for sh -c.
    const child = spawn(file, args, { env, stdio: ['inherit', out.stdout, out.stderr], detached: shell });
    const exited = new Promise<number>((done) => {
      child.on('exit', (code, sig) => done(code ?? 128 + (sig ? constants.signals[sig] : 0)));
    });
    child.once('error', reject);
    child.once('spawn', () => {
      child.off('error', reject);
      // A signal to a process that has just exited is not an error worth reporting.
      child.on('error', () => undefined);
      const pid = child.pid as number;
      resolve({
        pid, exited,
        signal: (sig) => {
          try {
            process.kill(shell ? -pid : pid, sig);
          } catch { /* already gone */ }
        },
      });
    });
  });
}
