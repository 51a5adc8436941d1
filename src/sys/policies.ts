// ACL policy endpoints: the older sys/policy (bodies at the top level too) and sys/policies/acl.
import { BadRequest } from '../util/errors.js';
import { definePath, field } from '../core/path.js';
import type { Core } from '../core/core.js';

/** sys/policy, sys/policy/:name, sys/policies/acl and sys/policies/acl/:name. */
export function policyPaths(core: Core) {
  const store = () => core.unsealed.policies;
  const text = (fields: { policy: string; rules: string }) => {
    const t = fields.policy || fields.rules;
    if (t === '') throw new BadRequest("'policy' parameter not supplied or empty");
    return t;
  };
  const nameFields = {
    name: field.name({ description: 'Policy name; names are case-insensitive.' }),
    policy: field.string({ description: 'The policy document, HCL or JSON.' }),
    rules: field.string({ description: 'Deprecated alias of policy.' }),
  };
  return [
    definePath({
      pattern: 'policy', summary: 'List ACL policy names.', fields: {},
      operations: {
        read: async () => {
          const names = await store().list();
          return { data: { keys: names, policies: names }, dataAtTopLevel: true };
        },
      },
    }),
    definePath({
      pattern: 'policy/:name', summary: 'Read, write or delete an ACL policy.', fields: nameFields,
      operations: {
        read: async ({ fields }) => {
          const p = await store().get(fields.name);
          return p && { data: { name: p.name, rules: p.raw }, dataAtTopLevel: true };
        },
        update: async ({ fields }) => { await store().put(fields.name, text(fields)); },
        delete: async ({ fields }) => { await store().delete(fields.name); },
      },
    }),
    definePath({
      pattern: 'policies/acl/', summary: 'List ACL policy names.', fields: {},
      operations: { list: async () => ({ data: { keys: await store().list() } }) },
    }),
    definePath({
      pattern: 'policies/acl/:name', summary: 'Read, write or delete an ACL policy.', fields: nameFields,
      operations: {
        read: async ({ fields }) => {
          const p = await store().get(fields.name);
          return p && { data: { name: p.name, policy: p.raw } };
        },
        update: async ({ fields }) => { await store().put(fields.name, text(fields)); },
        delete: async ({ fields }) => { await store().delete(fields.name); },
      },
    }),
  ];
}
