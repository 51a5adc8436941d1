// The JSON line of a record, written straight to a string: the same text as
// `JSON.stringify(buildRecord(...))` (record.ts stays the definition of the shape), without
// building and re-encoding the parts that repeat. Per device, because salts differ:
// - a caller's `auth` block is the same on every request made with the same token, so its
//   JSON is kept per caller object (core hands out one object per token entry and identity;
//   a changed token gets a new one, and the old one's JSON goes with it);
// - the `request` block appears in both records of a request: encoded once for the two.
// - a response whose data says what fixes it (`auditKey`: a KV version) has that data hashed
//   and encoded once per key; any other response block is encoded every time.
import { hasNoKeys } from '../util/no-keys.js';
import type { AuditInput } from '../core/audit.js';
import type { Caller, LogicalRequest, MountInfo, Response } from '../core/request.js';
import { hashStrings, type Hasher } from './hash.js';
import type { FormatOptions } from './options.js';
import { callerAuth, compact, hidingFor, mountFields, responseBlock, type AuditKind, type Hiding } from './record.js';

/** A caller's auth block as JSON, and its token's and accessor's HMACs as JSON strings. */
type EncodedCaller = { json: string; token: string; accessor: string };

/** The request block's JSON and what it was built from, to tell a stale copy. */
type EncodedRequest = { operation: string; mount: MountInfo | undefined; data: unknown; json: string };

const NO_CALLER = '{}';

/** How many LIST names a device remembers the HMAC of. */
const NAMES = 16_384;

/** How many parts of one audit key's object are remembered at once. */
const PARTS_PER_KEY = 8;

/** Writes one device's JSON lines. */
export class JsonLines {
  readonly #opts: FormatOptions;
  /** Per caller: its auth block's JSON and the HMACs of its token and accessor. */
  readonly #auth = new WeakMap<Caller, EncodedCaller>();
  readonly #requests = new WeakMap<LogicalRequest, EncodedRequest>();
  /** Hashed data JSON by `auditKey`: object, then part. Holds HMACs only, never values. */
  readonly #keyedData = new WeakMap<object, Map<string | number, string>>();
  /** HMACs of names that LIST responses carried; bounded. */
  readonly #names = new Map<string, string>();
  /** `"mount_point":…,"mount_type":…,"mount_accessor":…` of a mount entry. */
  readonly #mounts = new WeakMap<MountInfo, string>();
  #lastMs = NaN;
  #lastTime = '';

  constructor(opts: FormatOptions) {
    this.#opts = opts;
  }

  /** The full line for one record, prefix and newline included. */
  line(kind: AuditKind, input: AuditInput, hash: Hasher, now: number): string {
    let h: Hiding | undefined;
    const hiding = () => (h ??= hidingFor(this.#opts, hash));
    let out = `${this.#opts.prefix}{"time":"${this.#time(now)}","type":"${kind}","auth":${this.#authJson(input.caller, hiding)},"request":${this.#requestJson(input, hiding)}`;
    if (kind === 'response') out += `,"response":${this.#responseJson(input, hiding)}`;
    if (input.error) out += `,"error":${JSON.stringify(input.error)}`;
    return out + '}\n';
  }

  /** toISOString of `now`; many records share a millisecond. */
  #time(now: number): string {
    if (now !== this.#lastMs) {
      this.#lastMs = now;
      this.#lastTime = new Date(now).toISOString();
    }
    return this.#lastTime;
  }

  #authJson(caller: Caller | undefined, hiding: () => Hiding): string {
    return caller ? this.#encodedCaller(caller, hiding).json : NO_CALLER;
  }

  #encodedCaller(caller: Caller, hiding: () => Hiding): EncodedCaller {
    let known = this.#auth.get(caller);
    if (known === undefined) {
      const h = hiding();
      const token = caller.token ? h.secret(caller.token) : '';
      const accessor = caller.accessor ? h.accessor(caller.accessor) : '';
      // The auth block hides the same two values: hashed once for both.
      const once: Hiding = { ...h, secret: (v) => (v === caller.token ? token : h.secret(v)), accessor: (v) => (v === caller.accessor ? accessor : h.accessor(v)) };
      known = { json: JSON.stringify(callerAuth(caller, once)), token: JSON.stringify(token), accessor: JSON.stringify(accessor) };
      this.#auth.set(caller, known);
    }
    return known;
  }

  /**
   * The response block. A response that is only data is spliced from the mount's fields and
   * its hashed data: kept per audit key when it has one (a KV read), with list names hashed
   * through a memo (a LIST's names are paths, not values). Anything else goes through
   * responseBlock.
   */
  #responseJson(input: AuditInput, hiding: () => Hiding): string {
    const resp = input.response;
    if (!resp || this.#opts.logRaw || !onlyData(resp)) return JSON.stringify(responseBlock(input, hiding(), this.#opts));
    const key = resp.auditKey;
    let data: string | undefined;
    if (key) {
      let parts = this.#keyedData.get(key.object);
      if (!parts) this.#keyedData.set(key.object, (parts = new Map()));
      data = parts.get(key.part);
      if (data === undefined) {
        // Parts that follow the clock (a token's TTL left) come and go: keep only recent ones.
        if (parts.size >= PARTS_PER_KEY) parts.clear();
        data = JSON.stringify(hashStrings(resp.data, hiding().secret));
        parts.set(key.part, data);
      }
    } else if (input.operation !== 'list') {
      // Data without a key (a write's answer): hashed and encoded now, spliced all the same.
      data = JSON.stringify(hashStrings(resp.data, hiding().secret));
    } else if (!this.#opts.elideListResponses && isNameList(resp.data.keys)) {
      data = JSON.stringify(this.#hashedList(resp.data, resp.data.keys, hiding().secret));
    } else {
      return JSON.stringify(responseBlock(input, hiding(), this.#opts));
    }
    const mount = input.mount === undefined ? '' : this.#mountJson(input.mount);
    return `{${mount}${mount === '' ? '' : ','}"data":${data}}`;
  }

  /** A LIST's data hashed as hashStrings would, each name's HMAC taken from the memo. */
  #hashedList(data: Record<string, unknown>, keys: string[], hash: Hasher): Record<string, unknown> {
    // Hashing the rest with `keys` emptied keeps the field order; the names go in after.
    const out = hashStrings({ ...data, keys: [] }, hash) as Record<string, unknown>;
    const names = this.#names;
    out.keys = keys.map((name) => {
      let hashed = names.get(name);
      if (hashed === undefined) {
        if (names.size >= NAMES) names.clear();
        names.set(name, (hashed = hash(name)));
      }
      return hashed;
    });
    return out;
  }

  #mountJson(mount: MountInfo): string {
    let json = this.#mounts.get(mount);
    if (json === undefined) {
      json = JSON.stringify(compact(mountFields(mount))).slice(1, -1);
      this.#mounts.set(mount, json);
    }
    return json;
  }

  /**
   * The request block, spliced in requestBlock's order with compact's omissions: building,
   * compacting and encoding the object cost more than the rest of the request's audit work.
   * The line tests hold the two to the same text.
   */
  #requestBlockJson(input: AuditInput, h: Hiding): string {
    const req = input.request;
    let out = '{';
    if (req.id) out += `"id":${JSON.stringify(req.id)},`;
    if (input.operation) out += `"operation":${JSON.stringify(input.operation)},`;
    const mount = input.mount === undefined ? '' : this.#mountJson(input.mount);
    if (mount !== '') out += `${mount},`;
    // The caller's token is the one sent: its HMACs come from the caller's memo.
    const caller = input.caller && input.caller.token === req.clientToken ? this.#encodedCaller(input.caller, () => h) : undefined;
    if (req.clientToken) out += `"client_token":${caller ? caller.token : JSON.stringify(h.secret(req.clientToken))},`;
    const accessor = input.caller?.accessor;
    if (accessor) out += `"client_token_accessor":${caller ? caller.accessor : JSON.stringify(h.accessor(accessor))},`;
    out += '"namespace":{"id":"root"}';
    if (req.path) out += `,"path":${JSON.stringify(req.path)}`;
    if (!hasNoKeys(req.data)) out += `,"data":${JSON.stringify(h.data(req.data))}`;
    if (req.remoteAddress) out += `,"remote_address":${JSON.stringify(req.remoteAddress)}`;
    if (req.wrapTtl) out += `,"wrap_ttl":${JSON.stringify(req.wrapTtl)}`;
    return out + '}';
  }

  #requestJson(input: AuditInput, hiding: () => Hiding): string {
    const req = input.request;
    const memo = req.auditMemo;
    const mine = memo === undefined || memo.owner === this;
    const seen = mine ? memo?.value as EncodedRequest | undefined : this.#requests.get(req);
    if (seen && seen.operation === input.operation && seen.mount === input.mount && seen.data === req.data) return seen.json;
    const json = this.#requestBlockJson(input, hiding());
    const encoded: EncodedRequest = { operation: input.operation, mount: input.mount, data: req.data, json };
    // The first device keeps its copy on the request itself; any other in its own table.
    if (mine) req.auditMemo = { owner: this, value: encoded };
    else this.#requests.set(req, encoded);
    return json;
  }
}


/** Whether the response block would hold nothing but the mount fields and non-empty `data`. */
function onlyData(resp: Response): resp is Response & { data: Record<string, unknown> } {
  return !resp.raw && !resp.auth && !resp.leaseId && !resp.wrapInfo && !(resp.warnings && resp.warnings.length > 0)
    && resp.data !== undefined && resp.data !== null && Object.keys(resp.data).length > 0;
}

const isNameList = (keys: unknown): keys is string[] => Array.isArray(keys) && keys.every((k) => typeof k === 'string');
