// identity/lookup/entity and lookup/group: find one record by name, id, alias id, or alias
// name and mount accessor. No match answers 204, as Vault's does.
import { BadRequest } from '../../../util/errors.js';
import { definePath, field, type PathDef } from '../../path.js';
import { entityView, groupView } from '../views.js';
import type { StoreRef } from './common.js';

const lookupFields = {
  id: field.string({ description: 'ID of the record.' }),
  name: field.string({ description: 'Name of the record.' }),
  alias_id: field.string({ description: 'ID of one of its aliases.' }),
  alias_name: field.string({ description: 'Name of one of its aliases (with alias_mount_accessor).' }),
  alias_mount_accessor: field.string({ description: 'Mount accessor of that alias (with alias_name).' }),
};

type Query = { id: string; name: string; alias_id: string; alias_name: string; alias_mount_accessor: string };

// Vault counts the parameters sent (even empty ones) and accepts exactly one, or the alias pair.
function checkQuery(q: Query, sent: Set<string>): void {
  const count = sent.size;
  if (count === 0) throw new BadRequest('query parameter not supplied');
  if (count !== 1 && !(count === 2 && q.alias_name !== '' && q.alias_mount_accessor !== '')) {
    throw new BadRequest('query parameter conflict; please supply distinct set of query parameters');
  }
  if (count === 1 && (q.alias_name !== '' || q.alias_mount_accessor !== '')) {
    throw new BadRequest("both 'alias_name' and 'alias_mount_accessor' needs to be set");
  }
}

/** The lookup paths. */
export function lookupPaths(store: StoreRef): PathDef[] {
  const state = () => store().state;
  return [
    definePath({
      pattern: 'lookup/entity', fields: lookupFields, summary: 'Find an entity by one of its properties.',
      operations: {
        update: async ({ fields: q, sent }) => {
          checkQuery(q, sent);
          const s = state();
          const entity = q.id ? s.entities.get(q.id)
            : q.name ? s.entityByName(q.name)
              : q.alias_id ? s.entityOfAlias(q.alias_id)
                : q.alias_name && q.alias_mount_accessor ? s.aliasByFactors(q.alias_mount_accessor, q.alias_name)?.entity
                  : undefined;
          return entity && { data: entityView(s, entity) };
        },
      },
    }),
    definePath({
      pattern: 'lookup/group', fields: lookupFields, summary: 'Find a group by one of its properties.',
      operations: {
        update: async ({ fields: q, sent }) => {
          checkQuery(q, sent);
          const s = state();
          const group = q.id ? s.groups.get(q.id)
            : q.name ? s.groupByName(q.name)
              : q.alias_id ? s.groupOfAlias(q.alias_id)
                : q.alias_name && q.alias_mount_accessor ? s.groupByAliasFactors(q.alias_mount_accessor, q.alias_name)
                  : undefined;
          return group && { data: groupView(s, group) };
        },
      },
    }),
  ];
}
