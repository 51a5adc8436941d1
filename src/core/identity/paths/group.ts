// identity/group, group/id/:id, group/name/:name and their lists; identity/group-alias.
import { definePath, field, type PathDef } from '../../path.js';
import { deleteGroup, deleteGroupAlias, writeGroup, writeGroupAlias, type GroupInput } from '../groups.js';
import { aliasListInfo, aliasView, groupListInfo, groupView } from '../views.js';
import type { Group } from '../records.js';
import { kvPairs, listAnswer, type StoreRef } from './common.js';

const groupFields = {
  id: field.string({ description: 'ID of the group; when set, that group is updated.' }),
  name: field.string({ description: 'Name of the group.' }),
  type: field.string({ description: 'internal (members set here, the default) or external (members set by logins).' }),
  metadata: kvPairs('Metadata of the group.'),
  policies: field.strings({ description: 'Policies tied to the group; members and member groups get them.' }),
  member_group_ids: field.strings({ description: 'Groups that are members of this one (internal groups only).' }),
  member_entity_ids: field.strings({ description: 'Entities that are members (internal groups only).' }),
};

type GroupFields = { id: string; name: string; type: string; metadata: Record<string, string>; policies: string[]; member_group_ids: string[]; member_entity_ids: string[] };

function input(f: GroupFields, sent: Set<string>): GroupInput {
  const out: GroupInput = { id: f.id, name: f.name };
  if (sent.has('type')) out.type = f.type;
  if (sent.has('metadata')) out.metadata = f.metadata;
  if (sent.has('policies')) out.policies = f.policies;
  if (sent.has('member_group_ids')) out.member_group_ids = f.member_group_ids;
  if (sent.has('member_entity_ids')) out.member_entity_ids = f.member_entity_ids;
  return out;
}

/** Vault answers a new group with its id and name; an update with 204. */
const written = (g: Group | undefined) => g && { data: { id: g.id, name: g.name } };

/** The group and group-alias paths. */
export function groupPaths(store: StoreRef): PathDef[] {
  const state = () => store().state;
  const read = (g: Group | undefined) => g && { data: groupView(state(), g) };
  const list = (by: 'id' | 'name') => {
    const s = state();
    const groups = [...s.groups.values()];
    return listAnswer(groups.map((g) => (by === 'id' ? g.id : g.name)).sort(), Object.fromEntries(groups.map((g) => [g.id, groupListInfo(s, g)])));
  };
  return [
    definePath({
      pattern: 'group', fields: groupFields, summary: 'Create a group, or update one by id or name.',
      operations: { update: async ({ fields, sent }) => written(await writeGroup(state(), input(fields, sent), sent.has('id'))) },
    }),
    definePath({
      pattern: 'group/id/:id', fields: { ...groupFields, id: field.name({ description: 'ID of the group.' }) },
      summary: 'Read, update or delete a group by id.',
      operations: {
        read: async ({ fields }) => read(state().groups.get(fields.id)),
        update: async ({ fields, sent }) => written(await writeGroup(state(), input(fields, sent), true)),
        delete: async ({ fields }) => deleteGroup(state(), fields.id),
      },
    }),
    definePath({
      pattern: 'group/name/*name', fields: { ...groupFields, name: field.name({ description: 'Name of the group.' }) },
      summary: 'Read, update or delete a group by name.',
      operations: {
        read: async ({ fields }) => read(state().groupByName(fields.name)),
        update: async ({ fields, sent }) => written(await writeGroup(state(), input(fields, sent), false)),
        delete: async ({ fields }) => {
          const g = state().groupByName(fields.name);
          if (g) await deleteGroup(state(), g.id);
        },
      },
    }),
    definePath({ pattern: 'group/id/', fields: {}, summary: 'List group ids.', operations: { list: async () => list('id') } }),
    definePath({ pattern: 'group/name/', fields: {}, summary: 'List group names.', operations: { list: async () => list('name') } }),
    ...groupAliasPaths(store),
  ];
}

const groupAliasFields = {
  id: field.string({ description: 'ID of the group alias; when set, that alias is updated.' }),
  name: field.string({ description: 'Name of the alias (the group name a login brings).' }),
  mount_accessor: field.string({ description: 'Accessor of the auth mount the alias is on.' }),
  canonical_id: field.string({ description: 'ID of the external group the alias belongs to.' }),
};

function groupAliasPaths(store: StoreRef): PathDef[] {
  const state = () => store().state;
  const answer = (r: { id: string; canonical_id: string } | undefined) => r && { data: r };
  return [
    definePath({
      pattern: 'group-alias', fields: groupAliasFields, summary: 'Create a group alias, or update one by id.',
      operations: { update: async ({ fields }) => answer(await writeGroupAlias(state(), fields)) },
    }),
    definePath({
      pattern: 'group-alias/id/:id', fields: { ...groupAliasFields, id: field.name({ description: 'ID of the group alias.' }) },
      summary: 'Read, update or delete a group alias.',
      operations: {
        read: async ({ fields }) => {
          const alias = state().groupOfAlias(fields.id)?.alias;
          return alias ? { data: aliasView(state(), alias) } : undefined;
        },
        update: async ({ fields }) => answer(await writeGroupAlias(state(), fields)),
        delete: async ({ fields }) => deleteGroupAlias(state(), fields.id),
      },
    }),
    definePath({
      pattern: 'group-alias/id/', fields: {}, summary: 'List group alias ids.',
      operations: {
        list: async () => {
          const s = state();
          const aliases = [...s.groups.values()].flatMap((g) => (g.alias ? [g.alias] : []));
          return listAnswer(aliases.map((a) => a.id).sort(), Object.fromEntries(aliases.map((a) => [a.id, aliasListInfo(s, a)])));
        },
      },
    }),
  ];
}
