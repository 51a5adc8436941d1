// The HTTP listener: Vault's `/v1/` API over node:http or node:https. No business logic here:
// parse, hand to core, render.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { BadRequest, NotFound } from '../util/errors.js';
import type { Core } from '../core/core.js';
import type { Logger } from '../core/log.js';
import type { LogicalRequest } from '../core/request.js';
import { parseWrapTtl } from '../core/wrapping.js';
import { watchConnection } from './list-method.js';
import { inFlightRequests } from '../util/in-flight.js';
import { DEFAULT_JSON_LIMITS, JsonShapeCheck, type JsonLimits } from './json-limits.js';
import { serveStatic, type StaticSite } from './static-site.js';
import { standbyReply } from './forward.js';
import type { IndexTokens } from '../core/consistency.js';
import { errorReply, outcomeReply, type Reply } from './reply.js';
import { decodePath, operationOf, parseJsonBody, queryData, readBody, tokenOf } from './request.js';

/** Listener settings, as in a config file's `listener "tcp"` block. */
export type ListenerConfig = {
  address: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Largest accepted request body in bytes (Vault's default is 32 MiB). */
  maxRequestSize?: number;
  /**
   * Largest body of a request without a valid token (login, unseal, unwrap), 1 MiB unless set:
   * whoever holds no token cannot make the server buffer and parse 32 MiB.
   */
  maxUnauthenticatedRequestSize?: number;
  /** Vault's max_json_* listener limits; each defaults to Vault's value. */
  json?: Partial<JsonLimits>;
  /** The web UI's files, served at /ui/ (`ui = true`); absent means no UI. */
  ui?: StaticSite;
  /** HA: a standby forwards to the active node (true, the default) or redirects to it. */
  forwarding?: boolean;
  /**
   * Another protocol on this listener (AWS's JSON API at `POST /`): it claims a request by
   * returning the function that answers it from the body, or leaves it to the Vault API.
   * Its body is read under the limit for requests without a token: it is authenticated later.
   */
  otherProtocol?: (req: http.IncomingMessage) => ((body: Buffer) => Promise<Reply>) | undefined;
  /** HA: the X-Vault-Index tokens of this node (responses carry them; read-serving standbys check them). */
  indexTokens?: IndexTokens;
};

/** The body limits one listener applies. */
type BodyLimits = { trusted: number; untrusted: number; json: JsonLimits };

/** A running listener. */
export type HttpServer = {
  url: string;
  /**
   * Stops accepting connections and lets in-flight requests finish (their handlers included,
   * even when the client has gone), then resolves. After `graceMs` the remaining connections
   * are cut; `force()` cuts them at once.
   */
  close(graceMs?: number): Promise<void>;
  /** Cuts every connection now; a pending `close()` then resolves as handlers finish. */
  force(): void;
};

const DEFAULT_MAX_REQUEST_SIZE = 32 * 1024 * 1024;
const DEFAULT_MAX_UNAUTHENTICATED_REQUEST_SIZE = 1024 * 1024;
const DEFAULT_GRACE_MS = 30_000;

/** Starts listening; resolves once the port is bound. */
export async function startHttpServer(core: Core, config: ListenerConfig, log: Logger): Promise<HttpServer> {
  const trusted = config.maxRequestSize ?? DEFAULT_MAX_REQUEST_SIZE;
  const limit: BodyLimits = {
    trusted,
    untrusted: Math.min(trusted, config.maxUnauthenticatedRequestSize ?? DEFAULT_MAX_UNAUTHENTICATED_REQUEST_SIZE),
    // A limit left unset (undefined) keeps Vault's default.
    json: { ...DEFAULT_JSON_LIMITS, ...Object.fromEntries(Object.entries(config.json ?? {}).filter(([, v]) => v !== undefined)) },
  };
  // Handlers still running, for close(): counted, with a waiter woken when none are left.
  let running = 0;
  const whenDrained: Array<() => void> = [];
  const finished = () => {
    if (--running === 0) for (const wake of whenDrained.splice(0)) wake();
  };
  let closing = false;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (config.ui && !req.url?.startsWith('/v1/') && serveStatic(config.ui, req, res, (req.url ?? '/').split('?')[0] as string)) return;
    const other = config.otherProtocol?.(req);
    const answer = (reply: Reply) => {
      try {
        write(res, reply, req.method === 'HEAD', closing || largeBodyUnread(req));
      } catch (err) {
        // Rendering failed (a status Node refuses, a body JSON cannot encode): a bug, so a 500.
        log.error('writing the response failed', { error: err });
        if (res.headersSent) res.destroy();
        else write(res, { status: 500, body: { errors: ['internal error'] } }, false, closing);
      }
    };
    // The handler is done once its reply exists (nothing after that touches storage); the
    // reply is written at the end of the turn.
    void (other ? readBody(req, limit.untrusted).then(other).catch((err: unknown) => errorReply(err, randomUUID(), log)) : serve(core, req, limit, log, config.forwarding ?? true, config.indexTokens))
      .then((reply) => {
        finished();
        answerAtEndOfTurn(answer, reply);
      }, (err: unknown) => {
        // serve() answers every failure itself; reaching this is a bug, so a 500.
        finished();
        log.error('request failed', { error: err });
        answerAtEndOfTurn(answer, { status: 500, body: { errors: ['internal error'] } });
      });
    running++;
  };
  const { server, tls } = await listen(config, handler, log);
  const bound = server.address() as AddressInfo;
  const shownHost = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `${tls ? 'https' : 'http'}://${shownHost}:${bound.port}`,
    close: async (graceMs = DEFAULT_GRACE_MS) => {
      closing = true; // answers from now on carry `Connection: close`, so keep-alive ends
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      // A handler whose client went away may still be writing to storage: let it finish
      // before the caller closes storage under it.
      if (running > 0) await new Promise<void>((resolve) => whenDrained.push(resolve));
    },
    force: () => server.closeAllConnections(),
  };
}

/** Past this much unread body, a connection is closed after the answer instead of drained. */
const MAX_DRAIN = 256 * 1024;

/**
 * Whether a request is answered with most of its body unread (refused before the body was
 * wanted). Draining 30 MB only to keep the connection alive would hand the sender the very
 * cost the early refusal avoids, so such a connection closes after the answer, as Go's server
 * (and so Vault) does past 256 KiB. A body being read (or drained after a 413) is not affected.
 */
function largeBodyUnread(req: http.IncomingMessage): boolean {
  if (req.complete || req.readableFlowing === true) return false;
  const declared = Number(req.headers['content-length'] ?? 0);
  return declared > MAX_DRAIN || req.headers['transfer-encoding'] !== undefined;
}

/** Responses waiting for the end of the current event-loop turn: writer, reply, writer, reply… */
let pendingAnswers: unknown[] = [];

function writePending(): void {
  const batch = pendingAnswers;
  pendingAnswers = [];
  for (let i = 0; i < batch.length; i += 2) (batch[i] as (reply: Reply) => void)(batch[i + 1] as Reply);
}

/**
 * Writes a response once the current turn's I/O has been read, together with the others that
 * finished in the same turn. Measured here: answering inside the turn that parsed the request
 * makes the loop alternate between one read and one write per wake-up; batching the writes
 * at the end of the turn nearly doubles throughput for small requests. `answer` never throws.
 */
function answerAtEndOfTurn(answer: (reply: Reply) => void, reply: Reply): void {
  if (pendingAnswers.length === 0) setImmediate(writePending);
  pendingAnswers.push(answer, reply);
}

/** Creates the http or https server with our connection hooks and binds it. */
async function listen(config: ListenerConfig, handler: http.RequestListener, log: Logger) {
  const tls = Boolean(config.tlsCertFile && config.tlsKeyFile);
  const server = tls
    ? https.createServer({ cert: readPem(config.tlsCertFile, 'tls_cert_file'), key: readPem(config.tlsKeyFile, 'tls_key_file') }, handler)
    : http.createServer(handler);
  // TLS: the rewrite must see decrypted bytes, so it goes on the TLS socket, not the TCP one.
  // LOCKBOX_LIST_METHOD=off leaves Node's native parsing path alone (no `LIST` method; GET
  // ?list=true still works): the benchmark measures what the rewrite costs with it.
  if (process.env.LOCKBOX_LIST_METHOD !== 'off') server.on(tls ? 'secureConnection' : 'connection', watchConnection);
  server.on('clientError', answerClientError);
  server.keepAliveTimeout = 65_000;
  const [host, port] = splitAddress(config.address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After start-up (EMFILE on accept, say) the listener keeps serving what it can.
  server.on('error', (err) => log.error('listener error', { error: err }));
  return { server, tls };
}

/** A certificate or key file; a failure names the setting and the file, not the contents. */
function readPem(path: string | undefined, setting: string): Buffer {
  try {
    return readFileSync(path as string);
  } catch (err) {
    throw new Error(`listener: cannot read ${setting} "${path}": ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** Go's net.JoinHostPort, as Vault shows a client's address. */

/** `host:port` (or `[v6]:port`) into its parts. */
export function splitAddress(address: string): [string, number] {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address);
  if (!m) throw new Error(`invalid listener address "${address}": expected host:port`);
  return [m[1] as string, Number(m[2])];
}

async function serve(core: Core, req: http.IncomingMessage, limit: BodyLimits, log: Logger, forwarding: boolean, tokens?: IndexTokens): Promise<Reply> {
  const requestId = randomUUID();
  const inFlight = inFlightRequests(core);
  // Raw facts only: sys/in-flight-req formats them when it is read, not on every request.
  const slot = inFlight.add(requestId, { started: Date.now(), method: req.method ?? '', url: req.url ?? '', remoteAddress: req.socket.remoteAddress ?? '', remotePort: req.socket.remotePort ?? 0 });
  try {
    // Only a standby forwards or serves from the shared store; the active node goes straight on.
    if (core.ha?.standby) {
      const local = async (body: Buffer | undefined) => indexed(outcomeReply(await core.handle(toLogical(req, limit, requestId, body)), requestId), tokens);
      const relayed = await standbyReply(core, req, limit.trusted, forwarding, log, tokens && { tokens, local });
      if (relayed) return relayed;
      return await local(undefined);
    }
    return indexed(outcomeReply(await core.handle(toLogical(req, limit, requestId)), requestId), tokens);
  } catch (err) {
    // A client that hung up mid-body is not our failure; nobody will read the answer.
    if (!req.complete && req.socket.destroyed) {
      log.debug('client closed the connection mid-request', { request_id: requestId });
      return { status: 400 };
    }
    return errorReply(err, requestId, log);
  } finally {
    inFlight.remove(slot);
  }
}

/** `reply` with the store revision it reflects, for a client's read-your-writes (HA only). */
function indexed(reply: Reply, tokens: IndexTokens | undefined): Reply {
  const index = tokens?.current();
  return index === undefined ? reply : { ...reply, headers: { ...reply.headers, 'X-Vault-Index': index } };
}

/**
 * Requests Node's parser refuses (a method it does not know, oversized headers) get Vault's
 * JSON error shape rather than Node's bare one. The raw packet may hold a token: never logged.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const json = JSON.stringify({ errors: [status === 431 ? 'request headers too large' : status === 408 ? 'request timeout' : 'malformed HTTP request'] });
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\n`
    + `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`);
}

/** The query of a URL without one; never changed (`list` is deleted only from a parsed query). */
const NO_PARAMS = new URLSearchParams();

/** The logical request of `req`; `preRead` is its body when a standby already read it. */
function toLogical(req: http.IncomingMessage, limit: BodyLimits, id: string, preRead?: Buffer): LogicalRequest {
  // Split by hand: a full WHATWG URL parse per request costs more than the rest of a health check.
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const pathname = q === -1 ? raw : raw.slice(0, q);
  // Most requests have no query string and no escapes: those skip the parsers.
  const params = q === -1 ? NO_PARAMS : new URLSearchParams(raw.slice(q + 1));
  if (!pathname.startsWith('/v1/')) throw new NotFound();
  const operation = operationOf(req.method ?? 'GET', params);
  // Vault: `list` selects the operation and is not passed on as data.
  if (operation === 'list' && params !== NO_PARAMS) params.delete('list');
  const query = params === NO_PARAMS ? {} : queryData(params);
  const encoded = pathname.slice('/v1/'.length);
  let path = encoded.includes('%') ? decodePath(encoded) : encoded;
  // No request may climb between mounts (`..`, also spelled `%2e%2e` or behind `%2F`): the ACL
  // and the router must see the path the storage layer would.
  if (path.includes('..') && path.split('/').includes('..')) throw new BadRequest('invalid request path: relative paths are not supported');
  // Vault lists folders: `GET secret/metadata?list=true` and `LIST secret/metadata/` are one request.
  if (operation === 'list' && !path.endsWith('/')) path += '/';
  const bodiless = operation === 'read' || operation === 'list';
  const logical: LogicalRequest = {
    id, operation, method: req.method, path, query, headers: req.headers, clientToken: tokenOf(req), wrapTtl: parseWrapTtl(req.headers['x-vault-wrap-ttl']),
    remoteAddress: req.socket.remoteAddress ?? '', auditMemo: undefined,
    // Vault reads query parameters for GET, LIST and DELETE; a body wins where both are given.
    data: bodiless || operation === 'delete' ? { ...query } : {},
    // Core asks for the body once the token and the ACL allow the request this far; reads and
    // lists have none (Node discards what a client sends anyway).
    readBody: bodiless ? undefined : async (withToken) => {
      const opaque = isOpaqueBody(req.headers['content-type']);
      const shape = opaque ? undefined : new JsonShapeCheck(limit.json);
      shape?.feed(preRead ?? Buffer.alloc(0));
      const body = preRead ?? await readBody(req, withToken ? limit.trusted : limit.untrusted, shape);
      // A binary body (OCSP) is handed over as bytes, with no data decoded from it.
      if (opaque) logical.rawBody = body;
      const fromBody = opaque ? {} : parseJsonBody(body);
      return operation === 'delete' ? { ...query, ...fromBody } : fromBody;
    },
  };
  return logical;
}

// Binary request bodies that are handed to the path as bytes rather than decoded as JSON.
const OPAQUE_CONTENT_TYPES = new Set(['application/ocsp-request']);

function isOpaqueBody(contentType: string | undefined): boolean {
  return contentType !== undefined && OPAQUE_CONTENT_TYPES.has(contentType.split(';')[0]!.trim().toLowerCase());
}

function write(res: http.ServerResponse, reply: Reply, head: boolean, closing: boolean): void {
  const headers: http.OutgoingHttpHeaders = reply.headers === undefined ? { 'Cache-Control': 'no-store' } : { 'Cache-Control': 'no-store', ...reply.headers };
  // While shutting down, a kept-alive connection would hold close() open for keepAliveTimeout.
  if (closing) headers.Connection = 'close';
  if (reply.body === undefined || reply.status === 204) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  if (reply.contentType !== undefined && (typeof reply.body === 'string' || Buffer.isBuffer(reply.body))) {
    const bytes = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
    res.writeHead(reply.status, { ...headers, 'Content-Type': reply.contentType, 'Content-Length': bytes.length });
    res.end(head ? undefined : bytes);
    return;
  }
  const json = JSON.stringify(reply.body);
  headers['Content-Type'] = reply.contentType ?? 'application/json';
  headers['Content-Length'] = Buffer.byteLength(json);
  res.writeHead(reply.status, headers);
  res.end(head ? undefined : json);
}
