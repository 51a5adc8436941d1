// tidy_acme, as Vault does it: per account (found through its key thumbprint), orders whose
// certificate (or, without one, the order itself) expired past safety_buffer are deleted with
// their authorizations. An account left with no orders, older than acme_account_safety_buffer
// and with no certificate newer than that, is revoked; a revoked or deactivated account is
// deleted a buffer after that. Unused EAB keys older than the account buffer go too.
import type { Storage } from '../../../storage/storage.js';
import { listAll } from '../store.js';
import { listEabs, deleteEab } from './eab.js';
import { accounts, orders, type Account } from './state.js';

/** What tidy-status counts of an ACME tidy. */
export type AcmeTidyCounts = {
  total_acme_account_count: number; acme_account_deleted_count: number;
  acme_account_revoked_count: number; acme_orders_deleted_count: number;
};

export type AcmeTidyOptions = { safetyBufferMs: number; accountBufferMs: number; nowMs: number };

/** Deletes one order and its authorizations when it is past the buffer; answers whether it went. */
async function tidyOrder(storage: Storage, account: Account, id: string, o: AcmeTidyOptions, counts: AcmeTidyCounts): Promise<{ gone: boolean; certExpiry: number }> {
  const order = await orders.get(storage, id);
  if (!order) {
    await storage.delete(`acme/account-orders/${account.id}/${id}`);
    return { gone: true, certExpiry: 0 };
  }
  const certExpiry = order.status === 'valid' ? order.cert_expiry ?? 0 : 0;
  const expiry = certExpiry > 0 ? certExpiry : order.expires;
  if (o.nowMs <= expiry + o.safetyBufferMs) return { gone: false, certExpiry };
  for (const authz of order.authorizations) await storage.delete(`acme/authz/${authz}`);
  await storage.delete(`acme/orders/${id}`);
  await storage.delete(`acme/account-orders/${account.id}/${id}`);
  counts.acme_orders_deleted_count++;
  return { gone: true, certExpiry };
}

async function tidyAccount(storage: Storage, thumbprint: string, o: AcmeTidyOptions, counts: AcmeTidyCounts): Promise<void> {
  const id = await accounts.idOfThumbprint(storage, thumbprint);
  const account = id ? await accounts.get(storage, id) : undefined;
  if (!account) {
    await storage.delete(`acme/thumbprints/${thumbprint}`);
    counts.acme_account_deleted_count++;
    return;
  }
  let allGone = true;
  let maxExpiry = account.max_cert_expiry ?? 0;
  for (const orderId of await listAll(storage, `acme/account-orders/${account.id}/`)) {
    const r = await tidyOrder(storage, account, orderId, o, counts);
    allGone &&= r.gone;
    maxExpiry = Math.max(maxExpiry, r.certExpiry);
  }
  const idle = allGone && o.nowMs > account.created + o.accountBufferMs && o.nowMs > maxExpiry + o.accountBufferMs;
  if (idle && account.status !== 'valid' && o.nowMs > (account.revoked_at ?? 0) + o.accountBufferMs) {
    await storage.delete(`acme/accounts/${account.id}`);
    await storage.delete(`acme/thumbprints/${thumbprint}`);
    counts.acme_account_deleted_count++;
    return;
  }
  if (idle && account.status === 'valid') {
    await accounts.put(storage, { ...account, status: 'revoked', revoked_at: o.nowMs, max_cert_expiry: maxExpiry });
    counts.acme_account_revoked_count++;
    return;
  }
  if (maxExpiry !== (account.max_cert_expiry ?? 0) && account.status === 'valid') await accounts.put(storage, { ...account, max_cert_expiry: maxExpiry });
}

/** Runs the ACME part of a tidy; `checkpoint` pauses or stops between accounts. */
export async function tidyAcme(storage: Storage, o: AcmeTidyOptions, counts: AcmeTidyCounts, checkpoint: () => Promise<void>): Promise<void> {
  const thumbprints = await listAll(storage, 'acme/thumbprints/');
  counts.total_acme_account_count = thumbprints.length;
  for (const thumbprint of thumbprints) {
    await tidyAccount(storage, thumbprint, o, counts);
    await checkpoint();
  }
  for (const eab of await listEabs(storage)) {
    if (Date.parse(eab.created_on) + o.accountBufferMs < o.nowMs) await deleteEab(storage, eab.id);
    await checkpoint();
  }
}
