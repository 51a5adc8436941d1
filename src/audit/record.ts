// One audit record in Vault's JSON shape (time, type, auth, request, response, error), with
// secrets hashed per the device's options. Built once per device because salts differ.
import type { AuditInput } from '../core/audit.js';
import type { AuthResult, Caller, MountInfo, Response } from '../core/request.js';
import type { WrapInfo } from '../core/wrapping.js';
import { hashStrings, type Hasher } from './hash.js';
import type { FormatOptions } from './options.js';

/** Which half of an exchange a record describes. */
export type AuditKind = 'request' | 'response';

/** How one device hides values: `secret` for tokens and data, `accessor` for accessors. */
export type Hiding = { secret: Hasher; accessor: Hasher; data: (v: unknown) => unknown };

/** Vault's `omitempty`: drop undefined, '', false, 0, and empty lists and maps. */
export function compact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null || v === '' || v === false || v === 0) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out;
}

const hideOptional = (hash: Hasher, value: string | undefined) => (value ? hash(value) : undefined);

/** Vault names an auth mount's point with its `auth/` prefix. */
export function mountFields(mount: MountInfo | undefined): Record<string, unknown> {
  if (!mount) return {};
  const isAuth = (mount as { table?: string }).table === 'auth';
  return { mount_point: (isAuth ? 'auth/' : '') + mount.path, mount_type: mount.type, mount_accessor: mount.accessor };
}

export function callerAuth(caller: Caller | undefined, h: Hiding): Record<string, unknown> {
  if (!caller) return {};
  return compact({
    client_token: hideOptional(h.secret, caller.token),
    accessor: hideOptional(h.accessor, caller.accessor),
    display_name: caller.displayName,
    // Vault: `policies` is the token's and its entity's together.
    policies: caller.identityPolicies.length > 0 ? [...new Set([...caller.policies, ...caller.identityPolicies])].sort() : caller.policies,
    token_policies: caller.policies,
    identity_policies: caller.identityPolicies,
    metadata: caller.metadata,
    entity_id: caller.entityId,
    token_type: caller.tokenType,
  });
}

export function requestBlock(input: AuditInput, h: Hiding): Record<string, unknown> {
  const req = input.request;
  return compact({
    id: req.id,
    operation: input.operation,
    ...mountFields(input.mount),
    client_token: hideOptional(h.secret, req.clientToken),
    client_token_accessor: hideOptional(h.accessor, input.caller?.accessor),
    namespace: { id: 'root' },
    path: req.path,
    data: h.data(req.data),
    remote_address: req.remoteAddress,
    wrap_ttl: req.wrapTtl,
  });
}

/** An issued token (login, token create): Vault hashes the token and, by default, its accessor. */
function issuedAuth(auth: AuthResult, h: Hiding, entityCreated: boolean): Record<string, unknown> {
  return compact({
    client_token: hideOptional(h.secret, auth.client_token),
    accessor: hideOptional(h.accessor, auth.accessor),
    policies: auth.policies,
    token_policies: auth.token_policies,
    identity_policies: auth.identity_policies,
    metadata: auth.metadata,
    num_uses: auth.num_uses,
    entity_id: auth.entity_id,
    token_type: auth.token_type,
    token_ttl: auth.lease_duration,
    // Vault marks the login that created its entity.
    entity_created: entityCreated,
  });
}

/** A wrapped response: Vault hashes the wrapping token and, by default, both accessors. */
function wrapInfo(info: WrapInfo | undefined, h: Hiding): Record<string, unknown> | undefined {
  if (!info) return undefined;
  return compact({
    token: hideOptional(h.secret, info.token),
    accessor: hideOptional(h.accessor, info.accessor),
    ttl: info.ttl,
    creation_time: info.creation_time,
    creation_path: info.creation_path,
    wrapped_accessor: hideOptional(h.accessor, info.wrapped_accessor),
  });
}

/** The data a response carried; raw answers in Vault's http_* shape. */
function responseData(resp: Response, operation: string, opts: FormatOptions): Record<string, unknown> | undefined {
  if (resp.raw) {
    const { body, contentType } = resp.raw;
    // Byte answers (DER, PEM, OCSP) are recorded as Vault does: their text, base64 for binary.
    const text = Buffer.isBuffer(body) ? body.toString('base64') : typeof body === 'string' && contentType ? body : JSON.stringify(body);
    return { http_content_type: contentType ?? 'application/json', http_raw_body: text, http_status_code: resp.raw.status };
  }
  const data = resp.data ?? undefined;
  if (!data || !opts.elideListResponses || operation !== 'list') return data;
  // Vault's elide_list_responses: the names are replaced by how many there were.
  const elided = { ...data };
  if (Array.isArray(elided.keys)) elided.keys = elided.keys.length;
  if (elided.key_info && typeof elided.key_info === 'object') elided.key_info = Object.keys(elided.key_info).length;
  return elided;
}

export function responseBlock(input: AuditInput, h: Hiding, opts: FormatOptions): Record<string, unknown> {
  const resp = input.response;
  if (!resp) return compact(mountFields(input.mount));
  return compact({
    ...mountFields(input.mount),
    auth: resp.auth && issuedAuth(resp.auth, h, resp.entityCreated === true),
    // Vault logs lease ids as they are: they are handles, not credentials.
    secret: resp.leaseId ? { lease_id: resp.leaseId } : undefined,
    data: h.data(responseData(resp, input.operation, opts)),
    warnings: resp.warnings,
    wrap_info: wrapInfo(resp.wrapInfo, h),
  });
}

const keep: Hasher = (v) => v;

/** What a device's options hide, with `hash` (its salt's HMAC) where they hide anything. */
export function hidingFor(opts: FormatOptions, hash: Hasher): Hiding {
  return {
    secret: opts.logRaw ? keep : hash,
    accessor: opts.logRaw || !opts.hmacAccessor ? keep : hash,
    data: (v) => (opts.logRaw || v === undefined ? v : hashStrings(v, hash)),
  };
}

/** Builds the record a device writes for one request or response. */
export function buildRecord(kind: AuditKind, input: AuditInput, opts: FormatOptions, hash: Hasher, now: number): Record<string, unknown> {
  const h = hidingFor(opts, hash);
  const record: Record<string, unknown> = {
    time: new Date(now).toISOString(),
    type: kind,
    auth: callerAuth(input.caller, h),
    request: requestBlock(input, h),
  };
  if (kind === 'response') record.response = responseBlock(input, h, opts);
  if (input.error) record.error = input.error;
  return record;
}
