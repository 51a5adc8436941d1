// Writing groups and group aliases (Vault's handleGroupUpdateCommon, sanitizeAndUpsertGroup,
// handleGroupAliasUpdateCommon). Nesting is stored on the member group (`parent_group_ids`);
// a membership that would make a cycle is refused.
import { BadRequest } from '../../util/errors.js';
import type { Change, IdentityState } from './store.js';
import type { Group, GroupAlias, GroupType } from './records.js';

/** What a group write may set; absent fields keep their value. */
export type GroupInput = {
  id?: string; name?: string; type?: string; policies?: string[]; metadata?: Record<string, string>;
  member_entity_ids?: string[]; member_group_ids?: string[];
};

/** Vault's prefix for the cycle refusal (clients match on it). */
const CYCLE = 'cyclic relationship detected for member group ID';

function newGroup(state: IdentityState, type: GroupType = 'internal'): Group {
  const now = state.now();
  return {
    id: state.newId(), name: '', type, policies: [], metadata: {}, member_entity_ids: [], parent_group_ids: [],
    alias: null, modify_index: 0, creation_time: now, last_update_time: now,
  };
}

/**
 * Creates or updates a group: by `id` ("invalid group ID" when unknown), else by `name`
 * (created when new), else a new group. Answers the group when created, undefined otherwise.
 */
export function writeGroup(state: IdentityState, input: GroupInput, byId: boolean): Promise<Group | undefined> {
  return state.change((c) => {
    let group: Group | undefined;
    if (byId) {
      group = input.id ? c.group(input.id) : undefined;
      if (!group) throw new BadRequest('invalid group ID');
    } else if (input.name) {
      const named = state.groupByName(input.name);
      group = named && c.group(named.id);
    }
    const created = !group;
    group ??= newGroup(state);
    if (input.policies) group.policies = [...new Set(input.policies.map((p) => p.trim()).filter((p) => p !== ''))];
    if (group.policies.some((p) => p.toLowerCase() === 'root')) throw new BadRequest('policies cannot contain root');
    if (input.type !== undefined && input.type !== '') {
      if (!created && input.type !== group.type) throw new BadRequest('group type cannot be changed');
      if (input.type !== 'internal' && input.type !== 'external') throw new BadRequest(`invalid group type ${JSON.stringify(input.type)}`);
      group.type = input.type;
    }
    if (input.name) {
      const named = state.groupByName(input.name);
      if (named && named.id !== group.id) throw new BadRequest('group name is already in use');
      group.name = input.name;
    }
    group.name ||= state.newName('group');
    if (input.metadata) group.metadata = input.metadata;
    if (input.member_entity_ids) {
      if (group.type === 'external') throw new BadRequest("member entities can't be set manually for external groups");
      const ids = [...new Set(input.member_entity_ids)];
      const unknown = ids.find((id) => !state.entities.has(id));
      if (unknown !== undefined) throw new BadRequest(`invalid entity ID ${JSON.stringify(unknown)}`);
      group.member_entity_ids = ids;
    }
    if (input.member_group_ids) {
      if (group.type === 'external') throw new BadRequest("member groups can't be set for external groups");
      setMemberGroups(c, state, group, [...new Set(input.member_group_ids)], created);
    }
    if (!created) group.last_update_time = state.now();
    c.putGroup(group);
    return created ? group : undefined;
  });
}

// The member list is stored on each member as a parent id: members dropped lose `group`,
// new ones gain it, unless that closes a loop (`group` would become its own ancestor).
function setMemberGroups(c: Change, state: IdentityState, group: Group, wanted: string[], created: boolean): void {
  for (const member of state.memberGroups(group.id)) {
    if (wanted.includes(member.id)) continue;
    const copy = c.group(member.id) as Group;
    copy.parent_group_ids = copy.parent_group_ids.filter((p) => p !== group.id);
    c.putGroup(copy);
  }
  for (const id of wanted) {
    const member = id === group.id ? group : c.group(id);
    if (!member) throw new BadRequest(`invalid member group ID ${JSON.stringify(id)}`);
    if (member.parent_group_ids.includes(group.id)) continue;
    if (id === group.id) throw new BadRequest(`member group ID ${JSON.stringify(id)} is same as the ID of the group`);
    if (!created && isAncestor(state, id, group.id)) throw new BadRequest(`${CYCLE} ${JSON.stringify(id)}`);
    member.parent_group_ids = [...member.parent_group_ids, group.id];
    c.putGroup(member);
  }
}

/** Whether `ancestor` is `groupId` itself or reachable from it through parent links. */
function isAncestor(state: IdentityState, ancestor: string, groupId: string): boolean {
  const seen = new Set<string>();
  const queue = [groupId];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    if (id === ancestor) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...(state.groups.get(id)?.parent_group_ids ?? []));
  }
  return false;
}

/** Deletes a group with its alias; its members forget it as a parent. Unknown: nothing to do. */
export function deleteGroup(state: IdentityState, id: string): Promise<void> {
  return state.change((c) => {
    if (!state.groups.has(id)) return;
    for (const member of state.memberGroups(id)) {
      const copy = c.group(member.id) as Group;
      copy.parent_group_ids = copy.parent_group_ids.filter((p) => p !== id);
      c.putGroup(copy);
    }
    c.deleteGroup(id);
  });
}

/** What a group-alias write carries ('' = not sent). */
export type GroupAliasInput = { id: string; name: string; mount_accessor: string; canonical_id: string };

/** Vault's group-alias create/update; answers the alias and group ids, or undefined when idempotent. */
export function writeGroupAlias(state: IdentityState, input: GroupAliasInput): Promise<{ id: string; canonical_id: string } | undefined> {
  return state.change((c) => {
    const previous = input.id ? state.groupOfAlias(input.id) : undefined;
    if (input.id && !previous) throw new BadRequest('invalid group alias ID');
    const now = state.now();
    const alias: GroupAlias = previous?.alias
      ? { ...previous.alias, last_update_time: now }
      : { id: '', canonical_id: '', mount_accessor: '', name: '', merged_from_canonical_ids: [], creation_time: now, last_update_time: now };
    if (!input.name) throw new BadRequest('missing alias name');
    if (!input.mount_accessor) throw new BadRequest('missing mount_accessor');
    if (alias.name === input.name && alias.mount_accessor === input.mount_accessor && (!input.canonical_id || input.canonical_id === alias.canonical_id)) return undefined;
    let target: Group | undefined;
    if (input.canonical_id) {
      target = c.group(input.canonical_id);
      if (!target) throw new BadRequest("invalid group ID given in 'canonical_id'");
      if (target.type !== 'external') throw new BadRequest("alias can't be set on an internal group");
    }
    const mount = state.mounts(input.mount_accessor);
    if (!mount) throw new BadRequest(`invalid mount accessor ${JSON.stringify(input.mount_accessor)}`);
    if (mount.local) throw new BadRequest(`mount accessor ${JSON.stringify(input.mount_accessor)} is a local mount`);
    const clash = state.groupByAliasFactors(input.mount_accessor, input.name);
    if (clash && clash.alias?.id !== alias.id) throw new BadRequest('combination of mount and group alias name is already in use');
    alias.name = input.name;
    alias.mount_accessor = input.mount_accessor;
    alias.id ||= state.newId();
    if (previous && (!target || target.id === previous.id)) target = c.group(previous.id);
    else if (previous) {
      const old = c.group(previous.id) as Group;
      old.alias = null;
      c.putGroup(old);
    }
    if (!target) {
      // Vault: a new alias without a group gets a new external group of its own.
      target = newGroup(state, 'external');
      target.name = state.newName('group');
    }
    target.alias = { ...alias, canonical_id: target.id };
    c.putGroup(target);
    return { id: alias.id, canonical_id: target.id };
  });
}

/** Removes a group's alias; unknown ids are not an error. */
export function deleteGroupAlias(state: IdentityState, id: string): Promise<void> {
  return state.change((c) => {
    const owner = state.groupOfAlias(id);
    if (!owner) return;
    const group = c.group(owner.id) as Group;
    group.alias = null;
    c.putGroup(group);
  });
}

