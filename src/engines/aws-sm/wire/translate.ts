// AWS's JSON protocol on the Vault listener: `POST /` with `X-Amz-Target: secretsmanager.X`.
// Each request is logged in with auth/sigv4 (the signature is the credential), then run as
// one or more ordinary core requests on the aws-sm mount, so ACL, audit and seal apply as
// for every engine; answers and errors take AWS's shape.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AwsError } from '../../../util/aws-error.js';
import { LockboxError, PermissionDenied, Sealed } from '../../../util/errors.js';
import type { Core } from '../../../core/core.js';
import type { MountEntry } from '../../../core/mounts.js';
import type { LogicalRequest, Operation } from '../../../core/request.js';
import { sha256Hex } from './hash.js';
import { aclNameOf, store } from '../model.js';
import { regionOf } from '../paths.js';
import { replicationRefused } from '../value.js';
import { REPLICATION_ACTIONS, routeOf, type Route } from './routes.js';
import { batchGet, type Runner } from './batch.js';
import { pageListing } from '../actions/list.js';

/** An answer for the HTTP layer to write (the shape of http/'s Reply). */
export type WireReply = { status: number; body: string; contentType: string; headers: Record<string, string> };

/** Where the translator finds its engine and auth method. */
export type WireOptions = { mount?: string; sigv4Mount?: string };

const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** What a caller resolved from its signature is. */
export type WireCaller = { token: string; principal: string };


/**
 * The hook the HTTP layer calls for each request: it takes `POST /` (AWS's endpoint path) and
 * answers everything else with undefined, leaving it to the Vault API.
 */
export function awsWireHandler(core: Core, options: WireOptions = {}) {
  const mount = options.mount ?? 'aws-sm/';
  const sigv4 = options.sigv4Mount ?? 'sigv4/';
  return (req: IncomingMessage) => {
    // Asked of every request: `/` or `/?…` is told from a Vault path without splitting the URL.
    const url = req.url ?? '';
    if (req.method !== 'POST' || url[0] !== '/' || (url.length > 1 && url[1] !== '?')) return undefined;
    return async (body: Buffer): Promise<WireReply> => {
      const requestId = randomUUID();
      try {
        return answer(200, await serve(core, req, body, requestId, mount, sigv4), requestId);
      } catch (err) {
        return errorAnswer(core, err, requestId);
      }
    };
  };
}

function answer(status: number, body: unknown, requestId: string): WireReply {
  return { status, body: JSON.stringify(body), contentType: CONTENT_TYPE, headers: { 'x-amzn-RequestId': requestId } };
}

/** AWS's error shape; anything not ours is logged under the request id and shown as internal. */
function errorAnswer(core: Core, err: unknown, requestId: string): WireReply {
  // AWS omits Message when there is none (UnknownOperationException).
  if (err instanceof AwsError) return answer(err.status, { __type: err.code, ...(err.message ? { Message: err.message } : {}) }, requestId);
  if (err instanceof Sealed) return answer(503, { __type: 'ServiceUnavailable', Message: 'Lockbox is sealed.' }, requestId);
  if (err instanceof LockboxError && err.status < 500) return answer(400, { __type: 'InvalidRequestException', Message: err.message }, requestId);
  core.log.error('aws-sm request failed', { request_id: requestId, error: err });
  return answer(500, { __type: 'InternalServiceError', Message: 'An error occurred on the server side.' }, requestId);
}

function logical(id: string, req: IncomingMessage, operation: Operation, path: string, data: Record<string, unknown>, token: string): LogicalRequest {
  return { id, operation, path, data, query: {}, headers: {}, clientToken: token, remoteAddress: req.socket.remoteAddress ?? '' };
}

async function serve(core: Core, req: IncomingMessage, body: Buffer, requestId: string, mount: string, sigv4: string) {
  const entry = core.unsealed.mounts.get('mounts', mount);
  if (!entry) throw new AwsError('InternalServiceError', `No aws-sm engine is mounted at ${mount}.`, 500);
  const region = regionOf(entry.options);
  const caller = await login(core, req, body, requestId, sigv4, region);
  const target = req.headers['x-amz-target'];
  const m = typeof target === 'string' ? /^secretsmanager\.([A-Za-z]+)$/.exec(target) : null;
  if (!m) throw new AwsError('UnknownOperationException', '');
  const action = m[1]!;
  const input = parseBody(body);
  if (REPLICATION_ACTIONS.has(action)) throw replicationRefused();
  const account = await accountOf(core, entry);
  const run: Runner = async (operation, path, data, act) => {
    try {
      const outcome = await core.handle(logical(requestId, req, operation, `${mount}${path}`, { action: act, input: data }, caller.token));
      return outcome.response?.data ?? {};
    } catch (err) {
      if (err instanceof PermissionDenied) throw accessDenied(account, caller, act, data);
      throw err;
    }
  };
  if (action === 'BatchGetSecretValue') return batchGet(run, input);
  const route = routeOf(action, input);
  if (!route) throw new AwsError('UnknownOperationException', '');
  const result = await run(route.operation, pathOf(route, input), input, action);
  if (action !== 'ListSecrets') return result;
  const visible = await readable(core, caller, mount);
  const list = (result.SecretList as Array<{ Name: string }>).filter((s) => visible(s.Name));
  return pageListing(list, input);
}

/** Account ids by mount uuid: fixed once made, so read from storage once per process. */
const accounts = new Map<string, string>();

async function accountOf(core: Core, entry: MountEntry) {
  let account = accounts.get(entry.uuid);
  if (account === undefined) {
    account = (await store(core.unsealed.mounts.viewOf(entry)).config(regionOf(entry.options))).account;
    accounts.set(entry.uuid, account);
  }
  return account;
}

/** The engine path a route names. */
function pathOf(route: Route, input: Record<string, unknown>): string {
  if (route.family === 'list') return 'metadata/';
  if (route.family === 'random') return 'random';
  const id = route.secretMember ? input[route.secretMember] : undefined;
  // A missing or mistyped id reaches the engine, whose member checks answer AWS's error for it.
  return `${route.family}/${typeof id === 'string' && id !== '' ? aclNameOf(id) : '-'}`;
}

/** AWS's refusal text, naming the caller's role as an IAM user. */
function accessDenied(account: string, caller: WireCaller, action: string, input: Record<string, unknown>) {
  const resource = typeof input.SecretId === 'string' ? input.SecretId : typeof input.Name === 'string' ? input.Name : '*';
  return new AwsError('AccessDeniedException',
    `User: arn:aws:iam::${account}:user/${caller.principal} is not authorized to perform: secretsmanager:${action} on resource: ${resource} because no identity-based policy allows the secretsmanager:${action} action`);
}

/** Whether the caller may read a secret's value (the ListSecrets and batch filter). */
async function readable(core: Core, caller: WireCaller, mount: string) {
  const resolved = await core.resolveCaller(caller.token, '');
  const acl = await core.unsealed.policies.acl(resolved?.policies ?? []);
  const can = (path: string) => {
    const caps = acl.capabilities(path);
    return caps.includes('root') || caps.includes('read');
  };
  return (name: string) => can(`${mount}data/${name}`) || can(`${mount}metadata/${name}`);
}

function parseBody(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AwsError('SerializationException', 'The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

/** Checks the signature through auth/sigv4/login; the answer is the token the key acts as. */
async function login(core: Core, req: IncomingMessage, body: Buffer, requestId: string, sigv4: string, region: string): Promise<WireCaller> {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const data = {
    method: req.method ?? 'POST', raw_path: q === -1 ? raw : raw.slice(0, q), raw_query: q === -1 ? '' : raw.slice(q + 1),
    headers: req.headers, body_sha256: sha256Hex(body), region,
  };
  if (typeof req.headers.authorization !== 'string' || req.headers.authorization === '') {
    throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  try {
    const outcome = await core.handle(logical(requestId, req, 'update', `auth/${sigv4}login`, data, ''));
    const auth = outcome.response?.auth;
    if (!auth) throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    return { token: auth.client_token, principal: auth.metadata?.role || auth.metadata?.access_key_id || 'temporary' };
  } catch (err) {
    if (err instanceof AwsError || err instanceof Sealed) throw err;
    if (err instanceof LockboxError && err.status === 404) throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    throw err;
  }
}
