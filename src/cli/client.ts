// The CLI's HTTP client: where the server is, which token to send, how to trust its TLS
// certificate, and Vault's wording for the errors. It uses node:http(s) rather than fetch
// because Node 20's fetch takes a custom CA or skips verification only through undici's Agent,
// which is not a dependency here; node:https takes `ca` and `rejectUnauthorized` directly.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ParsedArgs } from './args.js';
import { LocalError } from './errors.js';
import { asObject, type Json } from './json.js';

/** A decoded JSON object from the server. */
/** Where to connect and as whom. */
export type ClientOptions = { address: string; token: string; tlsSkipVerify: boolean; caCertFile?: string; wrapTtl?: string };

/** A request's extras. `token: null` sends no token (login checks a token it was handed). */
export type RequestOptions = {
  body?: unknown;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  token?: string | null;
  /** Statuses returned to the caller instead of raised as ApiError. */
  accept?: number[];
  /** false for the CLI's own bookkeeping requests (kv mount probe, login check): -wrap-ttl is not for them. */
  wrap?: boolean;
};

/** A server answer: status, JSON body (undefined when empty or not JSON) and the body as sent. */
export type ApiResponse = { status: number; body: Json | undefined; text: string };

/** The server answered with an error status. Exit code 2, like Vault. */
export class ApiError extends Error {
  readonly status: number;
  readonly errors: string[];
  constructor(method: string, url: string, status: number, errors: string[], raw: string) {
    // Vault's error layout: scripts and people grep for "Code: 403".
    const detail = errors.length > 0 ? `Errors:\n\n${errors.map((e) => `* ${e}`).join('\n')}` : `Raw Message:\n\n${raw}`;
    super(`Error making API request.\n\nURL: ${method} ${url}\nCode: ${status}. ${detail}`);
    this.status = status;
    this.errors = errors;
  }
}

/** The server could not be reached (refused, unknown host, TLS failure). Exit code 2. */
export class ConnectionError extends Error {}

/**
 * Token helper file: `LOCKBOX_TOKEN_FILE`, else Vault's own `~/.vault-token`, so `vault login`
 * and `lockbox login` share a login. HOME comes from the environment so tests can move it.
 */
export function tokenHelperPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOCKBOX_TOKEN_FILE || join(env.HOME || homedir(), '.vault-token');
}

/** The token the helper file holds, or ''. */
export function storedToken(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return readFileSync(tokenHelperPath(env), 'utf8').trim();
  } catch {
    return '';
  }
}

const truthy = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

/** Resolves flags and environment the way Vault does: flag, then LOCKBOX_*, then VAULT_*. */
export function clientOptions(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): ClientOptions {
  // Vault's client: VAULT_AGENT_ADDR, when set, is used instead of VAULT_ADDR (an -address flag still wins).
  const address = args.flag('address') || env.LOCKBOX_AGENT_ADDR || env.VAULT_AGENT_ADDR || env.LOCKBOX_ADDR || env.VAULT_ADDR || 'http://127.0.0.1:8200';
  const skip = args.flag('tls-skip-verify') ?? env.LOCKBOX_SKIP_VERIFY ?? env.VAULT_SKIP_VERIFY;
  return {
    address: address.replace(/\/+$/, ''),
    token: env.LOCKBOX_TOKEN || env.VAULT_TOKEN || storedToken(env),
    tlsSkipVerify: truthy(skip),
    caCertFile: args.flag('ca-cert') || env.LOCKBOX_CACERT || env.VAULT_CACERT || undefined,
    wrapTtl: args.flag('wrap-ttl') || env.LOCKBOX_WRAP_TTL || env.VAULT_WRAP_TTL || undefined,
  };
}

/** An HTTP client bound to one server and token. */
export interface Client {
  readonly address: string;
  readonly token: string;
  /** Sends one request to `/v1/<path>`; error statuses not in `accept` throw ApiError. */
  request(method: string, path: string, opts?: RequestOptions): Promise<ApiResponse>;
  /** GET; undefined when the server has nothing there (404 without data or warnings). */
  read(path: string, query?: Record<string, string>): Promise<Json | undefined>;
  /** PUT with a JSON body; undefined on 204. */
  write(path: string, body?: unknown, method?: string): Promise<Json | undefined>;
  /** LIST (as GET ?list=true); undefined when there is nothing to list. */
  list(path: string): Promise<Json | undefined>;
  /** DELETE, with optional query parameters. */
  delete(path: string, query?: Record<string, string>): Promise<Json | undefined>;
}

/** Builds a client; the CA file is read now so a bad path fails before any request. */
export function createClient(opts: ClientOptions): Client {
  let base: URL;
  try {
    base = new URL(opts.address);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new LocalError(`error parsing address "${opts.address}": expected http(s)://host:port`);
  }
  let ca: Buffer | undefined;
  if (opts.caCertFile) {
    try {
      ca = readFileSync(opts.caCertFile);
    } catch {
      throw new LocalError(`error reading CA certificate "${opts.caCertFile}"`);
    }
  }
  const tls = base.protocol === 'https:';
  // Keep-alive: kv commands make several requests. Idle pooled sockets are unref'd, so they
  // never hold the process open.
  const agent = tls ? new https.Agent({ keepAlive: true, ca, rejectUnauthorized: !opts.tlsSkipVerify }) : new http.Agent({ keepAlive: true });

  async function request(method: string, path: string, o: RequestOptions = {}): Promise<ApiResponse> {
    const url = new URL(`${base.pathname.replace(/\/$/, '')}/v1/${encodePath(path)}`, base);
    for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.set(k, v);
    const token = o.token === null ? '' : o.token ?? opts.token;
    const payload = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
    const headers: Record<string, string> = { ...(token ? { 'X-Vault-Token': token } : {}), ...o.headers };
    if (opts.wrapTtl && o.wrap !== false) headers['X-Vault-Wrap-TTL'] = opts.wrapTtl;
    if (payload) {
      headers['Content-Type'] ??= 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const { status, text } = await send(tls ? https : http, url, method, headers, payload, agent);
    const body = parseBody(text);
    if (status >= 400 && !(o.accept ?? []).includes(status)) {
      const errors = Array.isArray(body?.errors) ? (body.errors as unknown[]).map(String) : [];
      throw new ApiError(method, url.toString(), status, errors, text);
    }
    return { status, body, text };
  }

  // Vault's client treats a 404 that carries no data or warnings as "nothing there".
  const orNothing = (r: ApiResponse) => {
    if (r.status !== 404) return r.body;
    const data = asObject(r.body?.data);
    const warnings = r.body?.warnings;
    return (data && Object.keys(data).length > 0) || (Array.isArray(warnings) && warnings.length > 0) ? r.body : undefined;
  };
  return {
    address: opts.address,
    token: opts.token,
    request,
    read: async (path, query) => orNothing(await request('GET', path, { query, accept: [404] })),
    write: async (path, body, method = 'PUT') => (await request(method, path, { body: body ?? {} })).body,
    list: async (path) => orNothing(await request('GET', path, { query: { list: 'true' }, accept: [404] })),
    delete: async (path, query) => (await request('DELETE', path, { query })).body,
  };
}

/** The JSON object in a response, or undefined (empty, or not JSON: a proxy's HTML error page). */
function parseBody(text: string): Json | undefined {
  try {
    return text === '' ? undefined : asObject(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** Percent-encodes each segment, keeping the slashes that structure Vault paths. */
function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function send(mod: typeof http | typeof https, url: URL, method: string, headers: Record<string, string>,
  payload: Buffer | undefined, agent: http.Agent): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => reject(connectionError(method, url, err)));
    });
    req.on('error', (err) => reject(connectionError(method, url, err)));
    req.end(payload);
  });
}

/** Go's wording for a failed dial, which Vault users recognise: `Get "url": dial tcp …`. */
export function connectionError(method: string, url: URL, err: Error & { code?: string }): ConnectionError {
  const hostPort = `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  const verb = method.charAt(0) + method.slice(1).toLowerCase();
  let detail: string;
  switch (err.code) {
    case 'ECONNREFUSED': detail = `dial tcp ${hostPort}: connect: connection refused`; break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN': detail = `dial tcp: lookup ${url.hostname}: no such host`; break;
    case 'ETIMEDOUT': detail = `dial tcp ${hostPort}: i/o timeout`; break;
    case 'ECONNRESET': detail = `read tcp ${hostPort}: connection reset by peer`; break;
    case 'EHOSTUNREACH': detail = `dial tcp ${hostPort}: connect: no route to host`; break;
    // An https:// address at a plain-HTTP listener: OpenSSL reads "HTTP/1.1 …" as a bad record.
    case 'EPROTO': if (/wrong version number|packet length too long|record layer failure/.test(err.message)) {
      detail = 'http: server gave HTTP response to HTTPS client';
      break;
    }
    // falls through
    default:
      detail = err.code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO/.test(err.code)
        ? `tls: failed to verify certificate: ${err.message} (use -ca-cert, or -tls-skip-verify to skip verification)`
        : err.message;
  }
  return new ConnectionError(`${verb} "${url.toString()}": ${detail}`);
}
