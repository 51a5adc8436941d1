// `lockbox agent`: wires the configured parts together. Auto-auth feeds each new token to the
// sinks (and, as they land, the template runner and API proxy); SIGINT/SIGTERM stop it all,
// remove pid_file and exit 0. With exit-after-auth it logs in once, writes every sink and
// exits: 0 when all of that worked. With exec (process supervisor mode) the runner renders
// env_template into the child's environment, and the agent ends with the child's exit code
// when it exits on its own.
import { rm, writeFile } from 'node:fs/promises';
import { runAutoAuth, AutoAuthFatal, type AuthToken } from './auth/handler.js';
import { DEFAULT_NUM_RETRIES, type AgentConfig } from './config/types.js';
import { createTransport, type Transport } from './http.js';
import type { Level, Logger } from './log.js';
import { realScheduler, type Scheduler } from './schedule.js';
import { LeaseCache } from './cache/cache.js';
import { SinkServer } from './sink/server.js';
import { proxyHandler } from './proxy/handler.js';
import { startListener, type RunningListener } from './proxy/listeners.js';
import { FileOutput } from './template/files.js';
import { compileTemplates, TemplateConfigError, TemplateRunner, type TemplateSource } from './template/runner.js';
import { createExecMode, type ExecMode } from './exec/mode.js';

export type AgentOptions = {
  config: AgentConfig;
  env: NodeJS.ProcessEnv;
  log: Logger;
  level: Level;
  /** -exit-after-auth (or exit_after_auth in the file). */
  exitAfterAuth: boolean;
  signal: AbortSignal;
  scheduler?: Scheduler;
};

/** The server the agent talks to: vault.address, else LOCKBOX_ADDR / VAULT_ADDR. */
export function upstreamAddress(config: AgentConfig, env: NodeJS.ProcessEnv): string {
  return (config.vault?.address || env.LOCKBOX_ADDR || env.VAULT_ADDR || 'http://127.0.0.1:8200').replace(/\/+$/, '');
}

/** Runs until stopped (or, with exit-after-auth, until done); returns the exit code. */
export async function runAgent(o: AgentOptions): Promise<number> {
  const { config, log } = o;
  const s = o.scheduler ?? realScheduler;
  let transport: Transport;
  try {
    transport = createTransport(upstreamAddress(config, o.env), config.vault, config.templateConfig?.maxConnectionsPerHost);
  } catch (err) {
    log.error('error creating the client', { error: (err as Error).message });
    return 1;
  }
  if (config.exec && (o.exitAfterAuth || !config.autoAuth)) {
    log.error(o.exitAfterAuth ? 'exit_after_auth cannot be used with exec (process supervisor mode)' : 'exec (process supervisor mode) requires auto_auth');
    return 1;
  }
  // Every template is parsed before login: a mistake stops the agent now, not at first render.
  let runner: TemplateRunner<TemplateSource> | undefined;
  let exec: ExecMode | undefined;
  try {
    const compiled = compileTemplates(config.templates);
    if (config.exec) {
      exec = createExecMode(config, config.exec, { transport, scheduler: s, log, env: o.env });
      runner = exec.runner;
    } else if (compiled.length > 0) {
      const files = new FileOutput(compiled, log);
      runner = new TemplateRunner({ templates: compiled, output: files, config: config.templateConfig, vault: config.vault, transport, scheduler: s, log, env: o.env });
      await files.removeStaleTemps();
    }
  } catch (err) {
    if (err instanceof TemplateConfigError) {
      log.error(err.message);
      return 1;
    }
    throw err;
  }
  let exitCode = 0;
  let rendering: AbortController | undefined;
  // One signal for everything: the caller's (SIGINT/SIGTERM) or POST /agent/v1/quit.
  const stopper = new AbortController();
  const signal = stopper.signal;
  const onAbort = () => stopper.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  void exec?.done.then((code) => {
    exitCode = code;
    stopper.abort();
  });
  if (config.pidFile) await writeFile(config.pidFile, String(process.pid));
  let current: AuthToken | undefined;
  const listeners: RunningListener[] = [];
  // As in Vault Agent, the auto-auth token is a managed token (answers made with it are
  // cached) when the proxy adds it to requests: api_proxy (or cache) use_auto_auth_token.
  const cache = config.cache ? new LeaseCache({ transport, scheduler: s, log }) : undefined;
  const manageAutoAuth = cache && config.apiProxy?.useAutoAuthToken ? cache : undefined;
  try {
    for (const l of config.listeners) {
      try {
        const running = await startListener(l, proxyHandler(l, {
          transport, apiProxy: config.apiProxy, numRetries: config.vault?.numRetries ?? DEFAULT_NUM_RETRIES, scheduler: s, log,
          autoAuthToken: () => current?.token, quit: () => stopper.abort(), cache,
        }));
        listeners.push(running);
        log.info('listener started', { type: l.type, address: running.address });
      } catch (err) {
        log.error('error starting listener', { type: l.type, address: l.address, error: (err as Error).message });
        return 1;
      }
    }
    const autoAuth = config.autoAuth;
    if (!autoAuth) {
      await s.sleep(Number.MAX_SAFE_INTEGER, signal);
      return 0;
    }
    const sinks = new SinkServer(autoAuth.sinks, transport, s, log);
    try {
      await sinks.start();
    } catch (err) {
      log.error('error starting sinks', { error: (err as Error).message });
      return 1;
    }
    const retry = !o.exitAfterAuth;
    try {
      await runAutoAuth({
        method: autoAuth.method, transport, scheduler: s, log, signal, exitAfterAuth: o.exitAfterAuth,
        onToken: async (t) => {
          current = t;
          manageAutoAuth?.registerAutoAuthToken(t.token);
          await sinks.deliver(t.token, { retry, signal });
          if (!runner) return;
          runner.setToken(t.token);
          if (o.exitAfterAuth) {
            if (!(await runner.renderAll(signal))) exitCode = 1;
            return;
          }
          // A new token re-runs every template under it.
          rendering?.abort();
          const mine = new AbortController();
          rendering = mine;
          signal.addEventListener('abort', () => mine.abort(), { once: true });
          void runner.run(mine.signal, (err) => {
            log.error(err.message);
            exitCode = 1;
            stopper.abort();
          });
        },
        onWrapped: async (w) => sinks.deliver(w, { alreadyWrapped: true, retry, signal }),
      });
    } catch (err) {
      if (err instanceof AutoAuthFatal) {
        log.error(err.message);
        return 1;
      }
      log.error('agent stopped by an error', { error: (err as Error).message });
      return 1;
    }
    if (o.exitAfterAuth) {
      log.info('exit_after_auth set, shutting down');
      return exitCode;
    }
    if (autoAuth.revokeOnShutdown && current) {
      try {
        await transport.json('PUT', 'auth/token/revoke-self', { token: current.token, body: {} });
        log.info('auto-auth token revoked');
      } catch (err) {
        log.error('error revoking the auto-auth token', { error: (err as Error).message });
      }
    }
    return exitCode;
  } finally {
    rendering?.abort();
    cache?.close();
    await exec?.stop();
    o.signal.removeEventListener('abort', onAbort);
    await Promise.all(listeners.map((l) => l.close()));
    if (config.pidFile) await rm(config.pidFile, { force: true }).catch(() => undefined);
  }
}
