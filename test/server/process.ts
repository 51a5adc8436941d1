// Runs the real `lockbox server` CLI as a child process, for tests of what only a process
// shows: exit codes, signals, restarts and crashes.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

/** bin/lockbox, from dist/test/server/ */
export const BIN = fileURLToPath(new URL('../../../bin/lockbox', import.meta.url));

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** Writes an HCL config for a SQLite server on `port`; `extra` is appended verbatim. */
export function writeConfig(file: string, opts: { db: string; port: number; listener?: string; extra?: string }): void {
  writeFileSync(file, [
    `storage "sqlite" {\n  path = ${JSON.stringify(opts.db)}\n}`,
    `listener "tcp" {\n  address = "127.0.0.1:${opts.port}"\n  ${opts.listener ?? 'tls_disable = true'}\n}`,
    opts.extra ?? '',
  ].join('\n'));
}

/** A running `lockbox server` process. */
export type ServerProcess = {
  proc: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  /** Sends `signal` and resolves with the exit code (or the signal that ended it). */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals>;
  /** Resolves with the exit code (or the signal that ended it) once the process has exited. */
  exited: Promise<number | NodeJS.Signals>;
};

/** Starts `lockbox server -config=<file>` and waits until it says it listens; `env` replaces the environment. */
export async function spawnServer(configFile: string, env?: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [BIN, 'server', `-config=${configFile}`], { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env } : {}) });
  let out = '';
  let err = '';
  proc.stdout?.setEncoding('utf8').on('data', (s: string) => { out += s; });
  proc.stderr?.setEncoding('utf8').on('data', (s: string) => { err += s; });
  const exited = once(proc, 'exit').then(([code, signal]) => (code ?? signal) as number | NodeJS.Signals);
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /Listening on (\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    };
    proc.stdout?.on('data', check);
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${out}\n${err}`)));
  });
  return {
    proc, url, exited,
    stdout: () => out,
    stderr: () => err,
    stop: (signal = 'SIGTERM') => {
      proc.kill(signal);
      return exited;
    },
  };
}

/** A JSON call to a server; `token` goes in X-Vault-Token. */
export async function call(url: string, method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const res = await fetch(`${url}/v1/${path}`, {
    method,
    headers: opts.token ? { 'X-Vault-Token': opts.token } : {},
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Submits unseal key shares in turn; resolves with the last seal status. */
export async function unseal(url: string, keys: string[]): Promise<{ sealed: boolean }> {
  let status = { sealed: true };
  for (const key of keys) status = (await call(url, 'PUT', 'sys/unseal', { body: { key } })).body;
  return status;
}
