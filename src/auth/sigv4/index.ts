// The sigv4 auth method (auth/sigv4/): roles, long-lived access keys per role, temporary keys
// bound to a Lockbox token, and `login`, which checks an AWS Signature Version 4 request and
// answers with the token the key acts as. The aws-sm wire translator logs in with every
// request it receives; revoking that token (or deleting the key) stops the key at once.
import { BadRequest, PermissionDenied } from '../../util/errors.js';
import { AwsError } from '../../util/aws-error.js';
import { defineBackend, type Backend } from '../../core/backend.js';
import type { Core } from '../../core/core.js';
import { definePath, field } from '../../core/path.js';
import { authBlock, sanitisePolicies } from '../../core/tokens/issue.js';
import { newTokenValue } from '../../core/tokens/store.js';
import { revokeTree } from '../../core/tokens/lifecycle.js';
import { newAccessKeyId, newSecretAccessKey, newSessionToken } from './keygen.js';
import { sha256Hex } from './signature.js';
import { keys, roles, type Role } from './store.js';
import { checkScope, verifyWithKey } from './verify.js';

const roleFields = {
  name: field.name({ description: 'Name of the role.' }),
  token_policies: field.strings({ description: 'Policies of the token requests signed with the role\'s keys act as.', default: [] }),
  token_ttl: field.duration({ description: 'Unused by keys themselves; kept for the token a key acts as when key_ttl is 0.', default: 0 }),
  token_max_ttl: field.duration({ description: 'Longest life of a key\'s token; 0 = the server maximum.', default: 0 }),
  key_ttl: field.duration({ description: 'How long a new key works; 0 = token_ttl, then token_max_ttl, then the server maximum.', default: 0 }),
};

/** Builds the method for one core (keys act as tokens in core's token store). */
export function sigv4Backend(core: Core): Backend {
  const tokens = () => core.unsealed.tokens;

  /** Issues the orphan token a role key acts as; its life is the key's life. */
  async function tokenFor(roleName: string, role: Role, accessKeyId: string) {
    const now = core.clock.now();
    const cap = role.token_max_ttl || core.config.maxLeaseTtl;
    const ttl = Math.min(role.key_ttl || role.token_ttl || cap, cap);
    const value = newTokenValue();
    await tokens().create(value, {
      parent: '', policies: sanitisePolicies(role.token_policies, true), path: `auth/sigv4/role/${roleName}/keys`,
      meta: { role: roleName, access_key_id: accessKeyId }, display_name: `sigv4-${roleName}`, num_uses: 0,
      creation_time: Math.floor(now / 1000), ttl, explicit_max_ttl: 0, period: 0, renewable: false, type: 'service',
      entity_id: '', role: '', expire_at: ttl === 0 ? 0 : now + ttl * 1000, issued_at: now,
    });
    return { value, ttl };
  }

  async function revokeKeyToken(token: string) {
    const entry = await tokens().lookup(token);
    if (entry) await revokeTree(core.tokenDeps, entry);
  }

  const rolePath = definePath({
    pattern: 'role/:name', fields: roleFields, summary: 'Manage the roles access keys are issued from.',
    exists: async ({ storage, fields }) => (await roles(storage).get(fields.name)) !== undefined,
    operations: {
      read: async ({ storage, fields }) => {
        const role = await roles(storage).get(fields.name);
        return role && { data: role };
      },
      create: async ({ storage, fields: { name, ...role } }) => roles(storage).put(name, role),
      update: async ({ storage, fields: { name, ...input }, sent }) => {
        const before = await roles(storage).get(name);
        const role = { ...input, ...before } as Role;
        for (const k of Object.keys(input) as Array<keyof Role>) if (sent.has(k)) (role[k] as unknown) = input[k];
        await roles(storage).put(name, role);
      },
      // Deleting a role stops its keys: they cannot outlive what granted them.
      delete: async ({ storage, fields }) => {
        for (const id of await keys(storage).list()) {
          const key = await keys(storage).get(id);
          if (key?.role === fields.name && key.session_token_sha256 === undefined) {
            await revokeKeyToken(key.token);
            await keys(storage).delete(id);
          }
        }
        await roles(storage).delete(fields.name);
      },
    },
  });

  const roleListPath = definePath({
    pattern: 'role/', fields: {}, summary: 'List roles.',
    operations: { list: async ({ storage }) => ({ data: { keys: await roles(storage).list() } }) },
  });

  const keysPath = definePath({
    pattern: 'role/:name/keys', fields: { name: field.name({ description: 'Role name.' }) },
    summary: 'Create an access key for the role; its secret is shown only in this answer.',
    operations: {
      update: async ({ storage, fields }) => {
        const role = await roles(storage).get(fields.name);
        if (!role) throw new BadRequest(`role "${fields.name}" does not exist`);
        const id = newAccessKeyId(false);
        const secret = newSecretAccessKey();
        const token = await tokenFor(fields.name, role, id);
        await keys(storage).put(id, { role: fields.name, secret_access_key: secret, token: token.value, created: Math.floor(core.clock.now() / 1000) });
        return { data: { access_key_id: id, secret_access_key: secret, key_ttl: token.ttl } };
      },
    },
  });

  const keyListPath = definePath({
    pattern: 'role/:name/keys/', fields: { name: field.name({ description: 'Role name.' }) },
    summary: 'List the role\'s access keys (never their secrets).',
    operations: {
      list: async ({ storage, fields }) => {
        const ids: string[] = [];
        const info: Record<string, unknown> = {};
        for (const id of await keys(storage).list()) {
          const key = await keys(storage).get(id);
          if (key?.role !== fields.name || key.session_token_sha256 !== undefined) continue;
          ids.push(id);
          info[id] = { created: key.created, last_used: key.last_used ?? null };
        }
        return { data: { keys: ids, key_info: info } };
      },
    },
  });

  const keyPath = definePath({
    pattern: 'role/:name/keys/:access_key_id',
    fields: { name: field.name({ description: 'Role name.' }), access_key_id: field.name({ description: 'The key to delete.' }) },
    summary: 'Delete an access key; requests signed with it fail from now on.',
    operations: {
      delete: async ({ storage, fields }) => {
        const key = await keys(storage).get(fields.access_key_id);
        if (!key || key.role !== fields.name) return;
        await keys(storage).delete(fields.access_key_id);
        await revokeKeyToken(key.token);
      },
    },
  });

  const temporaryPath = definePath({
    pattern: 'temporary', fields: {},
    summary: 'A temporary key, secret and session token acting as the calling token (revoking it kills the key).',
    operations: {
      update: async ({ storage, caller }) => {
        if (!caller) throw new PermissionDenied();
        const entry = await tokens().lookup(caller.token);
        if (!entry) throw new PermissionDenied();
        const id = newAccessKeyId(true);
        const secret = newSecretAccessKey();
        const session = newSessionToken();
        await keys(storage).put(id, {
          role: '', secret_access_key: secret, token: caller.token, session_token_sha256: sha256Hex(session),
          created: Math.floor(core.clock.now() / 1000),
        });
        const expiration = entry.expire_at === 0 ? null : Math.floor(entry.expire_at / 1000);
        return { data: { access_key_id: id, secret_access_key: secret, session_token: session, expiration } };
      },
    },
  });

  const loginPath = definePath({
    pattern: 'login', unauthenticated: true,
    fields: {
      method: field.string({ description: 'HTTP method of the signed request.', default: 'POST' }),
      raw_path: field.string({ description: 'Path of the signed request as sent.', default: '/' }),
      raw_query: field.string({ description: 'Query string of the signed request as sent.', default: '' }),
      headers: field.object({ description: 'Headers of the signed request (lower-case names).', default: {} }),
      body_sha256: field.string({ description: 'Hex SHA-256 of the signed request\'s body.', default: '' }),
      region: field.string({ description: 'The region the signature must be scoped to.', default: 'us-east-1' }),
    },
    summary: 'Check an AWS Signature Version 4 request and answer with the token its key acts as.',
    operations: {
      update: async ({ storage, fields, clock }) => {
        const req = {
          method: fields.method, rawPath: fields.raw_path, rawQuery: fields.raw_query,
          headers: fields.headers as Record<string, string | string[] | undefined>, bodySha256: fields.body_sha256,
        };
        const now = clock.now();
        const scope = checkScope(req, fields.region, now);
        const key = await keys(storage).get(scope.auth.accessKeyId);
        verifyWithKey(req, scope, key);
        const entry = await tokens().lookup(key!.token);
        if (!entry) throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
        const today = new Date(now).toISOString().slice(0, 10);
        // Day resolution: at most one write per key per day on the hot path.
        if (key!.last_used !== today) await keys(storage).put(scope.auth.accessKeyId, { ...key!, last_used: today });
        return { auth: authBlock(key!.token, entry, now) };
      },
    },
  });

  return defineBackend({
    type: 'sigv4',
    summary: 'Authenticates AWS Signature Version 4 requests with access keys issued per role.',
    paths: [rolePath, roleListPath, keysPath, keyListPath, keyPath, temporaryPath, loginPath],
  });
}
