// identity/entity, entity/id/:id, entity/name/:name, their lists, batch-delete and merge.
import { BadRequest } from '../../../util/errors.js';
import { definePath, field, type PathDef } from '../../path.js';
import { deleteEntities, mergeEntities, writeEntity, type EntityInput } from '../entities.js';
import { entityListInfo, entityView } from '../views.js';
import { kvPairs, listAnswer, type StoreRef } from './common.js';

const entityFields = {
  id: field.string({ description: 'ID of the entity; when set, that entity is updated.' }),
  name: field.string({ description: 'Name of the entity.' }),
  metadata: kvPairs('Metadata of the entity: an object, or a list of key=value strings.'),
  policies: field.strings({ description: 'Policies tied to the entity.' }),
  disabled: field.bool({ description: 'Tokens of a disabled entity are refused (not revoked).' }),
};

type EntityFields = { id: string; name: string; metadata: Record<string, string>; policies: string[]; disabled: boolean };

/** The sent fields as an entity write; URL segments count as sent. */
function input(f: EntityFields, sent: Set<string>): EntityInput {
  return {
    id: f.id || undefined, name: f.name || undefined,
    ...(sent.has('metadata') ? { metadata: f.metadata } : {}),
    ...(sent.has('policies') ? { policies: f.policies } : {}),
    ...(sent.has('disabled') ? { disabled: f.disabled } : {}),
  };
}

/** Vault answers a creation with the new entity's id, name and alias ids; an update with 204. */
const written = (e: { id: string; name: string; aliases: Array<{ id: string }> } | undefined) =>
  e && { data: { id: e.id, name: e.name, aliases: e.aliases.length > 0 ? e.aliases.map((a) => a.id) : null } };

/** The entity paths. */
export function entityPaths(store: StoreRef): PathDef[] {
  const state = () => store().state;
  return [
    definePath({
      pattern: 'entity', fields: entityFields, summary: 'Create a new entity, or update one by id.',
      operations: { update: async ({ fields, sent }) => written(await writeEntity(state(), input(fields, sent))) },
    }),
    definePath({
      pattern: 'entity/id/:id', fields: { ...entityFields, id: field.name({ description: 'ID of the entity.' }) },
      summary: 'Read, update or delete an entity by id.',
      operations: {
        read: async ({ fields }) => {
          const entity = state().entities.get(fields.id);
          return entity && { data: entityView(state(), entity) };
        },
        update: async ({ fields, sent }) => written(await writeEntity(state(), input(fields, sent))),
        delete: async ({ fields }) => deleteEntities(state(), [fields.id]),
      },
    }),
    definePath({
      pattern: 'entity/name/*name', fields: { ...entityFields, name: field.name({ description: 'Name of the entity.' }) },
      summary: 'Read, update or delete an entity by name.',
      operations: {
        read: async ({ fields }) => {
          const entity = state().entityByName(fields.name);
          return entity && { data: entityView(state(), entity) };
        },
        update: async ({ fields, sent }) => written(await writeEntity(state(), input(fields, sent))),
        delete: async ({ fields }) => {
          const entity = state().entityByName(fields.name);
          if (entity) await deleteEntities(state(), [entity.id]);
        },
      },
    }),
    definePath({
      pattern: 'entity/id/', fields: {}, summary: 'List entity ids.',
      operations: { list: async () => entityList(store, 'id') },
    }),
    definePath({
      pattern: 'entity/name/', fields: {}, summary: 'List entity names.',
      operations: { list: async () => entityList(store, 'name') },
    }),
    definePath({
      pattern: 'entity/batch-delete', summary: 'Delete the entities named.',
      fields: { entity_ids: field.strings({ description: 'Entity IDs to delete.' }) },
      operations: {
        update: async ({ fields }) => {
          if (fields.entity_ids.length === 0) throw new BadRequest('missing entity ids to delete');
          await deleteEntities(state(), fields.entity_ids);
        },
      },
    }),
    definePath({
      pattern: 'entity/merge', summary: 'Merge entities into one.',
      fields: {
        from_entity_ids: field.strings({ description: 'Entity IDs to merge from.' }),
        to_entity_id: field.string({ description: 'Entity ID to merge into.' }),
        conflicting_alias_ids_to_keep: field.strings({ description: 'Alias IDs to keep where two entities have an alias on one mount.' }),
        force: field.bool({ description: "Vault's MFA-secret conflict switch; entities here hold no MFA secrets, so there is nothing it changes." }),
      },
      operations: {
        update: async ({ fields }) => {
          if (fields.to_entity_id === '') throw new BadRequest('missing entity id to merge to');
          if (fields.from_entity_ids.length === 0) throw new BadRequest('missing entity ids to merge from');
          await mergeEntities(state(), { from: fields.from_entity_ids, to: fields.to_entity_id, keep: fields.conflicting_alias_ids_to_keep });
        },
      },
    }),
  ];
}

// Vault keys the list's key_info by entity id, for both the id and the name list.
function entityList(store: StoreRef, by: 'id' | 'name') {
  const state = store().state;
  const entities = [...state.entities.values()];
  const info = Object.fromEntries(entities.map((e) => [e.id, entityListInfo(state, e)]));
  return listAnswer(entities.map((e) => (by === 'id' ? e.id : e.name)).sort(), info);
}
