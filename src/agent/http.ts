// The agent's one way to the server: node:http(s) with the vault stanza's TLS settings. It
// returns raw answers (the API proxy passes them through byte for byte) and, for the agent's
// own calls, JSON with Vault's error layout. Retries (vault.retry) are applied by callers that
// Vault retries for (templates, proxied requests), never by auto-auth, which has its own backoff.
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { ApiError, connectionError, ConnectionError } from '../cli/client.js';
import type { VaultConfig } from './config/types.js';

export { ApiError, ConnectionError };

export type RawResponse = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
export type RawRequest = { method: string; path: string; headers?: Record<string, string | string[]>; body?: Buffer; signal?: AbortSignal };
/** A JSON request to `/v1/<path>`. `wrapTtl` asks the server to wrap the answer. */
export type JsonRequest = { token?: string; body?: unknown; wrapTtl?: string; query?: Record<string, string>; headers?: Record<string, string> };
export type Json = Record<string, unknown>;

export interface Transport {
  readonly address: string;
  /** Sends a request as given (path includes /v1/ and query). Throws ConnectionError. */
  raw(req: RawRequest): Promise<RawResponse>;
  /** Sends JSON to /v1/<path>; a status of 400 or more throws ApiError (404 is returned as undefined). */
  json(method: string, path: string, req?: JsonRequest): Promise<Json | undefined>;
}

/** Builds the transport; certificate files are read now, so a bad path fails at start. */
export function createTransport(address: string, vault: VaultConfig | undefined, maxSockets = Infinity): Transport {
  const base = new URL(address);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`error parsing address "${address}": expected http(s)://host:port`);
  const tls = base.protocol === 'https:';
  const read = (file: string | undefined) => (file ? readFileSync(file) : undefined);
  const ca: Buffer[] = [];
  if (vault?.caCert) ca.push(readFileSync(vault.caCert));
  if (vault?.caPath) for (const f of readdirSync(vault.caPath)) if (/\.(pem|crt)$/.test(f)) ca.push(readFileSync(join(vault.caPath, f)));
  const agent = tls
    ? new https.Agent({
      keepAlive: true, maxSockets, ca: ca.length > 0 ? ca : undefined, cert: read(vault?.clientCert), key: read(vault?.clientKey),
      rejectUnauthorized: !vault?.tlsSkipVerify, servername: vault?.tlsServerName,
    })
    : new http.Agent({ keepAlive: true, maxSockets });
  const mod = tls ? https : http;
  const prefix = base.pathname.replace(/\/$/, '');

  function raw(req: RawRequest): Promise<RawResponse> {
    const url = new URL(prefix + req.path, base);
    return new Promise((resolve, reject) => {
      const r = mod.request(url, { method: req.method, headers: req.headers, agent, signal: req.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (err) => reject(connectionError(req.method, url, err)));
      });
      r.on('error', (err) => reject(connectionError(req.method, url, err)));
      r.end(req.body);
    });
  }

  async function json(method: string, path: string, req: JsonRequest = {}): Promise<Json | undefined> {
    const query = new URLSearchParams(req.query ?? {}).toString();
    const fullPath = `/v1/${path.split('/').map(encodeURIComponent).join('/')}${query ? `?${query}` : ''}`;
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: Record<string, string> = { ...req.headers };
    if (req.token) headers['X-Vault-Token'] = req.token;
    if (req.wrapTtl) headers['X-Vault-Wrap-TTL'] = req.wrapTtl;
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const res = await raw({ method, path: fullPath, headers, body: payload });
    const text = res.body.toString('utf8');
    let body: Json | undefined;
    try {
      const parsed: unknown = text === '' ? undefined : JSON.parse(text);
      body = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as Json : undefined;
    } catch {
      body = undefined;
    }
    if (res.status === 404 && !body?.errors) return undefined;
    if (res.status >= 400) {
      const errors = Array.isArray(body?.errors) ? (body.errors as unknown[]).map(String) : [];
      throw new ApiError(method, new URL(prefix + fullPath, base).toString(), res.status, errors, text);
    }
    return body;
  }

  return { address, raw, json };
}

/** An error worth retrying (vault.retry): the server could not be reached, or answered 5xx. */
export const isRetryable = (err: unknown): boolean =>
  err instanceof ConnectionError || (err instanceof ApiError && err.status >= 500);

/** wrap_info as Vault's Go client marshals it (its struct's field order). */
export function wrapInfoJson(w: Json): string {
  return JSON.stringify({
    token: w.token ?? '', accessor: w.accessor ?? '', ttl: w.ttl ?? 0, creation_time: w.creation_time ?? '',
    creation_path: w.creation_path ?? '', wrapped_accessor: w.wrapped_accessor ?? '',
  });
}
