// The OAuth state of pending browser logins, in memory per mount as Vault keeps it: random,
// single use, expiring 10 minutes after auth_url on the server's clock. A restart forgets them,
// which only means the user clicks "log in" again.
import { createHash, randomBytes } from 'node:crypto';

/** Vault's lifetime of an OAuth state. */
export const STATE_TTL_MS = 10 * 60 * 1000;
/** Pending states per mount beyond which the oldest are dropped (auth_url is unauthenticated). */
const MAX_PENDING = 10_000;

/** What auth_url remembers for its callback. */
export type OidcState = {
  role: string;
  redirectUri: string;
  nonce: string;
  /** The PKCE code verifier; only its S256 challenge goes into the auth URL. */
  verifier: string;
  /** The client's own nonce (the CLI's), '' when none was given. */
  clientNonce: string;
  expiresAt: number;
};

const states = new Map<string, Map<string, OidcState>>();
const random = () => randomBytes(20).toString('hex');

/** The S256 challenge of a PKCE verifier (RFC 7636). */
export const pkceChallenge = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** Creates a state for one browser login; answers its id, nonce and verifier. */
export function createState(mountUuid: string, init: Omit<OidcState, 'nonce' | 'verifier' | 'expiresAt'>, now: number): { id: string; state: OidcState } {
  let pending = states.get(mountUuid);
  if (!pending) states.set(mountUuid, (pending = new Map()));
  for (const [id, s] of pending) if (s.expiresAt <= now) pending.delete(id);
  while (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value as string);
  const state: OidcState = { ...init, nonce: random(), verifier: randomBytes(32).toString('base64url'), expiresAt: now + STATE_TTL_MS };
  const id = random();
  pending.set(id, state);
  return { id, state };
}

/** Takes a state out (it is used once, whatever happens next); undefined when unknown or expired. */
export function takeState(mountUuid: string, id: string, now: number): OidcState | undefined {
  const pending = states.get(mountUuid);
  const state = pending?.get(id);
  if (!state) return undefined;
  pending!.delete(id);
  return state.expiresAt > now ? state : undefined;
}
