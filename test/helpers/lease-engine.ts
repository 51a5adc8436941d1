// A small secrets engine for lease tests: `creds/:name` issues a leased credential and the
// engine records every revocation, which can be made to fail like an unreachable database.
import { defineBackend } from '../../src/core/backend.js';
import { definePath, field } from '../../src/core/path.js';
import { Internal } from '../../src/util/errors.js';

/** What the engine did, for assertions; `failRevocations` makes revokes throw. */
export type LeaseEngineState = { issued: string[]; revoked: string[]; failRevocations: boolean };

/** Builds the engine and the state it reports into. */
export function leaseEngine() {
  const state: LeaseEngineState = { issued: [], revoked: [], failRevocations: false };
  let counter = 0;
  const backend = defineBackend({
    type: 'leasetest',
    summary: 'Issues leased credentials for tests.',
    paths: [definePath({
      pattern: 'creds/:name', summary: 'Issue a credential.',
      fields: {
        name: field.name({ description: 'Role.' }),
        ttl: field.duration({ description: 'Lease TTL.' }),
        max_ttl: field.duration({ description: 'Lease max TTL.' }),
      },
      operations: {
        read: async ({ fields }) => {
          const username = `${fields.name}-${++counter}`;
          state.issued.push(username);
          return { data: { username }, secret: { ttl: fields.ttl, maxTtl: fields.max_ttl, renewable: true, internal: { username } } };
        },
      },
    })],
    revokeSecret: async ({ internal }) => {
      if (state.failRevocations) throw new Internal('backend unreachable');
      state.revoked.push(String(internal.username));
    },
  });
  return { state, factories: new Map([['leasetest', () => backend]]) };
}
