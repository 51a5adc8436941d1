// The API proxy: requests to the agent's listener go to the server as they are, with the
// auto-auth token added (use_auto_auth_token = true, when the request carries none) or put in
// place of any (= "force"). Answers come back with their status, headers and body; only a
// lookup-self made with the auto-auth token loses `id` and `accessor`, so an application
// never learns the token the agent holds. 5xx answers and connection failures are retried
// vault.retry.num_retries times, as Vault's client retries them (1–1.5 s, growing linearly).
// With a cache {} stanza, requests go through the lease cache (cache/cache.ts); answers below
// 400 carry X-Cache (HIT with Age, or MISS), as Vault Agent's do. /agent/v1/cache-clear is
// served on every listener (a no-op answering 200 without a cache, as in Vault).
import type http from 'node:http';
import type { LeaseCache } from '../cache/cache.js';
import { cacheClear } from '../cache/clear.js';
import type { ApiProxy, Listener } from '../config/types.js';
import { isRetryable, type RawResponse, type Transport } from '../http.js';
import type { CacheAnswer } from '../cache/cache.js';
import type { Logger } from '../log.js';
import type { Scheduler } from '../schedule.js';

export type ProxyContext = {
  transport: Transport;
  apiProxy?: ApiProxy;
  numRetries: number;
  scheduler: Scheduler;
  log: Logger;
  /** The auto-auth token now, if any. */
  autoAuthToken(): string | undefined;
  /** POST /agent/v1/quit on a listener with enable_quit. */
  quit(): void;
  /** The lease cache, when the configuration has a cache stanza. */
  cache?: LeaseCache;
};

// Hop-by-hop headers belong to one connection, never forwarded (RFC 9110 §7.6.1).
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'content-length']);

/** The server could not be reached (after the retries): answered 502. */
class UpstreamError extends Error {}

function respondError(res: http.ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ errors: [message] });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export function proxyHandler(listener: Listener, ctx: ProxyContext): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const log = ctx.log.named('apiproxy');
  return (req, res) => {
    void (async () => {
      const url = req.url ?? '/';
      if (listener.requireRequestHeader && req.headers['x-vault-request'] !== 'true') {
        respondError(res, 412, 'missing "X-Vault-Request" header');
        return;
      }
      const pathOnly = url.split('?')[0] ?? '/';
      if (listener.enableQuit && pathOnly === '/agent/v1/quit') {
        if (req.method !== 'POST') {
          respondError(res, 405, 'method not allowed');
          return;
        }
        res.writeHead(200).end();
        log.info('received quit request');
        ctx.quit();
        return;
      }
      const body = await readBody(req);
      if (pathOnly === '/agent/v1/cache-clear') {
        const cleared = cacheClear(ctx.cache, req.method ?? 'GET', body);
        if (cleared.errors) respondError(res, cleared.status, cleared.errors.join('; '));
        else res.writeHead(cleared.status, { 'Content-Length': 0 }).end();
        return;
      }
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
      const autoToken = ctx.autoAuthToken();
      const given = typeof headers['x-vault-token'] === 'string' ? headers['x-vault-token'] : '';
      let token = given;
      if (ctx.apiProxy?.useAutoAuthToken && autoToken && (ctx.apiProxy.forceAutoAuthToken || given === '')) token = autoToken;
      if (token) headers['x-vault-token'] = token;
      if (body.length > 0) headers['content-length'] = String(body.length);
      const method = req.method ?? 'GET';
      const forward = async (): Promise<RawResponse> => {
        for (let attempt = 0; ; attempt++) {
          try {
            const r = await ctx.transport.raw({ method, path: url, headers, body: body.length > 0 ? body : undefined });
            if (r.status < 500 || attempt >= ctx.numRetries) return r;
          } catch (err) {
            if (!isRetryable(err) || attempt >= ctx.numRetries) throw new UpstreamError((err as Error).message);
          }
          await ctx.scheduler.sleep((attempt + 1) * (1000 + ctx.scheduler.random() * 500));
        }
      };
      let upstream: CacheAnswer;
      try {
        upstream = ctx.cache ? await ctx.cache.send({ method, url, headers, body, token }, forward) : { ...(await forward()), hit: false };
      } catch (err) {
        if (!(err instanceof UpstreamError)) throw err;
        respondError(res, 502, err.message);
        return;
      }
      let out = upstream.body;
      if (autoToken && token === autoToken && pathOnly.replace(/\/+$/, '') === '/v1/auth/token/lookup-self' && upstream.status === 200) {
        out = scrubLookup(out);
      }
      const outHeaders: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(upstream.headers)) if (v !== undefined && !HOP.has(k)) outHeaders[k] = v;
      outHeaders['content-length'] = String(out.length);
      if (upstream.status < 400) {
        outHeaders['x-cache'] = upstream.hit ? 'HIT' : 'MISS';
        if (upstream.hit) {
          outHeaders.age = String(upstream.ageSeconds ?? 0);
          outHeaders.date = new Date(ctx.scheduler.now()).toUTCString();
        }
      }
      res.writeHead(upstream.status, outHeaders);
      res.end(out);
    })().catch((err: unknown) => {
      log.error('error handling a proxied request', { error: (err as Error).message });
      if (!res.headersSent) respondError(res, 500, 'internal error');
      else res.destroy();
    });
  };
}

/** Removes the token's id and accessor from a lookup-self answer. */
function scrubLookup(body: Buffer): Buffer {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { data?: Record<string, unknown> };
    if (parsed.data && typeof parsed.data === 'object') {
      delete parsed.data.id;
      delete parsed.data.accessor;
    }
    return Buffer.from(JSON.stringify(parsed));
  } catch {
    return body;
  }
}
