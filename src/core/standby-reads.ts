// Which requests a read-serving standby answers itself (standby_reads = true): those that only
// read the shared store. Everything else goes to the active node as on any standby. The list
// is deliberately short, and a request that turns out to write anyway (transit's encrypt
// creating a missing key) is refused by the fence and forwarded after all.
//   - KV (v1 and v2): read and list;
//   - token lookups: auth/token/lookup-self, lookup, lookup-accessor;
//   - transit: encrypt, decrypt, sign, verify, hmac.
// Never served here: a wrapped response (the wrap is a token and a cubbyhole write), a token
// with limited uses (each use is a write), `?help`.
import type { Operation } from './request.js';
import type { MountTable } from './mounts.js';
import { LockLost } from '../storage/ha.js';
import { StandbyError } from './ha.js';

/** A request begun on a standby that must go to the active node after all: it wrote, or met a rebuild. */
export function needsActiveNode(err: unknown): boolean {
  return err instanceof LockLost || err instanceof StandbyError;
}

/** What is known of a request before it is parsed. */
export type StandbyCandidate = {
  path: string;
  operation: Operation;
  wrapped: boolean;
  help: boolean;
};

const TOKEN_LOOKUPS = new Set(['lookup-self', 'lookup', 'lookup-accessor']);
const TRANSIT_OPERATIONS = new Set(['encrypt', 'decrypt', 'sign', 'verify', 'hmac']);

/** Whether a standby may answer `req` itself, judged by the mount it routes to. */
export function standbyMayServe(mounts: MountTable, req: StandbyCandidate): boolean {
  if (req.wrapped || req.help) return false;
  const route = mounts.route(req.path);
  if (!route) return false;
  const { entry, rest } = route;
  const first = rest.split('/', 1)[0] ?? '';
  switch (entry.type) {
    case 'kv':
      return req.operation === 'read' || req.operation === 'list';
    case 'token':
      return entry.table === 'auth' && TOKEN_LOOKUPS.has(rest.replace(/\/$/, '')) && (req.operation === 'read' || req.operation === 'update');
    case 'transit':
      return TRANSIT_OPERATIONS.has(first) && rest.length > first.length + 1 && (req.operation === 'update' || req.operation === 'create');
    default:
      return false;
  }
}
