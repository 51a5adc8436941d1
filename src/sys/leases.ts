// sys/leases/*: look up, list, renew and revoke leases; the older sys/renew, sys/revoke,
// sys/revoke-prefix and sys/revoke-force answer the same.
import { definePath, field, type PathDef } from '../core/path.js';
import type { Core } from '../core/core.js';
import { BadRequest } from '../util/errors.js';

/** Vault's handlers refuse an empty lease id up front with this 400, before touching storage
 *  (an empty id would otherwise reach the lease index as the key "/"). */
function requireLeaseId(id: string): string {
  if (id === '') throw new BadRequest('lease_id must be specified');
  return id;
}

/** The lease paths of the system backend. */
export function leasePaths(core: Core): PathDef[] {
  const leases = () => core.unsealed.leases;
  const leaseId = field.string({ description: 'The lease id.' });
  const increment = field.duration({ description: 'Requested extension in seconds; 0 = the lease\'s own TTL.' });

  const renew = (pattern: string) => definePath({
    pattern, summary: 'Renew a lease.', fields: { lease_id: leaseId, url_lease_id: field.string({ description: 'The lease id, in the URL.' }), increment },
    operations: {
      update: async ({ fields }) => {
        const { lease, ttl, warnings } = await leases().renew(requireLeaseId(fields.url_lease_id || fields.lease_id), fields.increment);
        return { leaseId: lease.lease_id, secret: { ttl, renewable: lease.renewable }, warnings: warnings.length ? warnings : undefined };
      },
    },
  });
  const revoke = (pattern: string) => definePath({
    pattern, summary: 'Revoke a lease now.',
    fields: { lease_id: leaseId, url_lease_id: field.string({ description: 'The lease id, in the URL.' }), sync: field.bool({ description: 'Wait for the revocation (always done).', default: true }) },
    operations: { update: async ({ fields }) => { await leases().revoke(requireLeaseId(fields.url_lease_id || fields.lease_id)); } },
  });
  const revokePrefix = (pattern: string, force: boolean) => definePath({
    pattern, sudo: true, summary: force ? 'Forget every lease under a prefix, even if revoking fails.' : 'Revoke every lease under a prefix.',
    fields: { prefix: field.string({ description: 'Lease id prefix.' }), sync: field.bool({ description: 'Always synchronous.', default: true }) },
    operations: { update: async ({ fields }) => { await leases().revokePrefix(fields.prefix, force); } },
  });
  return [
    definePath({
      pattern: 'leases/lookup', summary: 'Lease metadata: issue, expiry and renewal times, TTL.', fields: { lease_id: leaseId },
      operations: { update: async ({ fields }) => ({ data: await leases().lookup(requireLeaseId(fields.lease_id)) }) },
    }),
    definePath({
      pattern: 'leases/lookup/', sudo: true, summary: 'List the top level of lease ids.', fields: {},
      operations: { list: async () => ({ data: { keys: await leases().list('') } }) },
    }),
    definePath({
      pattern: 'leases/lookup/*prefix', sudo: true, summary: 'List lease ids under a prefix.',
      fields: { prefix: field.string({ description: 'Folder of lease ids.' }) },
      operations: { list: async ({ fields }) => ({ data: { keys: await leases().list(fields.prefix.endsWith('/') ? fields.prefix : `${fields.prefix}/`) } }) },
    }),
    renew('leases/renew'), renew('leases/renew/*url_lease_id'), renew('renew'), renew('renew/*url_lease_id'),
    revoke('leases/revoke'), revoke('leases/revoke/*url_lease_id'), revoke('revoke'), revoke('revoke/*url_lease_id'),
    revokePrefix('leases/revoke-prefix/*prefix', false), revokePrefix('revoke-prefix/*prefix', false),
    revokePrefix('leases/revoke-force/*prefix', true), revokePrefix('revoke-force/*prefix', true),
    definePath({
      pattern: 'leases/tidy', summary: 'Revoke whatever has fallen due and clean up stale index entries.', fields: {},
      operations: {
        update: async () => {
          const handled = await core.unsealed.expiration.tick();
          core.log.info('lease tidy finished', { handled });
          return { warnings: ['Tidy operation successfully started. Any information from the operation will be printed to Lockbox\'s server logs.'], status: 202 };
        },
      },
    }),
  ];
}
