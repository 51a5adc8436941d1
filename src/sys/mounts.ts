// sys/mounts and sys/auth: list, enable, read, disable and tune mounts; sys/remount moves one.
import { randomUUID } from 'node:crypto';
import { BadRequest } from '../util/errors.js';
import { definePath, field } from '../core/path.js';
import type { Core } from '../core/core.js';
import { normaliseMountPath, type MountEntry, type MountTableKind } from '../core/mounts.js';
import { parseDurationSeconds } from '../util/duration.js';
import { mountView, tuneView } from './mount-view.js';
import { MOUNT_TOKEN_TYPES, type MountTokenType } from '../core/tokens/login.js';
import { parseLockoutTune, type LockoutTune } from '../core/lockout.js';

/** Mount types that are spelled differently on the wire and in the table. */
function normaliseType(type: string, options: Record<string, string>): { type: string; options: Record<string, string> } {
  // Vault: `kv-v2` is `kv` with options.version "2"; the table always says `kv`.
  if (type === 'kv-v2') return { type: 'kv', options: { ...options, version: '2' } };
  return { type, options };
}

/** Tune settings kept verbatim (Vault echoes them back in the mount's config). */
const PASSTHROUGH_TUNE = [
  'audit_non_hmac_request_keys', 'audit_non_hmac_response_keys', 'listing_visibility',
  'passthrough_request_headers', 'allowed_response_headers', 'allowed_managed_keys',
] as const;

const tuneFields = {
  default_lease_ttl: field.any({ description: 'Default lease TTL; "system" or 0 for the server default.' }),
  max_lease_ttl: field.any({ description: 'Longest lease TTL; "system" or 0 for the server default.' }),
  description: field.any({ description: 'Human-friendly description.' }),
  options: field.stringMap({ description: 'Backend options, e.g. {"version":"2"} for kv.' }),
  // Vault's TypeCommaStringSlice: a list or "a,b" in, always a list out (Go clients decode []string).
  ...Object.fromEntries(PASSTHROUGH_TUNE.map((k) => [k, k === 'listing_visibility'
    ? field.string({ description: 'Passed through: listing_visibility ("unauth" or "hidden").' })
    : field.strings({ description: `Passed through: ${k}.` })])),
  token_type: field.string({ description: 'Auth mounts: default-service, default-batch, service or batch.' }),
  user_lockout_config: field.object({ description: 'Auth mounts: lockout_threshold, lockout_duration, lockout_counter_reset, lockout_disable.' }),
};

/** Auth methods whose logins can lock an alias out (Vault: userpass, approle, ldap). */
const LOCKOUT_TYPES = new Set(['userpass', 'approle', 'ldap']);

/**
 * Checks the auth-only tune settings and returns the `tune` entries they set. Vault keeps the
 * token store's type fixed, and refuses lockout settings on methods without lockout.
 */
function authTune(entry: Pick<MountEntry, 'table' | 'type' | 'tune'>, input: { token_type?: unknown; user_lockout_config?: unknown }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (input.token_type !== undefined && input.token_type !== '') {
    if (entry.table !== 'auth') throw new BadRequest("'token_type' can only be modified on auth mounts");
    if (entry.type === 'token') throw new BadRequest("'token_type' cannot be set for 'token' or 'ns_token' auth mounts");
    if (!(MOUNT_TOKEN_TYPES as readonly unknown[]).includes(input.token_type)) throw new BadRequest("invalid value for 'token_type'");
    out.token_type = input.token_type as MountTokenType;
  }
  const lockout = input.user_lockout_config;
  if (lockout !== undefined && lockout !== null && typeof lockout === 'object' && Object.keys(lockout).length > 0) {
    if (entry.table !== 'auth' || !LOCKOUT_TYPES.has(entry.type)) {
      throw new BadRequest(`tuning of user lockout configuration for auth type ${JSON.stringify(entry.type)} not allowed`);
    }
    out.user_lockout_config = parseLockoutTune(lockout as Record<string, unknown>, (entry.tune.user_lockout_config ?? {}) as LockoutTune);
  }
  return out;
}

/** Parses a TTL for tune: "system" and "" mean "use the server's". */
function ttlSetting(name: string, value: unknown): number {
  if (value === 'system' || value === '') return 0;
  const n = parseDurationSeconds(value);
  if (n === undefined) throw new BadRequest(`error converting input for field "${name}": expected a duration`);
  return n;
}

/** Vault refuses to disable the built-in mounts (its protectedMounts) and the token store. */
function refuseBuiltinUnmount(table: MountTableKind, path: string): void {
  if (table === 'auth' && path === 'token/') throw new BadRequest('token credential backend cannot be disabled');
  if (table === 'mounts' && /^(sys|cubbyhole|identity|audit|auth)\//.test(path)) throw new BadRequest(`cannot unmount ${JSON.stringify(path)}`);
}

/** The list/enable/read/disable/tune paths of one table. */
function tablePaths(core: Core, table: MountTableKind, prefix: 'mounts' | 'auth') {
  const mounts = () => core.unsealed.mounts;
  const listAll = async () => {
    const data = Object.fromEntries(mounts().list(table).map((e) => [e.path, mountView(e)]));
    return { data, dataAtTopLevel: true };
  };
  const entryOf = (path: string) => mounts().get(table, normaliseMountPath(path));
  const mustGet = (path: string) => {
    const e = entryOf(path);
    if (!e) throw new BadRequest(`no mount at ${normaliseMountPath(path)}`);
    return e;
  };
  // Vault finds a tune target through its router, so sys/mounts/auth/<p>/tune reaches the auth
  // method at auth/<p>/: the Terraform provider tunes and reads every auth method that way.
  // That route needs sudo like sys/auth/<p>/tune, or it would be a way around it.
  const authTarget = (path: string) => {
    const p = normaliseMountPath(path);
    const e = mounts().get('auth', p);
    if (!e) throw new BadRequest(`no mount at auth/${p}`);
    return e;
  };
  const tunePaths = table === 'auth'
    ? [tunePath(core, `${prefix}/*path/tune`, true, mustGet)]
    : [tunePath(core, `${prefix}/*path/tune`, false, mustGet), tunePath(core, `${prefix}/auth/*path/tune`, true, authTarget)];
  return [
    definePath({
      pattern: prefix, summary: `List the ${table === 'auth' ? 'auth methods' : 'secrets engines'} and where they are mounted.`,
      fields: {}, operations: { read: listAll },
    }),
    definePath({
      pattern: `${prefix}/*path`, summary: 'Enable, read or disable a mount.', sudo: table === 'auth',
      fields: {
        path: field.string({ description: 'Where to mount.' }),
        type: field.string({ description: 'Backend type, e.g. kv, kv-v2, approle.' }),
        description: field.string({ description: 'Human-friendly description.' }),
        config: field.object({ description: 'default_lease_ttl, max_lease_ttl and other tune settings.', default: {} }),
        options: field.stringMap({ description: 'Backend options.' }),
        local: field.bool({ description: 'Not replicated.' }),
        seal_wrap: field.bool({ description: 'Seal-wrap the mount\'s data.' }),
        external_entropy_access: field.bool({ description: 'Not supported.' }),
        plugin_version: field.string({ description: 'Only built-in plugins exist.' }),
        plugin_name: field.string({ description: 'Deprecated alias of type.' }),
      },
      operations: {
        read: async ({ fields }) => {
          const e = entryOf(fields.path);
          // Vault answers a missing mount with a 400 whose text Terraform matches on.
          if (!e) throw new BadRequest(`${table === 'auth' ? 'No auth engine' : 'No secret engine mount'} at ${normaliseMountPath(fields.path)}`);
          // Vault's HTTP layer repeats data at the top level for sys/mounts/* and sys/auth/*.
          return { data: mountView(e), dataAtTopLevel: true };
        },
        update: async ({ fields }) => {
          const rawType = fields.type || fields.plugin_name;
          if (rawType === '') throw new BadRequest('backend type must be specified as a string');
          const { type, options } = normaliseType(rawType, fields.options);
          // Vault: the token store exists once, at auth/token/.
          if (table === 'auth' && type === 'token') throw new BadRequest('token credential backend cannot be instantiated');
          const config = fields.config;
          // Settings only auth mounts have are checked before anything is mounted.
          const extra = authTune({ table, type, tune: {} }, config);
          const entry = await mounts().mount({
            table, path: fields.path, type, description: fields.description, local: fields.local,
            seal_wrap: fields.seal_wrap, options,
            config: {
              default_lease_ttl: config.default_lease_ttl === undefined ? 0 : ttlSetting('default_lease_ttl', config.default_lease_ttl),
              max_lease_ttl: config.max_lease_ttl === undefined ? 0 : ttlSetting('max_lease_ttl', config.max_lease_ttl),
            },
          });
          if (Object.keys(extra).length > 0) await mounts().update(entry, (e) => { Object.assign(e.tune, extra); });
        },
        // Vault: disabling a path that is not mounted succeeds; the mount's leases go first.
        delete: async ({ fields }) => {
          const path = normaliseMountPath(fields.path);
          if (!mounts().get(table, path)) return;
          refuseBuiltinUnmount(table, path);
          await core.unsealed.leases.revokePrefix(table === 'auth' ? `auth/${path}` : path, true);
          // Vault: an auth method's tokens go with it.
          const entry = mounts().get(table, path);
          if (table === 'auth' && entry) await core.revokeLoginTokens(entry.uuid);
          await mounts().unmount(table, path);
        },
      },
    }),
    ...tunePaths,
  ];
}

/** A tune path: read or change the tune settings of the mount `target` finds. */
function tunePath(core: Core, pattern: string, sudo: boolean, target: (path: string) => MountEntry) {
  return definePath({
      pattern, summary: 'Read or change a mount\'s tune settings.', sudo,
      fields: { path: field.string({ description: 'The mount.' }), ...tuneFields },
      operations: {
        read: async ({ fields }) => ({ data: tuneView(core, target(fields.path)), dataAtTopLevel: true }),
        update: async ({ fields, sent }) => {
          const entry = target(fields.path);
          const ttls = {
            default_lease_ttl: sent.has('default_lease_ttl') ? ttlSetting('default_lease_ttl', fields.default_lease_ttl) : entry.config.default_lease_ttl,
            max_lease_ttl: sent.has('max_lease_ttl') ? ttlSetting('max_lease_ttl', fields.max_lease_ttl) : entry.config.max_lease_ttl,
          };
          if (ttls.max_lease_ttl !== 0 && ttls.default_lease_ttl > ttls.max_lease_ttl) {
            throw new BadRequest('backend max lease TTL cannot be less than backend default lease TTL');
          }
          // The backend converts its data first (kv v1 → v2), so the new options never meet old data.
          const extra = authTune(entry, { token_type: sent.has('token_type') ? fields.token_type : undefined, user_lockout_config: sent.has('user_lockout_config') ? fields.user_lockout_config : undefined });
          const upgrading = sent.has('options') && entry.type === 'kv' && fields.options.version === '2' && entry.options.version !== '2';
          if (sent.has('options')) await core.changeMountOptions(entry, { ...entry.options, ...fields.options });
          await core.unsealed.mounts.update(entry, (e) => {
            e.config = ttls;
            if (sent.has('description')) e.description = String(fields.description ?? '');
            if (sent.has('options')) e.options = { ...e.options, ...fields.options };
            Object.assign(e.tune, extra);
            for (const k of PASSTHROUGH_TUNE) {
              if (!sent.has(k)) continue;
              // Vault shows only settings that are set: an empty list or string clears one.
              const v = (fields as Record<string, unknown>)[k];
              if (v === '' || (Array.isArray(v) && v.length === 0)) delete e.tune[k];
              else e.tune[k] = v;
            }
          });
          // Vault tells the operator the kv upgrade happened (ours completes before answering).
          if (upgrading) return { warnings: [`Upgrading mount from version 1 to version 2. The mount's data was converted; it is ready to use.`] };
        },
      },
    });
}

/** sys/mounts, sys/auth and sys/remount. */
export function mountPaths(core: Core) {
  const remount = definePath({
    pattern: 'remount', summary: 'Move a mount to a new path; its data moves with it.', sudo: true,
    fields: {
      from: field.string({ description: 'Current path.', required: true }),
      to: field.string({ description: 'New path.', required: true }),
    },
    operations: {
      update: async ({ fields }) => {
        const mounts = core.unsealed.mounts;
        const isAuth = (p: string) => p.replace(/^\/+/, '').startsWith('auth/');
        if (isAuth(fields.from) !== isAuth(fields.to)) throw new BadRequest('cannot remount between secrets engines and auth methods');
        const table: MountTableKind = isAuth(fields.from) ? 'auth' : 'mounts';
        const strip = (p: string) => normaliseMountPath(table === 'auth' ? p.replace(/^\/*auth\//, '') : p);
        await mounts.remount(table, strip(fields.from), strip(fields.to));
        return { data: { migration_id: randomUUID() }, dataAtTopLevel: true };
      },
    },
  });
  return [...tablePaths(core, 'mounts', 'mounts'), ...tablePaths(core, 'auth', 'auth'), remount];
}
