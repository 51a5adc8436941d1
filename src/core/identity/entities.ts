// Writing entities: create or update (Vault's handleEntityUpdateCommon), delete, batch delete
// and merge, with Vault's refusals word for word.
import { BadRequest } from '../../util/errors.js';
import type { Change, IdentityState } from './store.js';
import type { Entity } from './records.js';

/** What an entity write may set; absent fields keep their value. */
export type EntityInput = { id?: string; name?: string; metadata?: Record<string, string>; policies?: string[]; disabled?: boolean };

/** Vault's sorted, de-duplicated policy list. */
export const policyList = (names: string[]) => [...new Set(names.map((p) => p.trim()).filter((p) => p !== ''))].sort();

/** A new, empty entity (the caller stores it). */
export function newEntity(state: IdentityState, name?: string): Entity {
  const now = state.now();
  return {
    id: state.newId(), name: name || state.newName('entity'), metadata: {}, policies: [], disabled: false,
    aliases: [], merged_entity_ids: [], creation_time: now, last_update_time: now,
  };
}

/** Creates or updates an entity; answers the created entity, or undefined after an update (204). */
export function writeEntity(state: IdentityState, input: EntityInput): Promise<Entity | undefined> {
  return state.change((c) => {
    let entity: Entity | undefined;
    if (input.id) {
      entity = c.entity(input.id);
      if (!entity) throw new BadRequest('entity not found from id');
    }
    if (input.name) {
      const byName = state.entityByName(input.name);
      // Vault: a name in use by another entity is refused; without an id the name picks the entity.
      if (byName && !entity) entity = c.entity(byName.id);
      else if (byName && entity && byName.id !== entity.id) throw new BadRequest('entity name is already in use');
    }
    const created = !entity;
    entity ??= newEntity(state, input.name);
    if (input.name) entity.name = input.name;
    if (input.policies) entity.policies = policyList(input.policies);
    if (entity.policies.includes('root')) throw new BadRequest('policies cannot contain root');
    if (input.disabled !== undefined) entity.disabled = input.disabled;
    if (input.metadata) entity.metadata = input.metadata;
    if (!created) entity.last_update_time = state.now();
    c.putEntity(entity);
    return created ? entity : undefined;
  });
}

/** Takes an entity out of its groups, then removes it with its aliases. */
function removeEntity(c: Change, state: IdentityState, id: string): void {
  for (const g of state.directGroups(id)) {
    const group = c.group(g.id);
    if (!group) continue;
    group.member_entity_ids = group.member_entity_ids.filter((m) => m !== id);
    c.putGroup(group);
  }
  c.deleteEntity(id);
}

/** Deletes entities by id; unknown ids are skipped (Vault answers 204 either way). */
export function deleteEntities(state: IdentityState, ids: string[]): Promise<void> {
  return state.change((c) => {
    for (const id of ids) if (state.entities.has(id)) removeEntity(c, state, id);
  });
}

/** Go's go-multierror text, which Vault's merge refusal carries. */
export function multiError(messages: string[]): string {
  if (messages.length === 1) return `1 error occurred:\n\t* ${messages[0]}\n\n`;
  return `${messages.length} errors occurred:\n\t${messages.map((m) => `* ${m}`).join('\n\t')}\n\n`;
}

/** What `identity/entity/merge` takes. */
export type MergeInput = { from: string[]; to: string; keep: string[] };

/** Vault's merge: aliases and group memberships move to `to`; the merged ids are remembered. */
export function mergeEntities(state: IdentityState, { from, to, keep }: MergeInput): Promise<void> {
  return state.change((c) => {
    const target = c.entity(to);
    if (!target) throw new BadRequest('entity id to merge to is invalid');
    if (from.length > 1 && keep.length > 1) {
      throw new BadRequest('aliases conflicts cannot be resolved with multiple from entity ids - merge one entity at a time');
    }
    const sources = [...new Set(from)].map((id) => {
      if (id === target.id) throw new BadRequest('to_entity_id should not be present in from_entity_ids');
      const source = state.entities.get(id);
      if (!source) throw new BadRequest('entity id to merge from is invalid');
      return source;
    });
    if (keep.length === 0) refuseClashes(target, sources);
    for (const source of sources) mergeOne(c, state, target, source, keep);
    target.last_update_time = state.now();
    c.putEntity(target);
  });
}

// Vault checks every from-entity before changing anything, so one answer names every clash.
function refuseClashes(target: Entity, sources: Entity[]): void {
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  for (const source of sources) {
    for (const toAlias of target.aliases) {
      for (const fromAlias of source.aliases) {
        const owner = seen.get(fromAlias.mount_accessor);
        if (owner !== undefined && owner !== source.id) {
          throw new BadRequest(`mount accessor ${fromAlias.mount_accessor} found in multiple fromEntities, merge should be done with one fromEntity at a time`);
        }
        seen.set(fromAlias.mount_accessor, source.id);
        if (toAlias.mount_accessor !== fromAlias.mount_accessor) continue;
        if (clashes.length === 0) clashes.push('toEntity and at least one fromEntity have aliases with the same mount accessor, repeat the merge request specifying exactly one fromEntity, clashes: ');
        clashes.push(`mountAccessor: ${toAlias.mount_accessor}, toEntity ID: ${target.id}, fromEntity ID: ${source.id}, conflicting toEntity alias ID: ${toAlias.id}, conflicting fromEntity alias ID: ${fromAlias.id}`);
      }
    }
  }
  if (clashes.length > 0) throw new BadRequest(multiError(clashes));
}

function mergeOne(c: Change, state: IdentityState, target: Entity, source: Entity, keep: string[]): void {
  for (const fromAlias of source.aliases) {
    const clash = target.aliases.find((a) => a.mount_accessor === fromAlias.mount_accessor);
    if (clash) {
      if (keep.includes(clash.id)) continue; // the target's alias stays; this one is dropped
      if (!keep.includes(fromAlias.id)) {
        throw new BadRequest(`conflicting mount accessors in following alias IDs and neither were present in conflicting_alias_ids_to_keep: ${fromAlias.id}, ${clash.id}`);
      }
      target.aliases = target.aliases.filter((a) => a.id !== clash.id);
    }
    target.aliases.push({
      ...structuredClone(fromAlias), canonical_id: target.id,
      merged_from_canonical_ids: [...fromAlias.merged_from_canonical_ids, source.id],
    });
  }
  target.merged_entity_ids = [...target.merged_entity_ids, ...source.merged_entity_ids, source.id];
  for (const g of state.directGroups(source.id)) {
    const group = c.group(g.id);
    if (!group) continue;
    group.member_entity_ids = group.member_entity_ids.filter((m) => m !== source.id);
    if (!group.member_entity_ids.includes(target.id)) group.member_entity_ids.push(target.id);
    c.putGroup(group);
  }
  c.deleteEntity(source.id);
}
