// Which cache entries a successful revocation made through the agent evicts, as Vault Agent
// decides it (its lease cache watches these paths and acts on a 204):
//   auth/token/revoke {token}, auth/token/revoke-self, auth/token/revoke-accessor {accessor}:
//     the token, its leases and its child tokens;
//   auth/token/revoke-orphan {token}: the token and its leases; child tokens stay cached;
//   sys/leases/revoke {lease_id}: that lease (also with the id in the path, which Vault's
//     server takes too);
//   sys/leases/revoke-prefix/<prefix>, sys/leases/revoke-force/<prefix>: leases whose id
//     starts with the prefix.

export type Revocation =
  | { kind: 'token'; token: string }
  | { kind: 'accessor'; accessor: string }
  | { kind: 'orphan'; token: string }
  | { kind: 'lease'; leaseId: string }
  | { kind: 'lease-prefix'; prefix: string };

/** The URL's path without query or trailing slashes, percent-decoding undone. */
export function requestPath(url: string): string {
  const p = (url.split('?')[0] ?? '/').replace(/\/+$/, '') || '/';
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

function jsonField(body: Buffer, name: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const v = (parsed as Record<string, unknown>)[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The eviction a revocation request calls for, or undefined when it is none. */
export function revocationOf(url: string, body: Buffer, token: string): Revocation | undefined {
  const path = requestPath(url);
  const tail = (prefix: string): string | undefined =>
    path === prefix ? '' : path.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1) : undefined;
  switch (path) {
    case '/v1/auth/token/revoke': {
      const t = jsonField(body, 'token');
      return t ? { kind: 'token', token: t } : undefined;
    }
    case '/v1/auth/token/revoke-self':
      return token ? { kind: 'token', token } : undefined;
    case '/v1/auth/token/revoke-accessor': {
      const a = jsonField(body, 'accessor');
      return a ? { kind: 'accessor', accessor: a } : undefined;
    }
    case '/v1/auth/token/revoke-orphan': {
      const t = jsonField(body, 'token');
      return t ? { kind: 'orphan', token: t } : undefined;
    }
    default:
  }
  const revoke = tail('/v1/sys/leases/revoke');
  if (revoke !== undefined) {
    const leaseId = jsonField(body, 'lease_id') ?? (revoke || undefined);
    return leaseId ? { kind: 'lease', leaseId } : undefined;
  }
  const prefix = tail('/v1/sys/leases/revoke-prefix') ?? tail('/v1/sys/leases/revoke-force');
  return prefix ? { kind: 'lease-prefix', prefix } : undefined;
}
