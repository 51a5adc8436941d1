// Turns a Node HTTP request into a logical request: the operation from the method, the
// client token from the headers, and the data from the JSON body or the query string.
import type { IncomingMessage } from 'node:http';
import { BadRequest, TooLarge, Unsupported } from '../util/errors.js';
import type { Operation } from '../core/request.js';
import { REWRITTEN_LIST_METHOD } from './list-method.js';
import type { JsonShapeCheck } from './json-limits.js';

/** The operation an HTTP method asks for; POST/PUT start as `update` until core checks existence. */
export function operationOf(method: string, query: URLSearchParams): Operation {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return listFlag(query.get('list')) ? 'list' : 'read';
    case 'POST':
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    case REWRITTEN_LIST_METHOD:
    case 'LIST':
      return 'list';
    default:
      throw new Unsupported();
  }
}

// Vault parses `?list=` with Go's strconv.ParseBool and refuses anything else with a 400.
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function listFlag(value: string | null): boolean {
  if (value === null || value === '' || FALSE.has(value)) return false;
  if (TRUE.has(value)) return true;
  throw new BadRequest('invalid value for list parameter: must be a boolean');
}

/** The path after `/v1/`, percent-decoded; a malformed escape is the caller's mistake. */
export function decodePath(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new BadRequest('invalid URL escape in request path');
  }
}

/** The caller's token: `X-Vault-Token`, or an `Authorization: Bearer` header. */
export function tokenOf(req: IncomingMessage): string {
  const header = req.headers['x-vault-token'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  return '';
}

/**
 * Reads the whole body as it streams in, refusing more than `limit` bytes and (through
 * `shape`) JSON beyond the listener's limits as soon as a chunk crosses one. After a refusal
 * the rest is drained unbuffered, so the connection stays usable for the answer.
 */
export function readBody(req: IncomingMessage, limit: number, shape?: JsonShapeCheck): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new TooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const refuse = (err: unknown) => {
      reject(err);
      req.removeAllListeners('data');
      req.resume();
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return refuse(new TooLarge());
      try {
        shape?.feed(chunk);
      } catch (err) {
        return refuse(err);
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Decodes a body as JSON whatever its Content-Type: Go clients and vault-action send none.
 * An empty body and the literal `null` both mean "no data".
 */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    // Never quote the body: it may hold a secret.
    throw new BadRequest('failed to parse JSON input: invalid character in request body');
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequest('failed to parse JSON input: the request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Query parameters as data: Vault passes them to reads, lists and deletes. */
export function queryData(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of query) out[k] = v;
  return out;
}
