// tidy_acme on stored ACME state: orders expired past safety_buffer go with their
// authorizations; idle accounts are revoked, then deleted; old unused EAB keys go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openMemoryStorage } from '../../../src/storage/memory.js';
import { tidyAcme } from '../../../src/engines/pki/acme/tidy.js';
import { accounts, authorizations, orders, type Account, type Order } from '../../../src/engines/pki/acme/state.js';
import { createEab, listEabs } from '../../../src/engines/pki/acme/eab.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const counts = () => ({ total_acme_account_count: 0, acme_account_deleted_count: 0, acme_account_revoked_count: 0, acme_orders_deleted_count: 0 });

async function seedAccount(storage: ReturnType<typeof openMemoryStorage>, id: string, created: number, extra: Partial<Account> = {}) {
  const account: Account = { id, jwk: {}, thumbprint: `tp-${id}`, status: 'valid', contact: [], created, ...extra };
  await accounts.put(storage, account);
  await accounts.link(storage, account);
  return account;
}

async function seedOrder(storage: ReturnType<typeof openMemoryStorage>, account: string, id: string, expires: number, certExpiry?: number) {
  const order: Order = {
    id, account, status: certExpiry ? 'valid' : 'pending', identifiers: [{ type: 'dns', value: 'x.example.com' }],
    authorizations: [`authz-${id}`], expires, directory: { issuer: '', role: '' }, ...(certExpiry ? { cert_expiry: certExpiry } : {}),
  };
  await orders.put(storage, order);
  await orders.link(storage, order);
  await authorizations.put(storage, { id: `authz-${id}`, account, order: id, identifier: order.identifiers[0]!, status: 'pending', expires, challenges: [] });
}

test('tidy_acme deletes expired orders, revokes idle accounts and deletes old revoked ones', async () => {
  const storage = openMemoryStorage();
  const now = 100 * DAY;
  const o = { safetyBufferMs: 72 * HOUR, accountBufferMs: 30 * DAY, nowMs: now };
  // A: old account whose only order (and certificate) expired long ago: order goes, account is revoked.
  await seedAccount(storage, 'a', now - 60 * DAY);
  await seedOrder(storage, 'a', 'a1', now - 50 * DAY, now - 40 * DAY);
  // B: a certificate still valid keeps its order and its account.
  await seedAccount(storage, 'b', now - 60 * DAY);
  await seedOrder(storage, 'b', 'b1', now - 50 * DAY, now + 10 * DAY);
  // C: deactivated 40 days ago, no orders: deleted.
  await seedAccount(storage, 'c', now - 90 * DAY, { status: 'deactivated', revoked_at: now - 40 * DAY });
  // D: new account with a pending order expired two days ago (inside the 72h buffer): kept.
  await seedAccount(storage, 'd', now - DAY);
  await seedOrder(storage, 'd', 'd1', now - 2 * DAY);
  const oldEab = await createEab(storage, 'acme/directory', now - 31 * DAY);
  const newEab = await createEab(storage, 'acme/directory', now - DAY);

  const c = counts();
  await tidyAcme(storage, o, c, async () => undefined);
  assert.deepEqual(c, { total_acme_account_count: 4, acme_account_deleted_count: 1, acme_account_revoked_count: 1, acme_orders_deleted_count: 1 });
  assert.equal(await orders.get(storage, 'a1'), undefined);
  assert.equal(await authorizations.get(storage, 'authz-a1'), undefined);
  assert.equal((await accounts.get(storage, 'a'))?.status, 'revoked');
  assert.ok(await orders.get(storage, 'b1'));
  assert.equal((await accounts.get(storage, 'b'))?.status, 'valid');
  assert.equal(await accounts.get(storage, 'c'), undefined);
  assert.equal(await storage.get('acme/thumbprints/tp-c'), undefined);
  assert.ok(await orders.get(storage, 'd1'));
  assert.deepEqual((await listEabs(storage)).map((e) => e.id), [newEab.id]);
  assert.notEqual(oldEab.id, newEab.id);

  // 31 days later the revoked account A is deleted too.
  const later = counts();
  await tidyAcme(storage, { ...o, nowMs: now + 31 * DAY }, later, async () => undefined);
  assert.equal(await accounts.get(storage, 'a'), undefined);
  assert.ok(later.acme_account_deleted_count >= 1);
});
