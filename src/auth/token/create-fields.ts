// The fields of auth/token/create, create-orphan and create/:role_name, as Vault names them.
import { field } from '../../core/path.js';
import type { TokenRequest } from '../../core/tokens/issue.js';

/** The fields of auth/token/create*. */
export const createFields = {
  id: field.string({ description: 'Token value to use (root only).', sensitive: true }),
  role_name: field.string({ description: 'Role to create the token against.' }),
  policies: field.policies({ description: 'Policies; defaults to the creator\'s.' }),
  meta: field.stringMap({ description: 'Metadata shown in lookups and audit logs.' }),
  metadata: field.stringMap({ description: 'Alias of meta.' }),
  no_parent: field.bool({ description: 'Create an orphan (root or sudo only).' }),
  no_default_policy: field.bool({ description: 'Do not add the default policy.' }),
  renewable: field.bool({ description: 'Whether the token may be renewed.', default: true }),
  ttl: field.duration({ description: 'Initial TTL.' }),
  lease: field.duration({ description: 'Deprecated alias of ttl.' }),
  type: field.string({ description: 'service or batch; empty means service.' }),
  explicit_max_ttl: field.duration({ description: 'Hard cap on the token\'s lifetime.' }),
  display_name: field.string({ description: 'Name shown in lookups and audit logs.' }),
  num_uses: field.int({ description: 'Number of uses; 0 = unlimited.' }),
  period: field.duration({ description: 'Make the token periodic with this renewal period.' }),
  entity_alias: field.string({ description: 'Name of an entity alias (on this mount) whose entity the token belongs to; needs role_name and the role\'s allowed_entity_aliases.' }),
};

/** Parsed values of createFields. */
export type CreateInput = { [K in keyof typeof createFields]: ReturnType<(typeof createFields)[K]['parse']> };

// A compile-time check that what the paths parse is what core's issuer takes.
const _fitsTokenRequest = (input: CreateInput): TokenRequest => input;
void _fitsTokenRequest;
