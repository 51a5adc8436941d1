// The token auth method, mounted at auth/token/: create, look up, renew and revoke tokens.
import { defineBackend, type Backend } from '../../core/backend.js';
import type { Core } from '../../core/core.js';
import { definePath } from '../../core/path.js';
import { lookupData } from './lookup.js';

/** Builds the token backend for one core (it needs the core's token store). */
export function tokenBackend(core: Core): Backend {
  const lookupSelf = definePath({
    pattern: 'lookup-self', summary: 'Information about the calling token.', fields: {},
    operations: {
      read: async ({ caller }) => {
        const entry = caller && (await core.unsealed.tokens.byId(caller.tokenId));
        return entry && { data: lookupData(entry, core.clock.now(), caller.token) };
      },
    },
  });
  return defineBackend({ type: 'token', summary: 'Token based credentials.', paths: [lookupSelf] });
}
