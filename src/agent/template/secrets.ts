// `secret` as consul-template fetches it: KV v2 is found through sys/internal/ui/mounts, so
// `secret "secret/app"` reads secret/data/app (a path already holding data/, metadata/ or
// subkeys/ is kept); with k=v arguments it is a write (wrapped as {data:{…}} on KV v2). JSON
// is parsed losslessly (json.ts), so numbers keep their text as Go's json.Number does.
// `secrets` lists (KV v2 under <mount>/metadata/), and leases are renewed here too.
import { posix } from 'node:path';
import { isLosslessNumber } from 'lossless-json';
import { GoStruct } from '../gotemplate/index.js';
import { ApiError, type Transport } from '../http.js';
import { parseJsonLossless } from './json.js';

export const SECRET_FIELDS = ['Auth', 'Data', 'LeaseDuration', 'LeaseID', 'Renewable', 'RequestID', 'Warnings', 'WrapInfo'] as const;

/** A token a secret carries (auth/token/create and the like): renewed as itself. */
export type FetchedAuth = { clientToken: string; leaseDurationMs: number; renewable: boolean };

/** A fetched secret: what templates see, and what the runner schedules by. */
export type Fetched = {
  value: GoStruct; leaseId: string; leaseDurationMs: number; renewable: boolean; fetchedAt: number;
  /** The answer's data (lossless numbers), for the schedule's rules (certificate, rotation_period…). */
  data: Record<string, unknown>;
  auth?: FetchedAuth;
};

const num = (v: unknown) => (isLosslessNumber(v) ? Number(v.value) : typeof v === 'number' ? v : 0);

/** KV v2 lists under <mount>/metadata/ (consul-template's shim; a path already there is kept). */
export function kvV2ListPath(path: string, mountPath: string): string {
  const mount = mountPath.replace(/\/$/, '');
  if (path.startsWith(posix.join(mount, 'metadata'))) return path;
  if (path === mount) return posix.join(mount, 'metadata');
  return posix.join(mount, 'metadata', path.slice(mount.length));
}

type Mount = { path: string; version: 1 | 2 };

export class SecretReader {
  readonly #t: Transport;
  readonly #token: () => string;
  readonly #mounts = new Map<string, Mount>();

  constructor(t: Transport, token: () => string) {
    this.#t = t;
    this.#token = token;
  }

  /** Forget mounts (after a new token: what it may see can differ). */
  reset(): void {
    this.#mounts.clear();
  }

  async #mount(path: string): Promise<Mount> {
    const cached = [...this.#mounts.values()].find((m) => path.startsWith(m.path));
    if (cached) return cached;
    try {
      const r = await this.#t.json('GET', `sys/internal/ui/mounts/${path}`, { token: this.#token() });
      const data = r?.data as { path?: string; options?: { version?: string } | null } | undefined;
      const m: Mount = { path: data?.path ?? '', version: data?.options?.version === '2' ? 2 : 1 };
      if (m.path !== '') this.#mounts.set(m.path, m);
      return m;
    } catch (err) {
      // Vault's rule: a refused or unknown probe means "use the path as written".
      if (err instanceof ApiError && [400, 403, 404].includes(err.status)) return { path: '', version: 1 };
      throw err;
    }
  }

  async fetch(rawPath: string, writeArgs: Record<string, string> | undefined, now: number): Promise<Fetched> {
    const path = rawPath.replace(/^\/+/, '');
    const mount = await this.#mount(path);
    let full = path;
    if (mount.version === 2 && mount.path !== '') {
      const rest = path.slice(mount.path.length);
      if (!/^(data|metadata|subkeys)\//.test(rest)) full = `${mount.path}data/${rest}`;
    }
    const body = writeArgs === undefined ? undefined : mount.version === 2 ? { data: writeArgs } : writeArgs;
    const res = await this.#t.raw({
      method: body === undefined ? 'GET' : 'PUT',
      path: `/v1/${full.split('/').map(encodeURIComponent).join('/')}`,
      headers: { 'X-Vault-Token': this.#token(), ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
    });
    const text = res.body.toString('utf8');
    if (res.status === 404) throw new Error(`no secret exists at ${full}`);
    if (res.status >= 400) {
      let errors: string[] = [];
      try {
        errors = ((JSON.parse(text) as { errors?: string[] }).errors ?? []).map(String);
      } catch { /* not JSON */ }
      throw new ApiError(body === undefined ? 'GET' : 'PUT', `${this.#t.address}/v1/${full}`, res.status, errors, text);
    }
    const parsed = (text === '' ? {} : parseJsonLossless(text)) as Record<string, unknown>;
    const data = parsed.data as Record<string, unknown> | null | undefined;
    // A deleted or destroyed KV v2 version answers with data.data null: no secret, as Vault says.
    if (data === null || data === undefined || (mount.version === 2 && full.startsWith(`${mount.path}data/`) && data.data === null)) {
      if (body === undefined) throw new Error(`no secret exists at ${full}`);
    }
    const leaseDuration = num(parsed.lease_duration);
    const value = new GoStruct('*dependency.Secret', SECRET_FIELDS, {
      RequestID: parsed.request_id ?? '', LeaseID: parsed.lease_id ?? '', LeaseDuration: leaseDuration,
      Renewable: parsed.renewable === true, Data: data ?? {}, Warnings: parsed.warnings ?? null,
      Auth: parsed.auth ?? null, WrapInfo: parsed.wrap_info ?? null,
    });
    const auth = parsed.auth as Record<string, unknown> | null | undefined;
    return {
      value, leaseId: String(parsed.lease_id ?? ''), leaseDurationMs: leaseDuration * 1000, renewable: parsed.renewable === true, fetchedAt: now,
      data: data ?? {},
      auth: auth && typeof auth.client_token === 'string'
        ? { clientToken: auth.client_token, leaseDurationMs: num(auth.lease_duration) * 1000, renewable: auth.renewable === true }
        : undefined,
    };
  }

  /** LIST: the keys under a path, sorted byte-wise; nothing there is an empty list. */
  async list(rawPath: string): Promise<string[]> {
    const path = rawPath.trim().replace(/^\/+|\/+$/g, '');
    const mount = await this.#mount(path);
    const full = mount.version === 2 && mount.path !== '' ? kvV2ListPath(path, mount.path) : path;
    let r: Record<string, unknown> | undefined;
    try {
      r = await this.#t.json('GET', full, { token: this.#token(), query: { list: 'true' } });
    } catch (err) {
      // Vault's client answers a 404 as no secret at all: an empty list.
      if (err instanceof ApiError && err.status === 404) return [];
      throw err;
    }
    const keys = (r?.data as { keys?: unknown } | null | undefined)?.keys;
    if (keys === undefined || keys === null) return [];
    if (!Array.isArray(keys)) throw new Error(`vault.list(${path}): unexpected response`);
    if (keys.some((k) => typeof k !== 'string')) throw new Error(`vault.list(${path}): non-string in list`);
    return (keys as string[]).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  }

  /** A write whose answer's data is returned as is (pkiCert's issue call); none is an error. */
  async write(rawPath: string, body: Record<string, string>): Promise<Record<string, unknown>> {
    const path = rawPath.trim().replace(/^\/+|\/+$/g, '');
    const r = await this.#t.json('PUT', path, { token: this.#token(), body });
    if (!r) throw new Error(`no secret exists at ${path}`);
    return (r.data as Record<string, unknown> | null | undefined) ?? {};
  }

  /**
   * Renews a fetched secret with an increment of 0 (the lease's own TTL): a token it carries
   * through auth/token/renew-self as that token, a lease through sys/leases/renew.
   */
  async renew(f: Fetched): Promise<{ leaseDurationMs: number; renewable: boolean }> {
    if (f.auth) {
      const r = await this.#t.json('PUT', 'auth/token/renew-self', { token: f.auth.clientToken, body: { increment: 0 } });
      const auth = r?.auth as Record<string, unknown> | undefined;
      if (!auth) throw new Error('renewal returned no auth');
      return { leaseDurationMs: num(auth.lease_duration) * 1000, renewable: auth.renewable === true };
    }
    const r = await this.#t.json('PUT', 'sys/leases/renew', { token: this.#token(), body: { lease_id: f.leaseId, increment: 0 } });
    if (!r) throw new Error(`lease ${f.leaseId} not found`);
    return { leaseDurationMs: num(r.lease_duration) * 1000, renewable: r.renewable === true };
  }
}

/**
 * Takes every fetched value (Data and Auth, strings of 4 characters or more) out of `message`.
 * Go's template errors quote the values they failed on (`parsing "s3cr3t": invalid syntax`),
 * and those messages are logged.
 */
export function redactSecrets(message: string, fetched: Iterable<Fetched>): string {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.length >= 4) found.add(v);
    } else if (isLosslessNumber(v)) {
      walk(v.value);
    } else if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (v !== null && typeof v === 'object') {
      Object.values(v).forEach(walk);
    }
  };
  for (const f of fetched) {
    walk(f.value.fields?.Data);
    walk(f.value.fields?.Auth);
  }
  let out = message;
  for (const v of [...found].sort((a, b) => b.length - a.length)) out = out.split(v).join('[redacted]');
  return out;
}
