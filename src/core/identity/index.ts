// The identity store as core uses it: opened at each unseal over the identity mount's storage,
// asked at each login for the login's entity, and at each request for what the token's entity
// adds (identity policies, the values templated policy paths read, whether it is disabled).
import type { Storage } from '../../storage/storage.js';
import type { Clock } from '../../util/clock.js';
import type { TemplateIdentity } from '../../policy/index.js';
import { IdentityState } from './store.js';
import { entityOfAliasName, loginEntity, type LoginEntity, type LoginIdentity } from './login.js';
import type { MountLookup } from './records.js';

/** What a token's entity adds to a request, computed from the identity data as it is now. */
export type TokenIdentity = {
  /** The entity's id now: a merged-away entity's tokens resolve to the surviving entity. */
  entityId: string;
  disabled: boolean;
  /** The entity's policies and those of its direct and inherited groups, sorted. */
  policies: string[];
  template: TemplateIdentity;
};

/** The identity store of one unsealed server. */
export class IdentityStore {
  readonly state: IdentityState;
  /** Derived per entity, dropped whenever identity data changes (the generation moves). */
  readonly #derived = new Map<string, TokenIdentity>();
  #derivedAt = -1;

  private constructor(state: IdentityState) {
    this.state = state;
  }

  /** Loads the store from `view` (the identity mount's storage). */
  static async open(view: Storage, clock: Clock, mounts: MountLookup): Promise<IdentityStore> {
    const state = new IdentityState(view, clock, mounts);
    await state.load();
    return new IdentityStore(state);
  }

  /** Resolves a login to its entity (created on first login). */
  login(login: LoginIdentity): Promise<LoginEntity> {
    return loginEntity(this.state, login);
  }

  /** The entity behind alias `name` on mount `accessor`, created when there is none (token roles' entity_alias). */
  async entityForAlias(accessor: string, name: string): Promise<{ entityId: string; disabled: boolean }> {
    const entity = await entityOfAliasName(this.state, accessor, name);
    return { entityId: entity.id, disabled: entity.disabled };
  }

  /** What a token carrying `entityId` gets from identity; undefined when the entity is gone. */
  forToken(entityId: string): TokenIdentity | undefined {
    if (this.#derivedAt !== this.state.generation) {
      this.#derived.clear();
      this.#derivedAt = this.state.generation;
    }
    let derived = this.#derived.get(entityId);
    if (derived) return derived;
    const entity = this.state.resolveEntity(entityId);
    if (!entity) return undefined;
    const { direct, inherited } = this.state.groupsOf(entity.id);
    const groups = [...direct, ...inherited];
    const policies = [...new Set([...entity.policies, ...groups.flatMap((g) => g.policies)])].sort();
    derived = {
      entityId: entity.id, disabled: entity.disabled, policies,
      template: {
        key: `${entity.id}@${this.state.generation}`,
        entity: { id: entity.id, name: entity.name, metadata: entity.metadata, aliases: entity.aliases },
        groups: groups.map((g) => ({ id: g.id, name: g.name, metadata: g.metadata })),
      },
    };
    if (this.#derived.size >= 10_000) this.#derived.clear();
    this.#derived.set(entityId, derived);
    return derived;
  }
}

export type { LoginIdentity, LoginEntity } from './login.js';
export type { MountLookup, MountRef } from './records.js';
