// Vault fields this engine does not implement. They are declared, so a request that sets one
// is refused with 400 instead of being stored and silently ignored; a zero value (what
// Terraform's provider sends for an unset attribute) is accepted, since it asks for nothing.
import { BadRequest } from '../../util/errors.js';
import { field } from '../../core/path.js';

/** config/:name: Vault Enterprise's automated root rotation, and connection options we lack. */
export const unsupportedConfigFields = {
  rotation_period: field.duration({ description: 'Not supported: automated root rotation (Vault Enterprise).', default: 0 }),
  rotation_schedule: field.string({ description: 'Not supported: automated root rotation (Vault Enterprise).' }),
  rotation_window: field.duration({ description: 'Not supported: automated root rotation (Vault Enterprise).', default: 0 }),
  disable_automated_rotation: field.bool({ description: 'Not supported: automated root rotation (Vault Enterprise).' }),
  skip_static_role_import_rotation: field.bool({ description: 'Not supported: a new static role always rotates its password.' }),
  tls_server_name: field.string({ description: 'Not supported: the server name is the connection_url host.' }),
  tls_skip_verify: field.bool({ description: 'Not supported: use tls=skip-verify in a MySQL connection_url.' }),
  auth_type: field.string({ description: 'Not supported: only password authentication.' }),
  service_account_json: field.string({ description: 'Not supported: only password authentication.', sensitive: true }),
  use_private_ip: field.bool({ description: 'Not supported: only password authentication.' }),
  self_managed: field.bool({ description: 'Not supported: connections without a root user (Vault Enterprise).' }),
};

/** static-roles/:name: Vault Enterprise's import without rotation. */
export const unsupportedStaticRoleFields = {
  skip_import_rotation: field.bool({ description: 'Not supported: a new static role always rotates its password.' }),
};

const isZero = (v: unknown) => v === '' || v === 0 || v === false || v === undefined;

/** Refuses the request if it sets any of `names` to a non-zero value. */
export function refuseUnsupported(values: Record<string, unknown>, sent: ReadonlySet<string>, names: string[]): void {
  const set = names.filter((n) => sent.has(n) && !isZero(values[n]));
  if (set.length > 0) throw new BadRequest(`unsupported parameters: ${set.join(', ')}`);
}
