// sys/policies/password: named password policies, and generate to draw one password from one.
import { BadRequest } from '../util/errors.js';
import { definePath, field } from '../core/path.js';
import type { Core } from '../core/core.js';

/** sys/policies/password/, sys/policies/password/:name and sys/policies/password/:name/generate. */
export function passwordPolicyPaths(core: Core) {
  const store = () => core.unsealed.passwordPolicies;
  const name = field.name({ description: 'Name of the password policy.' });
  return [
    definePath({
      pattern: 'policies/password/', summary: 'List password policy names.', fields: {},
      operations: { list: async () => ({ data: { keys: await store().list() } }) },
    }),
    definePath({
      pattern: 'policies/password/:name', summary: 'Read, write or delete a password policy.',
      fields: { name, policy: field.string({ description: 'The policy: HCL with length and rule "charset" blocks.' }) },
      operations: {
        read: async ({ fields }) => {
          const text = await store().get(fields.name);
          return text === undefined ? undefined : { data: { policy: text } };
        },
        update: async ({ fields }) => {
          if (fields.policy === '') throw new BadRequest('missing policy');
          await store().put(fields.name, fields.policy);
        },
        delete: async ({ fields }) => { await store().delete(fields.name); },
      },
    }),
    definePath({
      pattern: 'policies/password/:name/generate', summary: 'Generate a password from a policy.', fields: { name },
      operations: {
        read: async ({ fields }) => {
          if ((await store().get(fields.name)) === undefined) throw new BadRequest(`password policy "${fields.name}" does not exist`);
          return { data: { password: await store().generate(fields.name) } };
        },
      },
    }),
  ];
}
