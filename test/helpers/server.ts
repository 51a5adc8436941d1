// Starts a real server on a random port for integration tests, and talks plain HTTP to it.
import { startServer, type ServerOptions } from '../../src/server/start.js';
import type { Clock } from '../../src/util/clock.js';

/** An answer: status and parsed JSON body (undefined when empty). */
export type ApiResult = { status: number; body: any; headers: Headers };

/** Options for a test server; dev mode (initialised, unsealed, root token) unless `dev: false`. */
export type TestServerOptions = { dev?: boolean; storage?: ServerOptions['storage']; clock?: Clock; extraEngines?: ServerOptions['extraEngines']; ui?: boolean; telemetry?: ServerOptions['telemetry']; awsSmWebhookHosts?: string[] };

/** Starts a server and returns an HTTP helper bound to it. */
export async function startTestServer(opts: TestServerOptions = {}) {
  const lines: string[] = [];
  const server = await startServer({
    dev: opts.dev ?? true,
    storage: opts.storage ?? { type: 'memory' },
    listener: { address: '127.0.0.1:0' },
    logSink: (line) => lines.push(line),
    clock: opts.clock,
    extraEngines: opts.extraEngines,
    telemetry: opts.telemetry,
    awsSmWebhookHosts: opts.awsSmWebhookHosts,
    ui: opts.ui ?? false,
  });
  let token = server.rootToken;
  async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResult> {
    const res = await fetch(`${server.url}/v1/${path}`, {
      method,
      headers: { ...(token ? { 'X-Vault-Token': token } : {}), 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }
  return {
    api,
    url: server.url,
    core: server.core,
    rootToken: server.rootToken,
    /** Dev mode's single unseal key, to seal and unseal in a test. */
    unsealKey: server.unsealKey,
    /** Changes the token `api` sends ('' sends none). */
    useToken: (t: string) => { token = t; },
    log: () => lines.join('\n'),
    close: () => server.close(),
  };
}

/** A running test server. */
export type TestServer = Awaited<ReturnType<typeof startTestServer>>;
