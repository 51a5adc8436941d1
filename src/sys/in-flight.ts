// sys/in-flight-req, as Vault's: the requests being answered now, by request id, outside the
// envelope. It needs a token with read on sys/in-flight-req.
import type { Core } from '../core/core.js';
import { definePath } from '../core/path.js';
import { describeInFlight, inFlightRequests } from '../util/in-flight.js';

export function inFlightPaths(core: Core) {
  return [
    definePath({
      pattern: 'in-flight-req', fields: {}, summary: 'The requests the server is answering now, by request id.',
      operations: {
        read: async () => ({ raw: { status: 200, body: Object.fromEntries([...inFlightRequests(core)].map(([id, e]) => [id, describeInFlight(e)])) } }),
      },
    }),
  ];
}
