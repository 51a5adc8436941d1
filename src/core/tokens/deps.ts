// What token issuing, renewal and revocation need from the rest of core. Core builds one of
// these at each unseal; auth methods reach tokens through it, never through Core itself, so
// the token rules can be read (and tested) without the request pipeline.
import type { Clock } from '../../util/clock.js';
import type { TokenEntry, TokenStore } from './store.js';

/** Default and maximum TTL (seconds) that apply to tokens of one auth mount. */
export type TokenTtls = { defaultTtl: number; maxTtl: number };

/** A renewal's limits; `period`: a login token's method's current period (absent: the token's own). */
export type RenewalLimits = TokenTtls & { period?: number };

export interface TokenDeps {
  readonly clock: Clock;
  readonly store: TokenStore;
  /** TTL limits of the auth/token/ mount, falling back to the server's. */
  tokenMountTtls(): TokenTtls;
  /**
   * The limits a renewal of this token is computed with: the token mount's for tokens made by
   * auth/token/create, the issuing mount's (after its method approved) for login tokens.
   */
  renewalLimits(entry: TokenEntry): Promise<RenewalLimits>;
  /** Whether a policy of that name exists (Vault warns about unknown ones). */
  policyExists(name: string): Promise<boolean>;
  /**
   * The entity of alias `name` on the auth/token/ mount, created when there is none: a token
   * created through a role with `entity_alias` belongs to it.
   */
  entityForAlias(name: string): Promise<{ entityId: string; disabled: boolean }>;
  /** Runs core's revocation hooks (cubbyhole, leases) before a token entry is removed. */
  revoked(entry: TokenEntry): Promise<void>;
}
