// The pod's own service-account files (token and CA), used when the config names no reviewer
// JWT or CA. Projected tokens rotate on disk, so the token is re-read once a minute; the CA
// once an hour (Vault's periods). The directory is /var/run/secrets/kubernetes.io/serviceaccount/
// unless LOCKBOX_KUBERNETES_SERVICE_ACCOUNT_DIR names another (read on every use).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const DEFAULT_SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
export const SERVICE_ACCOUNT_DIR_ENV = 'LOCKBOX_KUBERNETES_SERVICE_ACCOUNT_DIR';

/** How long a read of each file is trusted, in ms. */
const TOKEN_TTL_MS = 60_000;
const CA_TTL_MS = 3_600_000;

/** The directory holding `token` and `ca.crt`. */
export function serviceAccountDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env[SERVICE_ACCOUNT_DIR_ENV];
  return dir !== undefined && dir !== '' ? dir : DEFAULT_SERVICE_ACCOUNT_DIR;
}

/** A read failure whose message names the file and the cause, never its content (Go's os error shape). */
export class LocalFileError extends Error {}

type Cached = { text: string; expires: number };
const cache = new Map<string, Cached>();

async function readCached(path: string, ttlMs: number, now: number): Promise<string> {
  const hit = cache.get(path);
  if (hit && now < hit.expires) return hit.text;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : 'read failed';
    throw new LocalFileError(`open ${path}: ${why}`);
  }
  cache.set(path, { text, expires: now + ttlMs });
  return text;
}

/** The local service-account token (trimmed), re-read when older than a minute on `now` (ms). */
export async function localToken(now: number): Promise<string> {
  return (await readCached(join(serviceAccountDir(), 'token'), TOKEN_TTL_MS, now)).trim();
}

/** The local CA bundle, re-read when older than an hour. */
export async function localCaCert(now: number): Promise<string> {
  return await readCached(join(serviceAccountDir(), 'ca.crt'), CA_TTL_MS, now);
}
