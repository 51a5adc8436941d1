// The token auth method, mounted at auth/token/: create, look up, renew and revoke tokens,
// token roles, and tidy.
import { BadRequest, PermissionDenied } from '../../util/errors.js';
import { defineBackend, type Backend } from '../../core/backend.js';
import type { Core } from '../../core/core.js';
import { definePath, field, type HandlerContext } from '../../core/path.js';
import { scopedView } from '../../storage/view.js';
import { lookupResponse } from './lookup.js';
import { issueToken } from '../../core/tokens/issue.js';
import { createFields, type CreateInput } from './create-fields.js';
import { renewToken, revokeOrphan, revokeTree } from '../../core/tokens/lifecycle.js';
import { rolePaths } from './roles.js';
import { getRole } from '../../core/tokens/role.js';
import type { TokenEntry } from '../../core/tokens/store.js';

/** Builds the token backend for one core (it needs the core's token store). */
export function tokenBackend(core: Core): Backend {
  const tokens = () => core.unsealed.tokens;
  const roleStorage = () => scopedView(core.barrier, 'sys/token-roles/');
  const now = () => core.clock.now();
  // Lookups show the policies the token's entity adds, as computed now.
  const withIdentity = (entry: TokenEntry, at: number, token: string | undefined) =>
    lookupResponse(entry, at, token, entry.entity_id ? core.unsealed.identity.forToken(entry.entity_id)?.policies : []);

  /** The calling token's entry; its absence was already a 403. */
  const self = async (ctx: HandlerContext<unknown>): Promise<TokenEntry> => {
    // A batch token has no stored entry: it is its own (core/tokens/batch.ts).
    const entry = ctx.caller && (ctx.caller.tokenType === 'batch' ? await tokens().lookup(ctx.caller.token) : await tokens().byId(ctx.caller.tokenId));
    if (!entry) throw new PermissionDenied();
    return entry;
  };
  // Vault's token store answers an unknown token differently per endpoint: lookup is a 403
  // "bad token", renew a 400 "token not found", revoke-orphan a 400 "token to revoke not
  // found", and revoke a 204 (revoking is idempotent). An empty token is "missing token ID".
  const byToken = async (token: string, unknown: () => Error = () => new PermissionDenied('bad token')) => {
    if (token === '') throw new BadRequest('missing token ID');
    const entry = await tokens().lookup(token);
    if (!entry) throw unknown();
    return entry;
  };
  const byAccessor = async (accessor: string) => {
    if (accessor === '') throw new BadRequest('missing accessor');
    const entry = await tokens().byAccessor(accessor);
    if (!entry) throw new BadRequest('invalid accessor');
    return entry;
  };
  const create = (orphan: boolean, againstRole = false) => async (ctx: HandlerContext<CreateInput & { role_name: string }>) => {
    const entry = await self(ctx);
    const acl = await core.unsealed.policies.acl(entry.policies);
    const sudo = acl.allowed({ path: ctx.request.path, operation: 'update' }).rootPrivs;
    // Only create/:role_name creates against a role: the ACL was checked on that URL. A
    // role_name in the body of create or create-orphan must not pick up a role's policies.
    const roleName = againstRole ? ctx.fields.role_name : '';
    const role = roleName ? await getRole(roleStorage(), roleName) : undefined;
    if (roleName && !role) throw new BadRequest(`unknown role ${roleName}`);
    const path = `auth/token/${ctx.path}`;
    const { auth, warnings } = await issueToken(core.tokenDeps, { caller: ctx.caller!, entry, sudo }, ctx.fields, { orphan, role, path });
    return { auth, warnings: warnings.length > 0 ? warnings : undefined };
  };
  const increment = field.duration({ description: 'Requested extension in seconds; 0 = the token\'s own TTL.' });
  const tokenField = field.string({ description: 'The token.', sensitive: true });
  const accessorField = field.string({ description: 'The token\'s accessor.' });

  const paths = [
    definePath({ pattern: 'create', summary: 'Create a child token.', fields: createFields, operations: { update: create(false) } }),
    definePath({ pattern: 'create-orphan', summary: 'Create an orphan token.', fields: createFields, operations: { update: create(true) } }),
    definePath({
      pattern: 'create/:role_name', summary: 'Create a token against a role.',
      fields: { ...createFields, role_name: field.name({ description: 'The role.' }) }, operations: { update: create(false, true) },
    }),
    definePath({
      pattern: 'lookup-self', summary: 'Information about the calling token.', fields: {},
      operations: {
        read: async (ctx) => withIdentity(await self(ctx), now(), ctx.caller!.token),
        update: async (ctx) => withIdentity(await self(ctx), now(), ctx.caller!.token),
      },
    }),
    definePath({
      pattern: 'lookup', summary: 'Information about a token; without one, the calling token.', fields: { token: tokenField },
      operations: {
        read: async (ctx) => {
          const token = ctx.fields.token || ctx.request.clientToken;
          return withIdentity(await byToken(token), now(), token);
        },
        update: async (ctx) => {
          const token = ctx.fields.token || ctx.request.clientToken;
          return withIdentity(await byToken(token), now(), token);
        },
      },
    }),
    definePath({
      pattern: 'lookup-accessor', summary: 'Information about the token behind an accessor.', fields: { accessor: accessorField },
      operations: { update: async ({ fields }) => withIdentity(await byAccessor(fields.accessor), now(), undefined) },
    }),
    definePath({
      pattern: 'renew-self', summary: 'Renew the calling token.', fields: { increment },
      operations: { update: async (ctx) => renewToken(core.tokenDeps, ctx.caller!.token, await self(ctx), ctx.fields.increment) },
    }),
    definePath({
      pattern: 'renew', summary: 'Renew a token.', fields: { token: tokenField, increment },
      operations: {
        update: async ({ fields }) => {
          const entry = await byToken(fields.token, () => new BadRequest('token not found'));
          return renewToken(core.tokenDeps, fields.token, entry, fields.increment);
        },
      },
    }),
    definePath({
      pattern: 'renew-accessor', summary: 'Renew the token behind an accessor.', fields: { accessor: accessorField, increment },
      operations: { update: async ({ fields }) => renewToken(core.tokenDeps, '', await byAccessor(fields.accessor), fields.increment) },
    }),
    definePath({
      pattern: 'revoke-self', summary: 'Revoke the calling token and its children.', fields: {},
      operations: { update: async (ctx) => { await revokeTree(core.tokenDeps, await self(ctx)); } },
    }),
    definePath({
      pattern: 'revoke', summary: 'Revoke a token and its children.', fields: { token: tokenField },
      operations: {
        update: async ({ fields }) => {
          if (fields.token === '') throw new BadRequest('missing token ID');
          const entry = await tokens().lookup(fields.token);
          if (entry) await revokeTree(core.tokenDeps, entry);
        },
      },
    }),
    definePath({
      pattern: 'revoke-accessor', summary: 'Revoke the token behind an accessor, and its children.', fields: { accessor: accessorField },
      operations: { update: async ({ fields }) => { await revokeTree(core.tokenDeps, await byAccessor(fields.accessor)); } },
    }),
    definePath({
      pattern: 'revoke-orphan', summary: 'Revoke a token; its children become orphans.', sudo: true, fields: { token: tokenField },
      operations: { update: async ({ fields }) => { await revokeOrphan(core.tokenDeps, await byToken(fields.token, () => new BadRequest('token to revoke not found'))); } },
    }),
    definePath({
      pattern: 'accessors/', summary: 'List the accessors of all tokens.', sudo: true, fields: {},
      operations: {
        list: async () => {
          const live = (await tokens().allEntries()).filter((e) => e.expire_at === 0 || e.expire_at > now());
          return { data: { keys: live.map((e) => e.accessor).sort() } };
        },
      },
    }),
    definePath({
      pattern: 'tidy', summary: 'Remove expired tokens and dangling index entries.', fields: {},
      operations: {
        update: async () => {
          let removed = 0;
          for (const e of await tokens().allEntries()) {
            if (e.expire_at !== 0 && e.expire_at <= now()) {
              await revokeTree(core.tokenDeps, e);
              removed++;
            }
          }
          core.log.info('token tidy finished', { expired_tokens_revoked: removed });
          return { warnings: ['Tidy operation successfully started. Any information from the operation will be printed to Lockbox\'s server logs.'], status: 202 };
        },
      },
    }),
    ...rolePaths(roleStorage),
  ];
  return defineBackend({ type: 'token', summary: 'Token based credentials.', paths });
}
