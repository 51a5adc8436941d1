// Calls to the Kubernetes API server: node:https with an agent that trusts only the configured
// CA (the system's roots when there is none), JSON in and out, a bounded wait. Errors name the
// call and the status, never the bearer.
import http from 'node:http';
import https from 'node:https';

/** Where the API is and how to reach it. */
export type KubeTarget = { host: string; caPem: string };

/** A JSON answer: status and parsed body (undefined when not JSON). */
export type KubeAnswer = { status: number; body: unknown };

/** A call that did not get an answer (connection, TLS, timeout). */
export class KubeUnreachable extends Error {}

const TIMEOUT_MS = 10_000;
const MAX_BODY = 4 * 1024 * 1024;

// One agent per CA bundle, so connections are reused between logins.
const agents = new Map<string, https.Agent>();
function agentFor(caPem: string): https.Agent {
  let agent = agents.get(caPem);
  if (!agent) {
    // Old bundles (a CA replaced in the config) are not kept forever.
    if (agents.size >= 16) { for (const a of agents.values()) a.destroy(); agents.clear(); }
    agent = new https.Agent({ keepAlive: true, minVersion: 'TLSv1.2', ...(caPem !== '' ? { ca: caPem } : {}) });
    agents.set(caPem, agent);
  }
  return agent;
}

/** The API's base URL: a bare host or host:port means HTTPS. */
export function baseUrl(host: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `https://${host}`;
  return withScheme.replace(/\/+$/, '');
}

/** Sends one request; `path` starts with '/' and has its segments already encoded. */
export async function kubeRequest(target: KubeTarget, method: 'GET' | 'POST', path: string, bearer: string, body?: unknown): Promise<KubeAnswer> {
  let url: URL;
  try {
    url = new URL(baseUrl(target.host) + path);
  } catch {
    throw new KubeUnreachable('the kubernetes_host is not a valid URL');
  }
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/json' };
  if (bearer !== '') headers.Authorization = `Bearer ${bearer.trim()}`;
  if (payload) headers['Content-Length'] = String(payload.length);
  const isHttps = url.protocol === 'https:';
  if (!isHttps && url.protocol !== 'http:') throw new KubeUnreachable(`unsupported scheme ${url.protocol}`);
  const send = isHttps ? https.request : http.request;
  return await new Promise<KubeAnswer>((resolve, reject) => {
    const req = send(url, { method, headers, timeout: TIMEOUT_MS, ...(isHttps ? { agent: agentFor(target.caPem) } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy(new KubeUnreachable(`${method} ${url.pathname}: answer too large`));
        else chunks.push(c);
      });
      res.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', () => reject(new KubeUnreachable(`${method} ${url.pathname}: the answer was cut off`)));
    });
    req.on('timeout', () => req.destroy(new KubeUnreachable(`${method} ${url.pathname}: timed out`)));
    // The cause's code only (ECONNREFUSED, UNABLE_TO_VERIFY_LEAF_SIGNATURE…): enough to debug, nothing echoed.
    req.on('error', (err) => reject(err instanceof KubeUnreachable ? err
      : new KubeUnreachable(`${method} ${url.pathname}: ${(err as NodeJS.ErrnoException).code ?? 'request failed'}`)));
    req.end(payload);
  });
}

/** A Kubernetes `Status` answer's message (`kind: Status`), for error texts. */
export function statusMessage(body: unknown): string {
  if (body !== null && typeof body === 'object' && (body as { kind?: unknown }).kind === 'Status') {
    const { message, reason } = body as { message?: unknown; reason?: unknown };
    return typeof message === 'string' && message !== '' ? message : typeof reason === 'string' ? reason : 'unknown';
  }
  return 'unknown';
}
