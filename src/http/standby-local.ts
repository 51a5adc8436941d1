// A read-serving standby (standby_reads = true) answering a request itself: the request must be
// one standby-reads.ts allows, its token known here with no use limit (a token this node has
// not seen yet goes to the active node, which surely has), and the node must have reached the
// X-Vault-Index the client echoes (consistency.ts). A request the fence stops (it wrote after
// all) or that meets a state being rebuilt is forwarded with the body already read.
import type http from 'node:http';
import type { Core } from '../core/core.js';
import { IndexNotPresent, inconsistentMode, type IndexTokens } from '../core/consistency.js';
import { needsActiveNode, standbyMayServe } from '../core/standby-reads.js';
import type { Reply } from './reply.js';
import { operationOf, readBody, tokenOf } from './request.js';

/** Runs a request on this node; `body` is given when it was already read. */
export type LocalHandler = (body: Buffer | undefined) => Promise<Reply>;

/** The answer given here, or the body read so far for forwarding (`reply` undefined). */
export type StandbyAttempt = { reply?: Reply; body?: Buffer };

/** Tries to answer `req` on this standby. */
export async function serveOnStandby(core: Core, req: http.IncomingMessage, path: string, limit: number,
  tokens: IndexTokens, local: LocalHandler): Promise<StandbyAttempt> {
  try {
    return await attempt(core, req, path, limit, tokens, local);
  } catch (err) {
    // The state went away before the body was read (a rebuild began): the active node answers.
    if (needsActiveNode(err)) return {};
    throw err;
  }
}

async function attempt(core: Core, req: http.IncomingMessage, path: string, limit: number,
  tokens: IndexTokens, local: LocalHandler): Promise<StandbyAttempt> {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const params = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
  const operation = operationOf(req.method ?? 'GET', params);
  const state = core.unsealed;
  const candidate = {
    path: operation === 'list' && !path.endsWith('/') ? `${path}/` : path, operation,
    wrapped: req.headers['x-vault-wrap-ttl'] !== undefined, help: params.has('help'),
  };
  // Without the index key a client's X-Vault-Index could not be honoured: the active node answers.
  if (!tokens.ready || !standbyMayServe(state.mounts, candidate)) return {};
  const entry = await state.tokens.lookup(tokenOf(req));
  if (!entry || entry.num_uses !== 0) return {};
  const required = tokens.required(req.headers['x-vault-index']);
  const mode = inconsistentMode(req.headers['x-vault-inconsistent']);
  if (required !== undefined && !(await tokens.reached(required))) {
    if (mode === 'fail') throw new IndexNotPresent();
    return {};
  }
  const body = operation === 'read' || operation === 'list' ? undefined : await readBody(req, limit);
  try {
    return { reply: await local(body) };
  } catch (err) {
    if (needsActiveNode(err)) return { body };
    throw err;
  }
}
