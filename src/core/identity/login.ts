// Every login goes through here (core's login path calls it with the method's grant): the
// alias (mount accessor, alias name) is found through the index or created with a new entity,
// its metadata is rewritten when the login brings different metadata, and the entity's
// external-group memberships on that mount follow the login's group aliases.
import type { IdentityState } from './store.js';
import type { Entity } from './records.js';
import { newEntity } from './entities.js';
import { newAlias } from './aliases.js';

/** What a login tells the identity store. */
export type LoginIdentity = {
  accessor: string;
  alias: string;
  metadata: Record<string, string>;
  /** Group-alias names on this mount; Vault treats a method that names none as naming none. */
  groupAliases: string[];
};

/** The entity a login resolved to, and whether this login created it. */
export type LoginEntity = { entity: Entity; created: boolean };

const sameMap = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** Finds or creates the login's entity and brings its alias and group memberships up to date. */
export async function loginEntity(state: IdentityState, login: LoginIdentity): Promise<LoginEntity> {
  const found = state.aliasByFactors(login.accessor, login.alias);
  // The common case takes no lock and writes nothing: the alias exists and nothing changed.
  if (found && sameMap(found.alias.metadata, login.metadata) && membershipsCurrent(state, found.entity.id, login)) {
    return { entity: found.entity, created: false };
  }
  return state.change((c) => {
    // Re-read under the store's queue: a concurrent first login may have created it meanwhile.
    const existing = state.aliasByFactors(login.accessor, login.alias);
    let entity: Entity;
    let created = false;
    if (existing) {
      entity = c.entity(existing.entity.id) as Entity;
      const alias = entity.aliases.find((a) => a.id === existing.alias.id);
      if (alias && !sameMap(alias.metadata, login.metadata)) {
        alias.metadata = { ...login.metadata };
        alias.last_update_time = state.now();
        c.putEntity(entity);
      }
    } else {
      entity = newEntity(state);
      entity.aliases.push(newAlias(state, entity.id, login.accessor, login.alias, { ...login.metadata }, {}));
      c.putEntity(entity);
      created = true;
    }
    const { join, leave } = membershipChanges(state, entity.id, login);
    for (const id of join) {
      const group = c.group(id);
      if (!group) continue;
      group.member_entity_ids = [...group.member_entity_ids, entity.id];
      c.putGroup(group);
    }
    for (const id of leave) {
      const group = c.group(id);
      if (!group) continue;
      group.member_entity_ids = group.member_entity_ids.filter((m) => m !== entity.id);
      c.putGroup(group);
    }
    return { entity, created };
  });
}

function membershipsCurrent(state: IdentityState, entityId: string, login: LoginIdentity): boolean {
  const { join, leave } = membershipChanges(state, entityId, login);
  return join.length === 0 && leave.length === 0;
}

// Vault's refreshExternalGroupMemberships: only external groups whose alias is on this mount
// are touched; a group-alias name with no group behind it is ignored.
function membershipChanges(state: IdentityState, entityId: string, login: LoginIdentity) {
  const wanted = new Set<string>();
  for (const name of login.groupAliases) {
    const group = state.groupByAliasFactors(login.accessor, name);
    if (group && group.type === 'external') wanted.add(group.id);
  }
  const current = state.directGroups(entityId).filter((g) => g.type === 'external' && g.alias?.mount_accessor === login.accessor);
  const currentIds = new Set(current.map((g) => g.id));
  return {
    join: [...wanted].filter((id) => !currentIds.has(id)),
    leave: [...currentIds].filter((id) => !wanted.has(id)),
  };
}

/**
 * The entity of alias `name` on mount `accessor`, created with the alias when there is none.
 * Unlike a login it leaves an existing alias's metadata and group memberships alone: token
 * creation with `entity_alias` only names the alias, as Vault's CreateOrFetchEntity does.
 */
export async function entityOfAliasName(state: IdentityState, accessor: string, name: string): Promise<Entity> {
  const found = state.aliasByFactors(accessor, name);
  if (found) return found.entity;
  return state.change((c) => {
    const existing = state.aliasByFactors(accessor, name);
    if (existing) return existing.entity;
    const entity = newEntity(state);
    entity.aliases.push(newAlias(state, entity.id, accessor, name, {}, {}));
    c.putEntity(entity);
    return entity;
  });
}
