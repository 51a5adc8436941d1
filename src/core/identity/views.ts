// How identity records are read back: Vault's field names, with the mount path and type of
// each alias's mount and the group memberships derived from the indexes.
import type { IdentityState } from './store.js';
import type { Alias, Entity, Group, GroupAlias } from './records.js';

/** Vault's Go maps and slices that were never set print as null. */
const mapOrNull = (m: Record<string, string>) => (Object.keys(m).length > 0 ? m : null);
const listOrNull = (l: string[]) => (l.length > 0 ? l : null);

function mountFields(state: IdentityState, accessor: string): Record<string, string> {
  const mount = state.mounts(accessor);
  return mount ? { mount_path: mount.path, mount_type: mount.type } : {};
}

/** An entity alias (or a group alias) as `entity-alias/id/:id` reads it. */
export function aliasView(state: IdentityState, alias: Alias | GroupAlias): Record<string, unknown> {
  return {
    id: alias.id, canonical_id: alias.canonical_id, mount_accessor: alias.mount_accessor, name: alias.name,
    metadata: 'metadata' in alias ? mapOrNull(alias.metadata) : null,
    custom_metadata: 'custom_metadata' in alias ? mapOrNull(alias.custom_metadata) : null,
    merged_from_canonical_ids: listOrNull(alias.merged_from_canonical_ids), namespace_id: 'root', local: false,
    creation_time: alias.creation_time, last_update_time: alias.last_update_time, ...mountFields(state, alias.mount_accessor),
  };
}

/** An entity as `entity/id/:id` reads it. */
export function entityView(state: IdentityState, entity: Entity): Record<string, unknown> {
  const { direct, inherited } = state.groupsOf(entity.id);
  const directIds = direct.map((g) => g.id);
  const inheritedIds = inherited.map((g) => g.id);
  return {
    id: entity.id, name: entity.name, metadata: mapOrNull(entity.metadata), policies: entity.policies,
    disabled: entity.disabled, namespace_id: 'root', merged_entity_ids: listOrNull(entity.merged_entity_ids),
    creation_time: entity.creation_time, last_update_time: entity.last_update_time,
    aliases: entity.aliases.map((a) => {
      const { namespace_id: _ns, ...view } = aliasView(state, a);
      return view;
    }),
    direct_group_ids: directIds, inherited_group_ids: inheritedIds, group_ids: [...directIds, ...inheritedIds],
  };
}

/** A group as `group/id/:id` reads it. */
export function groupView(state: IdentityState, group: Group): Record<string, unknown> {
  const alias = group.alias;
  return {
    id: group.id, name: group.name, type: group.type, policies: listOrNull(group.policies), metadata: mapOrNull(group.metadata),
    member_entity_ids: listOrNull(group.member_entity_ids), parent_group_ids: listOrNull(group.parent_group_ids),
    member_group_ids: listOrNull(state.memberGroups(group.id).map((g) => g.id)),
    creation_time: group.creation_time, last_update_time: group.last_update_time, modify_index: group.modify_index,
    namespace_id: 'root',
    alias: alias
      ? {
        id: alias.id, canonical_id: alias.canonical_id, mount_accessor: alias.mount_accessor, name: alias.name, metadata: null,
        merged_from_canonical_ids: listOrNull(alias.merged_from_canonical_ids), creation_time: alias.creation_time,
        last_update_time: alias.last_update_time, ...mountFields(state, alias.mount_accessor),
      }
      : {},
  };
}

/** The `key_info` entry of an entity in Vault's entity lists. */
export function entityListInfo(state: IdentityState, entity: Entity): Record<string, unknown> {
  const aliases = entity.aliases.map((a) => ({ id: a.id, name: a.name, mount_accessor: a.mount_accessor, ...mountFields(state, a.mount_accessor) }));
  return { name: entity.name, ...(aliases.length > 0 ? { aliases } : {}) };
}

/** The `key_info` entry of an alias in Vault's alias lists (entity or group aliases). */
export function aliasListInfo(state: IdentityState, alias: Alias | GroupAlias): Record<string, unknown> {
  return {
    canonical_id: alias.canonical_id, custom_metadata: 'custom_metadata' in alias ? mapOrNull(alias.custom_metadata) : null,
    local: false, mount_accessor: alias.mount_accessor, name: alias.name, ...mountFields(state, alias.mount_accessor),
  };
}

/** The `key_info` entry of a group in Vault's group lists. */
export function groupListInfo(state: IdentityState, group: Group): Record<string, unknown> {
  const a = group.alias;
  return {
    name: group.name, num_member_entities: group.member_entity_ids.length, num_parent_groups: group.parent_group_ids.length,
    ...(a ? { alias: { id: a.id, name: a.name, mount_accessor: a.mount_accessor, ...mountFields(state, a.mount_accessor) } } : {}),
  };
}
