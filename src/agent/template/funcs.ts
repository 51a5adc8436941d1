// The data functions templates call, as consul-template defines them: each names a dependency
// (secret, secrets, pkiCert, file), answers it from the runner's cache, and records it as
// missing when it is not there yet (the template then sees nil, "" or an empty list, as in
// consul-template, and the runner fetches and evaluates again).
import { lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, normalize, relative, sep } from 'node:path';
import { GoError, goStrings, typed, type FuncMap } from '../gotemplate/index.js';

export type Dep =
  | { kind: 'secret'; path: string; args?: Record<string, string> }
  | { kind: 'list'; path: string }
  | { kind: 'pki'; path: string; args: Record<string, string>; dest: string }
  | { kind: 'file'; path: string };

export const depKey = (d: Dep): string => JSON.stringify(d);

/** What a template's functions see: the cached value, or undefined (then recorded as missing). */
export type Recall = (d: Dep) => { value: unknown } | undefined;

export const DATA_FUNCS = ['secret', 'secrets', 'pkiCert', 'file', 'env', 'mustEnv', 'envOrDefault'];

/** "k=v" arguments: empty ones are skipped, both sides trimmed. */
function keyValues(rest: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of rest) {
    if (kv.length === 0) continue;
    const i = kv.indexOf('=');
    if (i < 0) throw new GoError(`not k=v pair ${JSON.stringify(kv)}`);
    out[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
  }
  return out;
}

/** Go's filepath.EvalSymlinks, with its error text for a missing component. */
function evalSymlinks(p: string): string {
  try {
    return realpathSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error((err as Error).message);
    // Go reports the first component that does not exist.
    let missing = p;
    for (let up = dirname(p); up !== missing; up = dirname(up)) {
      try {
        lstatSync(up);
        break;
      } catch {
        missing = up;
      }
    }
    throw new Error(`lstat ${missing}: no such file or directory`);
  }
}

/** consul-template's resolveSandboxedPath: the real path, which must lie inside the sandbox. */
export function resolveSandboxed(sandbox: string | undefined, path: string): string {
  if (!sandbox) return normalize(path);
  let root: string;
  let target: string;
  try {
    root = evalSymlinks(normalize(sandbox));
  } catch (err) {
    throw new GoError(`failed to resolve sandbox path: ${(err as Error).message}`);
  }
  try {
    target = evalSymlinks(normalize(path));
  } catch (err) {
    throw new GoError(`failed to resolve target path: ${(err as Error).message}`);
  }
  if (isAbsolute(root) !== isAbsolute(target)) throw new GoError(`failed to get relative path: Rel: can't make ${target} relative to ${root}`);
  const rel = relative(root, target);
  if (rel === '..' || rel.startsWith(`..${sep}`)) throw new GoError(`'${path}' is outside of sandbox`);
  return target;
}

export type FuncOptions = {
  recall: Recall;
  env: NodeJS.ProcessEnv;
  destination: string;
  sandboxPath?: string;
  denylist: string[];
};

export function dataFuncs(o: FuncOptions): FuncMap {
  const { recall, env } = o;
  const denied: FuncMap = Object.fromEntries(o.denylist.map((n) => [n, () => {
    throw new GoError('function is disabled');
  }]));
  const f = (fn: (...a: never[]) => unknown) => fn as (...a: never[]) => unknown;
  return {
    secret: typed(['string'], f((path: string, ...rest: string[]) => {
      const d: Dep = rest.length > 0 ? { kind: 'secret', path, args: keyValues(rest) } : { kind: 'secret', path };
      return recall(d)?.value;
    }), 'string'),
    secrets: typed(['string'], f((path: string) => {
      if (path === '') return goStrings([]);
      const hit = recall({ kind: 'list', path });
      return hit ? hit.value : goStrings([]);
    })),
    pkiCert: typed([], f((...s: string[]) => {
      if (s.length === 0) return null;
      const [path, ...rest] = s as [string, ...string[]];
      return recall({ kind: 'pki', path, args: keyValues(rest), dest: o.destination })?.value;
    }), 'string'),
    file: typed(['string'], f((path: string) => {
      if (path === '') return '';
      const hit = recall({ kind: 'file', path: resolveSandboxed(o.sandboxPath, path.trim()) });
      return hit ? hit.value : '';
    })),
    env: typed(['string'], f((name: string) => env[name] ?? '')),
    mustEnv: typed(['string'], f((name: string) => {
      const v = env[name];
      if (v === undefined) throw new GoError(`environment variable ${name} is not set`);
      return v;
    })),
    envOrDefault: typed(['string', 'string'], f((name: string, def: string) => env[name] || def)),
    ...denied,
  };
}
