// Runs `lockbox agent` as its own process against a test server, as a user would.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from '../cli/helpers.js';
import type { TestServer } from '../helpers/server.js';

export type AgentProcess = {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number>;
  stop: (signal?: NodeJS.Signals) => Promise<number>;
};

/** `stdin: 'pipe'` keeps the agent's stdin open for the test to write to (child.stdin). */
export function startAgent(args: string[], env: Record<string, string | undefined> = {}, o: { stdin?: 'pipe' } = {}): AgentProcess {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries({ PATH: process.env.PATH, HOME: process.env.HOME, ...env })) if (v !== undefined) clean[k] = v;
  const child = spawn(process.execPath, [BIN, 'agent', ...args], { env: clean, stdio: [o.stdin ?? 'ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  const exited = new Promise<number>((resolve) => child.on('close', (code, sig) => resolve(code ?? (sig ? 128 : -1))));
  return {
    child, exited, output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls until `check` returns a value (not undefined), or fails after `ms`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 15_000, agent?: AgentProcess): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${agent ? `\nagent output:\n${agent.output()}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const readIfExists = (path: string): string | undefined => (existsSync(path) ? readFileSync(path, 'utf8') || undefined : undefined);

/** What these helpers need of a server: its address and an API call (a TestServer, or a wrapper
 * around a server process). */
export type ServerApi = Pick<TestServer, 'api' | 'url'>;

/** Enables approle (once) and makes a role; returns its role id and a fresh secret id. */
export async function approleRole(srv: ServerApi, role: string, settings: Record<string, unknown>): Promise<{ roleId: string; secretId: string }> {
  const mounts = await srv.api('GET', 'sys/auth');
  if (!mounts.body?.data?.['approle/'] && !mounts.body?.['approle/']) await srv.api('POST', 'sys/auth/approle', { type: 'approle' });
  const made = await srv.api('POST', `auth/approle/role/${role}`, settings);
  if (made.status !== 204) throw new Error(`role: ${made.status} ${JSON.stringify(made.body)}`);
  const roleId = (await srv.api('GET', `auth/approle/role/${role}/role-id`)).body.data.role_id as string;
  const secretId = (await srv.api('POST', `auth/approle/role/${role}/secret-id`, {})).body.data.secret_id as string;
  return { roleId, secretId };
}

export async function lookupSelf(srv: Pick<TestServer, 'url'>, token: string): Promise<number> {
  return (await fetch(`${srv.url}/v1/auth/token/lookup-self`, { headers: { 'X-Vault-Token': token } })).status;
}

/**
 * Writes `<dir>/<name>.hcl`: the server's address and an approle auto_auth whose id files hold
 * `ids`, with `inAutoAuth` inside the auto_auth block (sinks) and `body` after it.
 */
export function writeApproleConfig(srv: Pick<TestServer, 'url'>, dir: string, name: string, ids: { roleId: string; secretId: string }, inAutoAuth: string, body: string): string {
  writeFileSync(join(dir, `${name}-role`), ids.roleId);
  writeFileSync(join(dir, `${name}-secret`), ids.secretId);
  const config = join(dir, `${name}.hcl`);
  writeFileSync(config, `
vault { address = "${srv.url}" }
auto_auth {
  method "approle" {
    config = {
      role_id_file_path = "${join(dir, `${name}-role`)}"
      secret_id_file_path = "${join(dir, `${name}-secret`)}"
    }
  }
  ${inAutoAuth}
}
${body}
`);
  return config;
}
