// sys/wrapping/*: wrap arbitrary data, unwrap (once), look up and rewrap a wrapping token.
import { BadRequest } from '../util/errors.js';
import { definePath, field, type HandlerContext } from '../core/path.js';
import type { Core } from '../core/core.js';
import { claimWrapping, readWrapped, wrap, wrappingEntry, wrappingLookup } from '../core/wrapping.js';
import { revokeTree } from '../core/tokens/lifecycle.js';

/** The wrapping paths of the system backend. */
export function wrappingPaths(core: Core) {
  const tokenField = field.string({ description: 'The wrapping token; defaults to the request\'s token.', sensitive: true });
  // Vault takes the wrapping token from the body, or else from X-Vault-Token.
  const tokenOf = (ctx: HandlerContext<{ token: string }>) => ctx.fields.token || ctx.request.clientToken;
  return [
    definePath({
      pattern: 'wrapping/wrap', summary: 'Wrap the request body in a new wrapping token.', freeFormData: true, fields: {},
      operations: {
        update: async ({ request }) => {
          if (request.wrapTtl === undefined) throw new BadRequest('wrapping TTL is required: send the X-Vault-Wrap-TTL header');
          if (Object.keys(request.data).length === 0) throw new BadRequest('empty request body');
          // Handled like any wrapped response: core wraps `data` with the requested TTL.
          return { data: request.data };
        },
      },
    }),
    definePath({
      pattern: 'wrapping/unwrap', summary: 'Return the wrapped response and spend the token.', unauthenticated: true,
      fields: { token: tokenField },
      operations: {
        update: async (ctx) => {
          const entry = await claimWrapping(core.wrapDeps, await wrappingEntry(core.wrapDeps, tokenOf(ctx)));
          const body = await readWrapped(core.wrapDeps, entry);
          await revokeTree(core.tokenDeps, entry);
          return { raw: { status: 200, body: { ...body, request_id: ctx.request.id } } };
        },
      },
    }),
    definePath({
      pattern: 'wrapping/lookup', summary: 'Creation time, path and TTL of a wrapping token.', unauthenticated: true,
      fields: { token: tokenField },
      operations: {
        read: async (ctx) => ({ data: wrappingLookup(await wrappingEntry(core.wrapDeps, tokenOf(ctx))) }),
        update: async (ctx) => ({ data: wrappingLookup(await wrappingEntry(core.wrapDeps, tokenOf(ctx))) }),
      },
    }),
    definePath({
      pattern: 'wrapping/rewrap', summary: 'Move a wrapped response to a new token; the old one stops working.', unauthenticated: true,
      fields: { token: tokenField },
      operations: {
        update: async (ctx) => {
          const entry = await claimWrapping(core.wrapDeps, await wrappingEntry(core.wrapDeps, tokenOf(ctx)));
          const body = await readWrapped(core.wrapDeps, entry);
          const info = await wrap(core.wrapDeps, body, entry.ttl, entry.path);
          await revokeTree(core.tokenDeps, entry);
          return { wrapInfo: info };
        },
      },
    }),
  ];
}
