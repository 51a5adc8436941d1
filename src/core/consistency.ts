// Read-your-writes across HA nodes, in Vault Enterprise's X-Vault-Index form. Every response
// carries the store revision the node had reached, as Vault's WAL state:
//   base64("v1:" cluster_id ":" local_index ":" replicated_index ":" hex(HMAC-SHA256(state)))
// (both indexes are the one store revision here: there is no replication). A client that echoes
// it (the Go client's ReadYourWrites, or by hand; several values may be sent, as the Go client
// merges them) is never answered by a standby from an older revision: the standby waits for its
// change feed to reach the highest one, then, if it has not, forwards the request to the active
// node (`X-Vault-Inconsistent: forward-active-node`) or answers 412 (`fail`, the default).
// The HMAC key is derived from the token salt, which every unsealed node of the cluster reads
// from the barrier, so a forged index is refused and any node verifies any other node's.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { BadRequest, LockboxError } from '../util/errors.js';
import type { ChangeFeed } from '../storage/feed.js';

/** How long a standby waits for its feed to reach a requested index. */
export const INDEX_WAIT_MS = 2000;

/** Vault's answer when a node cannot reach the index a client requires. */
export class IndexNotPresent extends LockboxError {
  override readonly status = 412;
  constructor() { super('required index state not present'); }
}

/** What the client asks a node that is behind to do. */
export type Inconsistent = 'forward-active-node' | 'fail';

/** The index tokens of one node: made for responses, checked on requests. */
export class IndexTokens {
  readonly #feed: ChangeFeed;
  #clusterId = '';
  #key: Buffer | undefined;

  constructor(feed: ChangeFeed) {
    this.#feed = feed;
  }

  /** Once unsealed: the cluster's id and the salt the HMAC key comes from. */
  unsealed(clusterId: string, salt: Buffer | undefined): void {
    if (!salt || clusterId === '') return;
    this.#clusterId = clusterId;
    this.#key = Buffer.from(hkdfSync('sha256', salt, Buffer.alloc(0), 'lockbox x-vault-index', 32));
  }

  /** Whether tokens can be made and checked (the cluster id and key are known). */
  get ready(): boolean { return this.#key !== undefined; }

  /** Sealed: no tokens are made or accepted. */
  sealed(): void {
    this.#key = undefined;
  }

  /** The X-Vault-Index for a response now, or undefined while the key is unknown. */
  current(): string | undefined {
    if (!this.#key) return undefined;
    const revision = this.#feed.revision;
    const state = `v1:${this.#clusterId}:${revision}:${revision}`;
    return Buffer.from(`${state}:${this.#mac(state).toString('hex')}`).toString('base64');
  }

  /**
   * The highest revision the request's X-Vault-Index values require, or undefined if none.
   * A value that does not parse or verify is refused (400); one of another cluster is ignored.
   */
  required(header: string | string[] | undefined): number | undefined {
    if (header === undefined || !this.#key) return undefined;
    let highest: number | undefined;
    for (const raw of [header].flat().flatMap((h) => h.split(',')).map((h) => h.trim()).filter(Boolean)) {
      const decoded = Buffer.from(raw, 'base64').toString('utf8');
      const cut = decoded.lastIndexOf(':');
      const state = decoded.slice(0, cut);
      const mac = Buffer.from(decoded.slice(cut + 1), 'hex');
      const [version, cluster, local, replicated, ...extra] = state.split(':');
      if (cut === -1 || version !== 'v1' || !cluster || extra.length > 0 || !/^\d+$/.test(local ?? '') || !/^\d+$/.test(replicated ?? '')) {
        throw new BadRequest('invalid X-Vault-Index header');
      }
      if (cluster !== this.#clusterId) continue;
      const expected = this.#mac(state);
      if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw new BadRequest('invalid X-Vault-Index header');
      const revision = Math.max(Number(local), Number(replicated));
      highest = Math.max(highest ?? 0, revision);
    }
    return highest;
  }

  /** Waits (up to INDEX_WAIT_MS) for this node's feed to reach `revision`. */
  reached(revision: number): Promise<boolean> {
    return this.#feed.waitFor(revision, INDEX_WAIT_MS);
  }

  #mac(state: string): Buffer {
    return createHmac('sha256', this.#key as Buffer).update(state).digest();
  }
}

/** X-Vault-Inconsistent: forward-active-node or fail (the default); anything else is a 400. */
export function inconsistentMode(header: string | string[] | undefined): Inconsistent {
  const value = [header ?? ''].flat()[0]?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'fail') return 'fail';
  if (value === 'forward-active-node') return 'forward-active-node';
  throw new BadRequest(`invalid X-Vault-Inconsistent header: ${JSON.stringify(value.slice(0, 40))}`);
}
