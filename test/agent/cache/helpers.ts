// Shared pieces of the cache's end-to-end tests: an agent process with `cache {}` and an
// api_proxy adding its auto-auth token, and plain HTTP requests to its listener.
import http from 'node:http';
import { join } from 'node:path';
import type { TestServer } from '../../helpers/server.js';
import { approleRole, readIfExists, startAgent, waitFor, writeApproleConfig, type AgentProcess } from '../helpers.js';
import { freePort } from '../../server/process.js';

export type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string; json: any };

export function request(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        let parsed: unknown;
        try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: parsed });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}


export type CachingAgent = { agent: AgentProcess; port: number; sink: string; token: () => string };

/** Starts `lockbox agent` with approle auto-auth (token policies `policies`), a sink, `cache {}` and a listener. */
export async function startCachingAgent(srv: TestServer, dir: string, name: string, policies: string[], extra = ''): Promise<CachingAgent> {
  const ids = await approleRole(srv, `cache-${name}`, { token_ttl: '1h', token_policies: policies });
  const sink = join(dir, `${name}-token`);
  const port = await freePort();
  const config = writeApproleConfig(srv, dir, name, ids, `sink "file" { config = { path = "${sink}" } }`, `
cache {}
api_proxy { use_auto_auth_token = true }
listener "tcp" {
  address = "127.0.0.1:${port}"
  tls_disable = true
}
${extra}`);
  const agent = startAgent([`-config=${config}`, '-log-level=debug']);
  await waitFor('the sink', () => readIfExists(sink), 15_000, agent);
  await waitFor('the listener', async () => ((await request(port, 'GET', '/v1/sys/health').catch(() => undefined)) ? true : undefined), 10_000, agent);
  return { agent, port, sink, token: () => readIfExists(sink) as string };
}
