// The HTTP listener: Vault's `/v1/` API over node:http or node:https. No business logic here:
// parse, hand to core, render.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { NotFound } from '../errors.js';
import type { Core } from '../core/core.js';
import type { Logger } from '../core/log.js';
import type { LogicalRequest } from '../core/request.js';
import { markRequestBoundary, watchConnection } from './list-method.js';
import { errorReply, outcomeReply, type Reply } from './reply.js';
import { operationOf, parseJsonBody, queryData, readBody, tokenOf } from './request.js';

/** Listener settings, as in a config file's `listener "tcp"` block. */
export type ListenerConfig = {
  address: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Largest accepted request body in bytes (Vault's default is 32 MiB). */
  maxRequestSize?: number;
};

/** A running listener. */
export type HttpServer = { url: string; close(): Promise<void> };

const DEFAULT_MAX_REQUEST_SIZE = 32 * 1024 * 1024;

/** Starts listening; resolves once the port is bound. */
export async function startHttpServer(core: Core, config: ListenerConfig, log: Logger): Promise<HttpServer> {
  const limit = config.maxRequestSize ?? DEFAULT_MAX_REQUEST_SIZE;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.on('finish', () => markRequestBoundary(req.socket));
    void serve(core, req, limit, log).then((reply) => write(res, reply, req.method === 'HEAD'));
  };
  const tls = config.tlsCertFile && config.tlsKeyFile;
  const server = tls
    ? https.createServer({ cert: readFileSync(config.tlsCertFile as string), key: readFileSync(config.tlsKeyFile as string) }, handler)
    : http.createServer(handler);
  server.on(tls ? 'secureConnection' : 'connection', watchConnection);
  server.keepAliveTimeout = 65_000;
  const [host, port] = splitAddress(config.address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const shownHost = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `${tls ? 'https' : 'http'}://${shownHost}:${bound.port}`,
    // Stop accepting, let in-flight requests finish, then drop idle keep-alive connections.
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
  };
}

/** `host:port` (or `[v6]:port`) into its parts. */
export function splitAddress(address: string): [string, number] {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address);
  if (!m) throw new Error(`invalid listener address "${address}": expected host:port`);
  return [m[1] as string, Number(m[2])];
}

async function serve(core: Core, req: http.IncomingMessage, limit: number, log: Logger): Promise<Reply> {
  const requestId = randomUUID();
  try {
    const logical = await toLogical(req, limit, requestId);
    const outcome = await core.handle(logical);
    return outcomeReply(outcome, requestId);
  } catch (err) {
    return errorReply(err, requestId, log);
  }
}

async function toLogical(req: http.IncomingMessage, limit: number, id: string): Promise<LogicalRequest> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (!url.pathname.startsWith('/v1/')) throw new NotFound();
  const operation = operationOf(req.method ?? 'GET', url.searchParams);
  const query = queryData(url.searchParams);
  const body = await readBody(req, limit);
  const fromBody = operation === 'read' || operation === 'list' ? {} : parseJsonBody(body);
  let path = decodeURIComponent(url.pathname.slice('/v1/'.length));
  // Vault lists folders: `GET secret/metadata?list=true` and `LIST secret/metadata/` are one request.
  if (operation === 'list' && !path.endsWith('/')) path += '/';
  return {
    id, operation, path, query, headers: req.headers, clientToken: tokenOf(req),
    remoteAddress: req.socket.remoteAddress ?? '',
    // Vault reads query parameters for GET, LIST and DELETE; a body wins where both are given.
    data: operation === 'read' || operation === 'list' || operation === 'delete' ? { ...query, ...fromBody } : fromBody,
  };
}

function write(res: http.ServerResponse, reply: Reply, head: boolean): void {
  if (reply.body === undefined || reply.status === 204) {
    res.writeHead(reply.status, { 'Cache-Control': 'no-store' }).end();
    return;
  }
  const json = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(json),
  });
  res.end(head ? undefined : json);
}
