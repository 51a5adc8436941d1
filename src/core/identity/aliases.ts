// Writing entity aliases (identity/entity-alias): create, update (by id or by factors), move
// between entities, delete. One (mount accessor, name) pair belongs to one alias, and an
// entity holds at most one alias per mount; breaches get Vault's texts.
import { BadRequest } from '../../util/errors.js';
import type { Change, IdentityState } from './store.js';
import type { Alias, Entity } from './records.js';
import { newEntity } from './entities.js';

/** What an alias write carries; '' / undefined mean "not sent". */
export type AliasInput = { id: string; name: string; mount_accessor: string; canonical_id: string; custom_metadata?: Record<string, string> };

/** The answer of a write that did something: the alias and its entity. */
export type AliasWritten = { id: string; canonical_id: string } | undefined;

const sameMap = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** Vault's handleAliasCreateUpdate. */
export function writeAlias(state: IdentityState, input: AliasInput): Promise<AliasWritten> {
  return state.change((c) => {
    let { name, mount_accessor: accessor } = input;
    if (input.id) {
      const entity = state.entityOfAlias(input.id);
      const alias = entity?.aliases.find((a) => a.id === input.id);
      if (!entity || !alias) throw new BadRequest('invalid alias ID provided');
      if (!accessor && !name && !input.canonical_id && !input.custom_metadata) return undefined;
      name ||= alias.name;
      accessor ||= alias.mount_accessor;
      return updateAlias(c, state, entity, alias, { ...input, name, mount_accessor: accessor });
    }
    if (!accessor || !name) throw new BadRequest("'id' or 'mount_accessor' and 'name' must be provided");
    if (!state.mounts(accessor)) throw new BadRequest(`invalid mount accessor ${JSON.stringify(accessor)}`);
    const existing = state.aliasByFactors(accessor, name);
    if (existing) return updateAlias(c, state, existing.entity, existing.alias, input);
    let entity: Entity | undefined;
    if (input.canonical_id) {
      entity = c.entity(input.canonical_id);
      if (!entity) throw new BadRequest('invalid canonical ID');
    }
    entity ??= newEntity(state);
    if (entity.aliases.some((a) => a.mount_accessor === accessor)) {
      throw new BadRequest('Alias already exists for requested entity and mount accessor');
    }
    const alias = newAlias(state, entity.id, accessor, name, {}, input.custom_metadata ?? {});
    entity.aliases.push(alias);
    c.putEntity(entity);
    return { id: alias.id, canonical_id: entity.id };
  });
}

/** A new alias record. */
export function newAlias(state: IdentityState, entityId: string, accessor: string, name: string, metadata: Record<string, string>, custom: Record<string, string>): Alias {
  const now = state.now();
  return {
    id: state.newId(), canonical_id: entityId, mount_accessor: accessor, name, metadata, custom_metadata: custom,
    merged_from_canonical_ids: [], creation_time: now, last_update_time: now,
  };
}

// Vault's handleAliasUpdate: rename, re-mount, new custom metadata, or a move to another entity.
function updateAlias(c: Change, state: IdentityState, owner: Entity, stored: Alias, input: AliasInput): AliasWritten {
  const custom = input.custom_metadata ?? stored.custom_metadata;
  const canonical = input.canonical_id;
  if (input.name === stored.name && input.mount_accessor === stored.mount_accessor
    && (canonical === '' || canonical === stored.canonical_id) && sameMap(custom, stored.custom_metadata)) return undefined;
  const current = c.entity(owner.id) as Entity;
  const alias = current.aliases.find((a) => a.id === stored.id) as Alias;
  const moving = canonical !== '' && canonical !== alias.canonical_id;
  if (input.mount_accessor !== alias.mount_accessor && !moving && current.aliases.some((a) => a.mount_accessor === input.mount_accessor)) {
    throw new BadRequest("Alias cannot be updated as the entity already has an alias for the given 'mount_accessor' ");
  }
  if (input.name !== alias.name || input.mount_accessor !== alias.mount_accessor || !sameMap(custom, alias.custom_metadata)) {
    if (!state.mounts(input.mount_accessor)) throw new BadRequest(`invalid mount accessor ${JSON.stringify(input.mount_accessor)}`);
    const clash = state.aliasByFactors(input.mount_accessor, input.name);
    if (clash && clash.alias.id !== alias.id) throw new BadRequest('alias with combination of mount accessor and name already exists');
    Object.assign(alias, { name: input.name, mount_accessor: input.mount_accessor, custom_metadata: custom });
  }
  alias.last_update_time = state.now();
  if (!moving) {
    c.putEntity(current);
    return { id: alias.id, canonical_id: current.id };
  }
  const target = c.entity(canonical);
  if (!target) throw new BadRequest("given 'canonical_id' is not associated with an entity");
  if (target.aliases.some((a) => a.mount_accessor === input.mount_accessor)) {
    throw new BadRequest('Alias cannot be updated as the given entity already has an alias for this mount ');
  }
  current.aliases = current.aliases.filter((a) => a.id !== alias.id);
  target.aliases.push({ ...alias, canonical_id: target.id });
  c.putEntity(current);
  c.putEntity(target);
  return { id: alias.id, canonical_id: target.id };
}

/** Deletes an alias from its entity; an unknown id is not an error (Vault answers 204). */
export function deleteAlias(state: IdentityState, id: string): Promise<void> {
  return state.change((c) => {
    const owner = state.entityOfAlias(id);
    if (!owner) return;
    const entity = c.entity(owner.id) as Entity;
    entity.aliases = entity.aliases.filter((a) => a.id !== id);
    c.putEntity(entity);
  });
}
