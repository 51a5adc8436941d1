// identity/entity-alias, entity-alias/id/:id and its list.
import { definePath, field, type PathDef } from '../../path.js';
import { deleteAlias, writeAlias } from '../aliases.js';
import { aliasListInfo, aliasView } from '../views.js';
import { kvPairs, listAnswer, type StoreRef } from './common.js';

const aliasFields = {
  id: field.string({ description: 'ID of the alias; when set, that alias is updated.' }),
  entity_id: field.string({ description: 'Entity the alias belongs to (deprecated: use canonical_id).' }),
  canonical_id: field.string({ description: 'Entity the alias belongs to.' }),
  mount_accessor: field.string({ description: 'Accessor of the auth mount the alias is on.' }),
  name: field.string({ description: 'Name of the alias (what the method calls the login).' }),
  custom_metadata: kvPairs('Operator-set key=value pairs.'),
};

type AliasFields = { id: string; entity_id: string; canonical_id: string; mount_accessor: string; name: string; custom_metadata: Record<string, string> };

const answer = (r: { id: string; canonical_id: string } | undefined) => r && { data: r };

function input(f: AliasFields, sent: Set<string>) {
  return {
    id: f.id, name: f.name, mount_accessor: f.mount_accessor, canonical_id: f.canonical_id || f.entity_id,
    ...(sent.has('custom_metadata') ? { custom_metadata: f.custom_metadata } : {}),
  };
}

/** The entity-alias paths. */
export function aliasPaths(store: StoreRef): PathDef[] {
  const state = () => store().state;
  return [
    definePath({
      pattern: 'entity-alias', fields: aliasFields, summary: 'Create an entity alias, or update one.',
      operations: { update: async ({ fields, sent }) => answer(await writeAlias(state(), input(fields, sent))) },
    }),
    definePath({
      pattern: 'entity-alias/id/:id', fields: { ...aliasFields, id: field.name({ description: 'ID of the alias.' }) },
      summary: 'Read, update or delete an entity alias.',
      operations: {
        read: async ({ fields }) => {
          const alias = state().entityOfAlias(fields.id)?.aliases.find((a) => a.id === fields.id);
          return alias && { data: aliasView(state(), alias) };
        },
        update: async ({ fields, sent }) => answer(await writeAlias(state(), input(fields, sent))),
        delete: async ({ fields }) => deleteAlias(state(), fields.id),
      },
    }),
    definePath({
      pattern: 'entity-alias/id/', fields: {}, summary: 'List entity alias ids.',
      operations: {
        list: async () => {
          const s = state();
          const aliases = [...s.entities.values()].flatMap((e) => e.aliases);
          return listAnswer(aliases.map((a) => a.id).sort(), Object.fromEntries(aliases.map((a) => [a.id, aliasListInfo(s, a)])));
        },
      },
    }),
  ];
}
