// Child processes for the benchmarks (the server under test, the ceiling, the load generator) and the one API call helper they share.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { LoadOptions, LoadResult } from './load.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (dist/bench/ → ../..). */
export const repoRoot = join(here, '..', '..');

/** A started child process and the first line it printed (or the line matching `ready`). */
export async function startChild(args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let seen = '';
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const m = seen.match(ready);
      if (m) {
        child.stdout?.off('data', onData);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${seen}`)));
  });
  child.removeAllListeners('exit');
  child.stderr?.resume();
  child.stdout?.resume();
  return { child, match };
}

/** Stops a child with SIGTERM and waits for it. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Runs one load in its own process. */
export function runLoad(opts: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'load.js'), JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load exited ${code}`))));
  });
}

/** One Vault API call with `token`: the parsed JSON answer, or a throw naming the status. */
export async function api(base: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/v1/${path}`, { method, headers: { 'X-Vault-Token': token }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as any) : undefined;
}
