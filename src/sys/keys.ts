// Keyring endpoints: sys/rotate adds an encryption key term, sys/key-status reports the active one.
import { definePath } from '../core/path.js';
import type { Core } from '../core/core.js';

/** The keyring paths of the system backend. */
export function keyPaths(core: Core) {
  return [
    definePath({
      pattern: 'rotate', summary: 'Add a new encryption key term; older entries stay readable.', sudo: true, fields: {},
      operations: { update: async () => { await core.seal.barrier.rotate(); } },
    }),
    definePath({
      pattern: 'key-status', summary: 'The active encryption key term and when it was installed.', fields: {},
      operations: {
        read: async () => ({ data: { ...core.seal.barrier.keyStatus() }, dataAtTopLevel: true }),
      },
    }),
  ];
}
