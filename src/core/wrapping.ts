// Response wrapping: the real response is stored in the cubbyhole of a new single-use token
// and only that token travels. Used for any request carrying X-Vault-Wrap-TTL and by
// sys/wrapping/wrap; sys/wrapping/unwrap, lookup and rewrap read it back.
import { BadRequest } from '../util/errors.js';
import type { Clock } from '../util/clock.js';
import { parseDurationSeconds } from '../util/duration.js';
import { newTokenValue, type TokenEntry, type TokenStore } from './tokens/store.js';
import type { Storage } from '../storage/storage.js';

/** The policy a wrapping token carries, as Vault reports it. */
export const WRAPPING_POLICY = 'response-wrapping';

/** Vault's answer to any use of a bad, used or expired wrapping token. */
export const INVALID_WRAPPING_TOKEN = 'wrapping token is not valid or does not exist';

/** Vault's `wrap_info` block. */
export type WrapInfo = {
  token: string;
  accessor: string;
  ttl: number;
  creation_time: string;
  creation_path: string;
  wrapped_accessor?: string;
};

/** Parses X-Vault-Wrap-TTL (seconds or a duration string); undefined when absent. */
export function parseWrapTtl(header: string | string[] | undefined): number | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || text === '') return undefined;
  const ttl = parseDurationSeconds(text);
  if (ttl === undefined) throw new BadRequest('error parsing wrap TTL');
  if (ttl === 0) return undefined;
  return ttl;
}

const RESPONSE_KEY = 'response';

/** What wrapping needs from core: the token store, the clock, the cap, and cubbyholes. */
export interface WrapDeps {
  readonly clock: Clock;
  readonly store: TokenStore;
  readonly maxLeaseTtl: number;
  /** The cubbyhole storage of one token (Vault keeps the wrapped response there). */
  cubbyhole(tokenId: string): Storage;
}

/** Stores `body` (the response as it would have been sent) under a new wrapping token. */
export async function wrap(deps: WrapDeps, body: Record<string, unknown>, ttl: number, creationPath: string): Promise<WrapInfo> {
  if (ttl > deps.maxLeaseTtl) throw new BadRequest('wrapping ttl is greater than the max lease ttl');
  const now = deps.clock.now();
  const token = newTokenValue();
  // An orphan with one use: unwrapping spends it, and nothing else can reach the cubbyhole.
  const entry = await deps.store.create(token, {
    parent: '', policies: [WRAPPING_POLICY], path: creationPath, meta: null, display_name: 'response-wrapping',
    num_uses: 1, creation_time: Math.floor(now / 1000), ttl, explicit_max_ttl: 0, period: 0, renewable: false,
    type: 'service', entity_id: '', role: '', expire_at: now + ttl * 1000, issued_at: now,
  });
  await deps.cubbyhole(entry.id).put(RESPONSE_KEY, Buffer.from(JSON.stringify(body)));
  const auth = body.auth as { accessor?: string } | null | undefined;
  return {
    token, accessor: entry.accessor, ttl, creation_time: new Date(now).toISOString(), creation_path: creationPath,
    ...(auth?.accessor ? { wrapped_accessor: auth.accessor } : {}),
  };
}

/** The live wrapping token entry for a token value, or Vault's 400. */
export async function wrappingEntry(deps: WrapDeps, token: string): Promise<TokenEntry> {
  const entry = token ? await deps.store.lookup(token) : undefined;
  if (!entry || !entry.policies.includes(WRAPPING_POLICY)) throw new BadRequest(INVALID_WRAPPING_TOKEN);
  return entry;
}

/**
 * Takes the wrapping token's one use before unwrap or rewrap reads it: of concurrent callers
 * only the first gets the entry, the others Vault's 400 (no double unwrap, no unwrap + rewrap).
 */
export async function claimWrapping(deps: WrapDeps, entry: TokenEntry): Promise<TokenEntry> {
  const spent = await deps.store.spendUse(entry.id);
  if (spent.outcome !== 'last') throw new BadRequest(INVALID_WRAPPING_TOKEN);
  return spent.entry;
}

/** Reads the wrapped response without consuming the token. */
export async function readWrapped(deps: WrapDeps, entry: TokenEntry): Promise<Record<string, unknown>> {
  const raw = await deps.cubbyhole(entry.id).get(RESPONSE_KEY);
  if (!raw) throw new BadRequest(INVALID_WRAPPING_TOKEN);
  return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
}

/** Vault's sys/wrapping/lookup answer. */
export function wrappingLookup(entry: TokenEntry): Record<string, unknown> {
  return { creation_path: entry.path, creation_time: new Date(entry.issued_at).toISOString(), creation_ttl: entry.ttl };
}
