// Anything on a v2 mount outside its API (a v1-style `secret/foo`): Vault answers 404 with a
// warning naming the `vault kv` subcommand to use, which the CLI shows to the user.
import { definePath, type HandlerContext, type Response } from '../../../core/path.js';

const SUBCOMMAND: Record<string, string> = {
  create: 'put', update: 'put', patch: 'patch', read: 'get', list: 'list', delete: 'delete',
};

// The API's own roots, as bare paths.
const ROOTS = new Set(['metadata', 'data', 'delete', 'undelete', 'destroy']);

/** Vault's 404 for a path no v2 endpoint serves. */
export function invalidPathResponse(ctx: HandlerContext<unknown>): Response {
  const warning = ROOTS.has(ctx.path)
    ? 'Non-listing operations on the root of a K/V v2 mount are not supported.'
    : 'Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. ' +
      `If using the Vault CLI, use 'vault kv ${SUBCOMMAND[ctx.operation] ?? 'get'}' for this operation.`;
  return { data: null, warnings: [warning], status: 404 };
}

const handler = async (ctx: HandlerContext<unknown>) => invalidPathResponse(ctx);
const everyOperation = { read: handler, update: handler, patch: handler, delete: handler, list: handler };

/** The catch-alls; every real endpoint is more specific, so these only get what is left. */
export const invalidPaths = [
  definePath({ pattern: '*path', summary: 'Not a KV v2 endpoint.', fields: {}, freeFormData: true, operations: everyOperation }),
  definePath({ pattern: '', summary: 'Not a KV v2 endpoint.', fields: {}, freeFormData: true, operations: everyOperation }),
];
