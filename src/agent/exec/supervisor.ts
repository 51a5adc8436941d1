// The child process's lifecycle in process supervisor mode, with Vault Agent's rules: a new
// set of variables (re)starts the child 2 s after the last change (renders come in bursts);
// with restart_on_secret_changes = "always" a running child gets restart_stop_signal and,
// 30 s later, SIGKILL, before the new one starts; with "never" it keeps running. A child that
// exits on its own ends the supervisor with its exit code; stop() ends the child the same way
// a restart does. Every wait goes through the injected scheduler.
import type { Exec } from '../config/types.js';
import type { Logger } from '../log.js';
import type { Scheduler } from '../schedule.js';
import type { Launcher, Running } from './child.js';

export const DEBOUNCE_MS = 2000;
export const KILL_TIMEOUT_MS = 30_000;

export type SupervisorOptions = {
  exec: Pick<Exec, 'restartOnSecretChanges' | 'restartStopSignal'>;
  launch: Launcher;
  /** The agent's environment: the child gets it with the rendered variables on top. */
  env: NodeJS.ProcessEnv;
  scheduler: Scheduler;
  log: Logger;
  debounceMs?: number;
  killTimeoutMs?: number;
};

export class Supervisor {
  readonly #o: SupervisorOptions;
  readonly #log: Logger;
  #child: Running | undefined;
  #debounce: AbortController | undefined;
  /** Restarts and the final stop run one after another, never at once. */
  #queue: Promise<void> = Promise.resolve();
  #stopping = false;
  #resolveDone!: (code: number) => void;
  /**
   * Settles with the child's exit code when it exits on its own, or 1 when it could not be
   * started. Never settles after stop().
   */
  readonly done: Promise<number> = new Promise((r) => { this.#resolveDone = r; });

  constructor(o: SupervisorOptions) {
    this.#o = o;
    this.#log = o.log.named('exec.server');
  }

  /** The pid of the running child, if any. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Every variable has rendered, and the set differs from the last one. */
  update(vars: Record<string, string>): void {
    if (this.#stopping) return;
    this.#log.debug('detected a change in the environment variables', { variables: Object.keys(vars).length });
    this.#debounce?.abort();
    const mine = new AbortController();
    this.#debounce = mine;
    void this.#o.scheduler.sleep(this.#o.debounceMs ?? DEBOUNCE_MS, mine.signal).then(() => {
      if (mine.signal.aborted) return;
      this.#debounce = undefined;
      this.#queue = this.#queue.then(() => this.#apply(vars));
    });
  }

  async #apply(vars: Record<string, string>): Promise<void> {
    if (this.#stopping) return;
    const running = this.#child;
    if (running) {
      if (this.#o.exec.restartOnSecretChanges === 'never') {
        this.#log.info('detected update, but not restarting process', { process_id: running.pid });
        return;
      }
      this.#log.info('stopping process', { process_id: running.pid });
      await this.#stopChild(running);
      if (this.#stopping) return;
    }
    let child: Running;
    try {
      child = await this.#o.launch({ ...this.#o.env, ...vars });
    } catch (err) {
      this.#log.error('unable to restart the child process: error starting the child process', { error: (err as Error).message });
      this.#resolveDone(1);
      return;
    }
    this.#child = child;
    this.#log.info('started child process', { process_id: child.pid });
    void child.exited.then((code) => {
      // Exits the supervisor caused (restart, stop) are not the child's own.
      if (this.#child !== child) return;
      this.#child = undefined;
      this.#log.info('child process exited', { process_id: child.pid, exit_code: code });
      this.#resolveDone(code);
    });
  }

  /** restart_stop_signal, then SIGKILL when the child outlives the timeout. */
  async #stopChild(child: Running): Promise<void> {
    this.#child = undefined;
    child.signal(this.#o.exec.restartStopSignal);
    const timer = new AbortController();
    let exited = false;
    void child.exited.then(() => {
      exited = true;
      timer.abort();
    });
    await this.#o.scheduler.sleep(this.#o.killTimeoutMs ?? KILL_TIMEOUT_MS, timer.signal);
    if (!exited) {
      this.#log.warn('timeout waiting for process to terminate, killing it', { process_id: child.pid });
      child.signal('SIGKILL');
      await child.exited;
    }
  }

  /** Stops for good: a pending restart is dropped and a running child is stopped. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#debounce?.abort();
    await this.#queue;
    const running = this.#child;
    if (running) {
      this.#log.info('stopping process', { process_id: running.pid });
      await this.#stopChild(running);
    }
  }
}
