// Vault Agent's lease cache. A proxied answer is cached when it carries a renewable lease
// asked for with a token the agent manages, or a new renewable token (an orphan, or the child
// of a managed token); anything else (KV reads, errors, non-JSON) passes through. The same
// request again (method, path and query, body, token, wrap TTL) gets the stored answer with
// X-Cache: HIT and Age. Identical requests in flight share the first one's upstream call.
// Each entry is renewed through the lifetime watcher (sys/leases/renew with the token that
// asked, or renew-self with the new token, increment 0) and evicted, with what hangs under it,
// when renewal stops: the max TTL is near, a renewal failed for good, or it was revoked or
// cleared through the agent. Stopping the agent stops renewals without evicting anything.
import { createHash, randomBytes } from 'node:crypto';
import type { RawResponse, Transport } from '../http.js';
import type { Logger } from '../log.js';
import type { Scheduler } from '../schedule.js';
import { watchLifetime, type Renewal } from '../lifetime/watcher.js';
import { CacheStore, Entry, ROOT_NAMESPACE, type EvictOptions } from './store.js';
import { requestPath, revocationOf, type Revocation } from './revoke.js';

export type CacheRequest = {
  method: string;
  /** Path and query, as the client sent them (/v1/...). */
  url: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** The token the request goes upstream with ('' for none). */
  token: string;
};

/** An answer, and whether it came from the cache (then with its age in seconds). */
export type CacheAnswer = RawResponse & { hit: boolean; ageSeconds?: number };

export type LeaseCacheOptions = { transport: Transport; scheduler: Scheduler; log: Logger };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The cache key: what makes two requests the same one. */
export function requestKey(r: CacheRequest): string {
  const wrap = r.headers['x-vault-wrap-ttl'];
  const h = createHash('sha256');
  for (const part of [r.method.toUpperCase(), r.url, r.token, Array.isArray(wrap) ? wrap.join(',') : wrap ?? '']) {
    h.update(part).update('\0');
  }
  h.update(r.body);
  return h.digest('hex');
}

function parseJson(res: RawResponse): Json | undefined {
  const type = String(res.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return undefined;
  try {
    const parsed: unknown = JSON.parse(res.body.toString('utf8'));
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

// Renewals answer with the lease or token they extended, not a new one: caching them would
// answer the next renewal from the cache without renewing anything.
const RENEWALS = /^\/v1\/(sys\/leases\/renew|sys\/renew|auth\/token\/renew(-self|-accessor)?)(\/|$)/;

const seconds = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v * 1000 : 0);

export class LeaseCache {
  readonly #store = new CacheStore();
  readonly #inflight = new Map<string, Promise<void>>();
  readonly #transport: Transport;
  readonly #s: Scheduler;
  readonly #log: Logger;
  #closed = false;

  constructor(o: LeaseCacheOptions) {
    this.#transport = o.transport;
    this.#s = o.scheduler;
    this.#log = o.log.named('cache.leasecache');
  }

  /** Entries cached (registered auto-auth tokens included). */
  get size(): number {
    return this.#store.size;
  }

  /** The store, for tests and the cache-clear handler's counts. */
  get store(): CacheStore {
    return this.#store;
  }

  /**
   * Makes `token` (a new auto-auth token) a managed token. Earlier auto-auth tokens with
   * nothing cached under them are dropped; those with leases stay until the leases go.
   */
  registerAutoAuthToken(token: string): void {
    if (this.#store.byToken(token)) return;
    for (const e of this.#store.entries()) if (e.kind === 'root' && e.children.size === 0) this.#store.evict(e);
    const id = `root:${randomBytes(8).toString('hex')}`;
    this.#store.add(new Entry(id, 'root', { requestPath: '', requestToken: '', token, storedAt: this.#s.now() }));
  }

  async send(req: CacheRequest, forward: () => Promise<RawResponse>): Promise<CacheAnswer> {
    const id = requestKey(req);
    const cached = this.#hit(id);
    if (cached) return cached;
    const pending = this.#inflight.get(id);
    if (pending) {
      // The same request is on its way: wait for it, then use its answer if it was cached.
      // If it was not, go upstream as well (Vault Agent does the same).
      await pending;
      return this.#hit(id) ?? this.#forward(id, req, forward);
    }
    let done = () => {};
    this.#inflight.set(id, new Promise<void>((resolve) => { done = resolve; }));
    try {
      return await this.#forward(id, req, forward);
    } finally {
      this.#inflight.delete(id);
      done();
    }
  }

  #hit(id: string): CacheAnswer | undefined {
    const e = this.#store.byId(id);
    const r = e?.fields.response;
    if (!e || !r) return undefined;
    return { ...r, hit: true, ageSeconds: Math.max(0, Math.round((this.#s.now() - e.fields.storedAt) / 1000)) };
  }

  async #forward(id: string, req: CacheRequest, forward: () => Promise<RawResponse>): Promise<CacheAnswer> {
    const res = await forward();
    const answer: CacheAnswer = { ...res, hit: false };
    if (res.status === 204) {
      const rev = revocationOf(req.url, req.body, req.token);
      if (rev) this.#revoked(rev);
      return answer;
    }
    if (this.#closed || res.status < 200 || res.status >= 300) return answer;
    const path = requestPath(req.url);
    if (RENEWALS.test(path)) return answer;
    const secret = parseJson(res);
    if (!secret) return answer;
    const auth = isObject(secret.auth) ? secret.auth : undefined;
    if (secret.renewable !== true && auth?.renewable !== true) return answer;
    const leaseId = typeof secret.lease_id === 'string' ? secret.lease_id : '';
    const stored = { status: res.status, headers: res.headers, body: res.body };
    if (leaseId !== '') {
      const parent = this.#store.byToken(req.token);
      if (!parent || secret.renewable !== true) return answer;
      const e = new Entry(id, 'lease', { requestPath: path, requestToken: req.token, leaseId, response: stored, storedAt: this.#s.now() });
      if (!this.#store.add(e, parent)) return answer;
      this.#log.debug('cached a leased answer', { method: req.method, path });
      this.#watch(e, { leaseDurationMs: seconds(secret.lease_duration), renewable: true }, async () => {
        const r = await this.#transport.json('PUT', 'sys/leases/renew', { token: req.token, body: { lease_id: leaseId, increment: 0 } });
        if (!r) throw new Error('lease not found');
        return { leaseDurationMs: seconds(r.lease_duration), renewable: r.renewable === true };
      });
      return answer;
    }
    const token = typeof auth?.client_token === 'string' ? auth.client_token : '';
    if (!auth || token === '' || auth.renewable !== true) return answer;
    // A new token is managed when it is an orphan or its parent (the requesting token) is.
    const parent = auth.orphan === true ? undefined : this.#store.byToken(req.token);
    if (auth.orphan !== true && !parent) return answer;
    const accessor = typeof auth.accessor === 'string' && auth.accessor !== '' ? auth.accessor : undefined;
    const e = new Entry(id, 'token', { requestPath: path, requestToken: req.token, token, accessor, response: stored, storedAt: this.#s.now() });
    if (!this.#store.add(e, parent)) return answer;
    this.#log.debug('cached a new token', { method: req.method, path });
    this.#watch(e, { leaseDurationMs: seconds(auth.lease_duration), renewable: true }, async () => {
      const r = await this.#transport.json('PUT', 'auth/token/renew-self', { token, body: { increment: 0 } });
      const a = isObject(r?.auth) ? r.auth : undefined;
      if (!a) throw new Error('renew-self returned no auth');
      return { leaseDurationMs: seconds(a.lease_duration), renewable: a.renewable === true };
    });
    return answer;
  }

  #watch(e: Entry, first: Renewal, renew: () => Promise<Renewal>): void {
    const path = e.fields.requestPath;
    void watchLifetime({
      leaseDurationMs: first.leaseDurationMs, renewable: first.renewable, renew, scheduler: this.#s, signal: e.stop.signal,
      onRenewed: () => this.#log.debug('renewed a cached entry', { path }),
      onRenewError: (err, retryInMs) => this.#log.warn('error renewing a cached entry', { path, error: (err as Error).message, retry_in: `${Math.round(retryInMs)}ms` }),
    }).then((end) => {
      if (end === 'stopped' || this.#closed || !this.#store.has(e)) return;
      this.#log.debug('renewal ended; evicting from the cache', { path, reason: end });
      this.#store.evict(e);
    }, (err: unknown) => {
      this.#log.error('lifetime watcher failed; evicting from the cache', { path, error: (err as Error).message });
      this.#store.evict(e);
    });
  }

  #revoked(r: Revocation): void {
    switch (r.kind) {
      case 'token': this.#evict(this.#store.byToken(r.token)); break;
      case 'accessor': this.#evict(this.#store.byAccessor(r.accessor)); break;
      case 'orphan': this.#evict(this.#store.byToken(r.token), { orphanChildTokens: true }); break;
      case 'lease': this.#evict(this.#store.byLease(r.leaseId)); break;
      case 'lease-prefix': this.clearLeasePrefix(r.prefix); break;
    }
  }

  #evict(e: Entry | undefined, o?: EvictOptions): number {
    if (!e) return 0;
    const before = this.#store.size;
    this.#store.evict(e, o);
    const n = before - this.#store.size;
    if (n > 0) this.#log.debug('evicted cache entries', { count: n });
    return n;
  }

  // cache-clear: each returns how many entries went. A registered auto-auth token stays
  // registered (the agent still holds it); what was cached under it goes.

  clearRequestPath(prefix: string, namespace: string): number {
    const ns = namespace === '' ? ROOT_NAMESPACE : namespace.replace(/^\/+/, '').replace(/\/*$/, '/');
    if (ns !== ROOT_NAMESPACE) return 0; // Lockbox has no other namespace: nothing is cached there
    let n = 0;
    for (const e of this.#store.entries()) {
      if (e.kind !== 'root' && this.#store.has(e) && e.fields.requestPath.startsWith(prefix)) n += this.#evict(e);
    }
    return n;
  }

  clearToken(token: string): number {
    return this.#evict(this.#store.byToken(token), { keepRoot: true });
  }

  clearAccessor(accessor: string): number {
    return this.#evict(this.#store.byAccessor(accessor), { keepRoot: true });
  }

  clearLease(leaseId: string): number {
    return this.#evict(this.#store.byLease(leaseId));
  }

  clearLeasePrefix(prefix: string): number {
    let n = 0;
    for (const e of this.#store.entries()) {
      if (e.kind === 'lease' && this.#store.has(e) && e.fields.leaseId?.startsWith(prefix)) n += this.#evict(e);
    }
    return n;
  }

  clearAll(): number {
    let n = 0;
    for (const e of this.#store.entries()) if (this.#store.has(e)) n += this.#evict(e, { keepRoot: true });
    return n;
  }

  /** Stops every renewal; nothing is evicted or revoked (Vault Agent's shutdown). */
  close(): void {
    this.#closed = true;
    for (const e of this.#store.entries()) e.stop.abort();
  }
}
