// What a standby does with a request that only the active node can answer (everything but the
// few sys/ paths every node answers itself: health, seal-status, unseal, leader…). As in Vault,
// it forwards the request to the active node and relays the answer — status, headers and body
// as the active node gave them — or, when forwarding is off (disable_clustering) or the client
// asks for it (X-Vault-No-Request-Forwarding), answers 307 with the active node's URL.
import type http from 'node:http';
import type { Core } from '../core/core.js';
import type { Logger } from '../core/log.js';
import { REWRITTEN_LIST_METHOD } from './list-method.js';
import type { Reply } from './reply.js';
import { decodePath, readBody } from './request.js';
import type { IndexTokens } from '../core/consistency.js';
import { serveOnStandby, type LocalHandler } from './standby-local.js';

// Connection-level headers belong to one hop; the relay sets its own.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host', 'upgrade',
  'proxy-connection', 'te', 'trailer', 'content-encoding', 'date']);

/** Read-serving standbys: the index tokens and how to run a request here. */
export type StandbyReads = { tokens: IndexTokens; local: LocalHandler };

/** A standby's answer for `req`, or undefined when this node must answer it itself. */
export async function standbyReply(core: Core, req: http.IncomingMessage, limit: number, forwarding: boolean, log: Logger,
  reads?: StandbyReads): Promise<Reply | undefined> {
  if (!core.ha?.standby) return undefined;
  const raw = req.url ?? '/';
  const pathname = raw.split('?')[0] as string;
  if (!pathname.startsWith('/v1/')) return undefined;
  const path = decodePath(pathname.slice('/v1/'.length));
  if (core.answersLocally(path)) return undefined;
  // Vault seals the node asked, never the active one; a standby here has no token store to check
  // the caller's sudo with, so it refuses rather than forward and seal the wrong node.
  if (path === 'sys/seal') {
    return { status: 400, body: { errors: ['this node is a standby: seal it by stopping its process, or seal the active node'] } };
  }
  let body: Buffer | undefined;
  if (reads && core.standbyReads?.ready) {
    const attempt = await serveOnStandby(core, req, path, limit, reads.tokens, reads.local);
    if (attempt.reply) return attempt.reply;
    body = attempt.body;
  }
  const { leaderAddress } = await core.ha.leader();
  if (leaderAddress === '') {
    return { status: 503, body: { errors: ['local node not active but active cluster node not found'] } };
  }
  const target = new URL(raw, leaderAddress).toString();
  if (!forwarding || req.headers['x-vault-no-request-forwarding'] !== undefined) {
    return { status: 307, headers: { Location: target } };
  }
  body ??= await readBody(req, limit);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (HOP_BY_HOP.has(name) || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  headers.append('x-forwarded-for', req.socket.remoteAddress ?? '');
  const method = req.method === REWRITTEN_LIST_METHOD ? 'LIST' : req.method ?? 'GET';
  let answer: Response;
  try {
    answer = await fetch(target, {
      method, headers, redirect: 'manual', signal: AbortSignal.timeout(90_000),
      body: method === 'GET' || method === 'HEAD' || body.length === 0 ? undefined : new Uint8Array(body),
    });
  } catch (error) {
    // The active node just died, most likely: a client that retries reaches the next one.
    log.warn('ha: forwarding to the active node failed', { leader: leaderAddress, error });
    return { status: 503, body: { errors: ['error forwarding request to the active node'] } };
  }
  const bytes = Buffer.from(await answer.arrayBuffer());
  const relayed: Record<string, string> = {};
  answer.headers.forEach((value, name) => { if (!HOP_BY_HOP.has(name) && name !== 'content-type') relayed[name] = value; });
  const contentType = answer.headers.get('content-type') ?? 'application/octet-stream';
  return bytes.length === 0
    ? { status: answer.status, headers: relayed }
    : { status: answer.status, headers: relayed, contentType, body: bytes };
}
