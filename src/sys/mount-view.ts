// How mount entries are shown by sys/mounts, sys/auth and sys/internal/ui/mounts: Vault's
// field names and JSON types (TTLs as integer seconds, options a string map or null).
import type { Core } from '../core/core.js';
import type { MountEntry } from '../core/mounts.js';
import type { LockoutTune } from '../core/lockout.js';

/** Vault reports the token type an auth mount issues, in sys/auth's `config` and in
 *  sys/auth/<path>/tune; it is `default-service` unless tuned (a tuned value, kept in `tune`,
 *  overrides it). Secret engine mounts carry no such field. */
function authTokenType(entry: MountEntry): Record<string, string> {
  return entry.table === 'auth' ? { token_type: 'default-service' } : {};
}

/** Tune settings shown in their own shape rather than as stored. */
function shownTune(entry: MountEntry): Record<string, unknown> {
  const { user_lockout_config: lockout, ...rest } = entry.tune;
  return rest;
}

/** Vault's names for a mount's tuned lockout settings (only the ones set are shown). */
function lockoutView(entry: MountEntry): Record<string, unknown> {
  const l = entry.tune.user_lockout_config as LockoutTune | undefined;
  if (!l) return {};
  return {
    ...(l.counterReset !== undefined ? { user_lockout_counter_reset_duration: l.counterReset } : {}),
    ...(l.threshold !== undefined ? { user_lockout_threshold: l.threshold } : {}),
    ...(l.duration !== undefined ? { user_lockout_duration: l.duration } : {}),
    ...(l.disabled !== undefined ? { user_lockout_disable: l.disabled } : {}),
  };
}

/** One entry as sys/mounts and sys/auth list it. */
export function mountView(entry: MountEntry): Record<string, unknown> {
  return {
    accessor: entry.accessor,
    config: {
      default_lease_ttl: entry.config.default_lease_ttl,
      force_no_cache: false,
      max_lease_ttl: entry.config.max_lease_ttl,
      ...authTokenType(entry),
      ...shownTune(entry),
      ...(entry.tune.user_lockout_config ? { user_lockout_config: lockoutView(entry) } : {}),
    },
    description: entry.description,
    external_entropy_access: entry.external_entropy_access,
    local: entry.local,
    options: Object.keys(entry.options).length > 0 ? entry.options : null,
    plugin_version: entry.plugin_version,
    running_plugin_version: entry.running_plugin_version,
    running_sha256: '',
    seal_wrap: entry.seal_wrap,
    type: entry.type,
    uuid: entry.uuid,
  };
}

/** The tune view of an entry: effective TTLs, falling back to the server's. */
export function tuneView(core: Core, entry: MountEntry): Record<string, unknown> {
  return {
    description: entry.description,
    default_lease_ttl: entry.config.default_lease_ttl || core.config.defaultLeaseTtl,
    max_lease_ttl: entry.config.max_lease_ttl || core.config.maxLeaseTtl,
    force_no_cache: false,
    ...(Object.keys(entry.options).length > 0 ? { options: entry.options } : {}),
    ...authTokenType(entry),
    ...shownTune(entry),
    ...lockoutView(entry),
  };
}
