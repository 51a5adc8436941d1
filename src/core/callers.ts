// A request's token resolved into its caller: the token's live entry, its CIDR binding checked
// against where the request comes from, and its entity as the identity store has it now.
import type { TokenEntry, TokenStore } from './tokens/store.js';
import type { IdentityStore, TokenIdentity } from './identity/index.js';
import type { Caller } from './request.js';
import { callerOf } from './access.js';
import { remoteAllowed } from './tokens/cidr.js';

/** Resolves tokens into callers for one unsealed core. */
export class CallerResolver {
  readonly #state: () => { tokens: TokenStore; identity: IdentityStore };

  /** `state` answers the current token and identity stores (they are replaced at each unseal). */
  constructor(state: () => { tokens: TokenStore; identity: IdentityStore }) {
    this.#state = state;
  }

  /**
   * The caller of `token`; undefined when there is no valid token, or when the token is bound
   * to networks the request does not come from (Vault checks a token's bound CIDRs on every
   * request). A token whose entry is in memory is answered without an async step.
   */
  resolve(token: string, remoteAddress: string): Caller | undefined | Promise<Caller | undefined> {
    const { tokens } = this.#state();
    const known = tokens.lookupNow(token);
    if (known !== undefined) return known === null ? undefined : this.#callerFor(token, known, remoteAddress);
    return tokens.lookup(token).then((entry) => (entry ? this.#callerFor(token, entry, remoteAddress) : undefined));
  }

  /** The caller a live token entry makes, unless its CIDR binding or its entity refuses it here. */
  #callerFor(token: string, entry: TokenEntry, remoteAddress: string): Caller | undefined {
    if (entry.bound_cidrs?.length && !remoteAllowed(remoteAddress, entry.bound_cidrs)) return undefined;
    // Identity is read as it is now: group changes reach tokens already issued, and a disabled
    // entity's tokens are refused (Vault's "permission denied") without being revoked.
    const identity = entry.entity_id ? this.#state().identity.forToken(entry.entity_id) : undefined;
    if (identity?.disabled) return undefined;
    return this.#callerOf(token, entry, identity);
  }

  /**
   * One caller object per token entry and identity, reused while both are the same objects
   * (the token store and the identity store replace, never mutate, what changed): the audit
   * devices keep the encoded `auth` block per caller object. Callers are read, never changed.
   */
  readonly #callers = new WeakMap<TokenEntry, { token: string; identity: TokenIdentity | undefined; caller: Caller }>();

  #callerOf(token: string, entry: TokenEntry, identity: TokenIdentity | undefined): Caller {
    const known = this.#callers.get(entry);
    if (known && known.token === token && known.identity === identity) return known.caller;
    const caller = callerOf(token, entry, identity);
    this.#callers.set(entry, { token, identity, caller });
    return caller;
  }
}
