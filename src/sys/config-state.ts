// sys/config/state/sanitized, as Vault's (sudo): the configuration the server runs with, minus
// what may hold secrets (storage settings beyond their type and addresses, seal settings). The
// server assembles the settings; the seal type is asked of the seal at each read, so a seal
// migrated since start-up is reported as it is now.
import type { Core } from '../core/core.js';
import { definePath } from '../core/path.js';

/** The sanitized settings, without `seals` (added from the live seal). */
export type SanitizedConfig = () => Record<string, unknown>;

export function configStatePaths(core: Core, config: SanitizedConfig) {
  return [
    definePath({
      pattern: 'config/state/sanitized', sudo: true, fields: {},
      summary: 'The configuration the server runs with, without values that may be secret.',
      operations: {
        read: async () => ({ data: { ...config(), seals: [{ disabled: false, type: core.seal.status().type }] } }),
      },
    }),
  ];
}
