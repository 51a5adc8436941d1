// POST /agent/v1/cache-clear: evicts entries by request_path (prefix), lease, token,
// token_accessor (exact) or all, with Vault Agent's validation and messages. Without a cache,
// or for a method other than POST/PUT, it does nothing and answers 200, as Vault Agent does.
import type { LeaseCache } from './cache.js';

export type ClearAnswer = { status: number; errors?: string[] };

const FIELDS = ['type', 'value', 'namespace'] as const;
type Field = (typeof FIELDS)[number];

/** Go's encoding/json type names, for its "cannot unmarshal" message. */
function goKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** The request as Go's json decoder reads it into {type, value, namespace}: keys match case-insensitively. */
function decode(body: Buffer): Record<Field, string> | string {
  const text = body.toString('utf8');
  if (text.trim() === '') return 'empty JSON provided';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  const out: Record<Field, string> = { type: '', value: '', namespace: '' };
  if (parsed === null) return out;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return `json: cannot unmarshal ${goKind(parsed)} into Go value of type cache.cacheClearRequest`;
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    const field = FIELDS.find((f) => f === k.toLowerCase());
    if (!field || v === null) continue;
    if (typeof v !== 'string') return `json: cannot unmarshal ${goKind(v)} into Go struct field cacheClearRequest.${field} of type string`;
    out[field] = v;
  }
  return out;
}

export function cacheClear(cache: LeaseCache | undefined, method: string, body: Buffer): ClearAnswer {
  if (!cache || (method !== 'POST' && method !== 'PUT')) return { status: 200 };
  const req = decode(body);
  if (typeof req === 'string') return { status: 400, errors: [`failed to parse JSON input: ${req}`] };
  if (req.type === '') return { status: 400, errors: ['failed to parse clear input: no type provided'] };
  // Vault answers a missing value with 500 (its clear step fails), an unknown type with 400.
  const missing = (what: string): ClearAnswer => ({ status: 500, errors: [`failed to clear cache: ${what} not provided`] });
  switch (req.type) {
    case 'request_path':
      if (req.value === '') return missing('request path');
      cache.clearRequestPath(req.value, req.namespace);
      break;
    case 'token':
      if (req.value === '') return missing('token');
      cache.clearToken(req.value);
      break;
    case 'token_accessor':
      if (req.value === '') return missing('token accessor');
      cache.clearAccessor(req.value);
      break;
    case 'lease':
      if (req.value === '') return missing('lease');
      cache.clearLease(req.value);
      break;
    case 'all':
      cache.clearAll();
      break;
    default:
      return { status: 400, errors: ['failed to clear cache: invalid type provided'] };
  }
  return { status: 200 };
}
