// consul-template's *dependency.Secret (what `secret` returns) as a Go struct value, so field
// access, printing and errors match: `.Data.data.pw`, `{{ .LeaseDuration }}`, and
// "can't evaluate field X in type *dependency.Secret" for a field it does not have.
import { GoStruct, goStrings } from './values.js';

export const SECRET_TYPE = '*dependency.Secret';
export const SECRET_FIELDS = ['RequestID', 'LeaseID', 'LeaseDuration', 'Renewable', 'Data', 'Warnings', 'Auth', 'WrapInfo'] as const;
const AUTH_FIELDS = ['ClientToken', 'Accessor', 'Policies', 'Metadata', 'LeaseDuration', 'Renewable'] as const;
const WRAP_FIELDS = ['Token', 'TTL', 'CreationTime', 'WrappedAccessor'] as const;

/** A Vault API answer in its JSON shape (snake_case), as the server sends it. */
export interface SecretJSON {
  request_id?: string;
  lease_id?: string;
  lease_duration?: number;
  renewable?: boolean;
  data?: Record<string, unknown> | null;
  warnings?: string[] | null;
  auth?: { client_token?: string; accessor?: string; policies?: string[]; metadata?: Record<string, string>; lease_duration?: number; renewable?: boolean } | null;
  wrap_info?: { token?: string; ttl?: number; creation_time?: string; wrapped_accessor?: string } | null;
}

const n = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0)); // LosslessNumber or number

/** The Go value `secret` yields for a server answer; null gives a nil *dependency.Secret. */
export function secretValue(s: SecretJSON | null): GoStruct {
  if (!s) return new GoStruct(SECRET_TYPE, SECRET_FIELDS, null);
  const auth = s.auth
    ? new GoStruct('*dependency.SecretAuth', AUTH_FIELDS, {
      ClientToken: s.auth.client_token ?? '', Accessor: s.auth.accessor ?? '',
      Policies: goStrings([...(s.auth.policies ?? [])]), Metadata: s.auth.metadata ?? {},
      LeaseDuration: n(s.auth.lease_duration), Renewable: s.auth.renewable ?? false,
    })
    : new GoStruct('*dependency.SecretAuth', AUTH_FIELDS, null);
  const wrap = s.wrap_info
    ? new GoStruct('*dependency.SecretWrapInfo', WRAP_FIELDS, {
      Token: s.wrap_info.token ?? '', TTL: n(s.wrap_info.ttl), CreationTime: s.wrap_info.creation_time ?? '',
      WrappedAccessor: s.wrap_info.wrapped_accessor ?? '',
    })
    : new GoStruct('*dependency.SecretWrapInfo', WRAP_FIELDS, null);
  return new GoStruct(SECRET_TYPE, SECRET_FIELDS, {
    RequestID: s.request_id ?? '', LeaseID: s.lease_id ?? '', LeaseDuration: n(s.lease_duration),
    Renewable: s.renewable ?? false, Data: s.data ?? {}, Warnings: goStrings([...(s.warnings ?? [])]),
    Auth: auth, WrapInfo: wrap,
  });
}
