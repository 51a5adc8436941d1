// Expiry of many tokens at once: the plain ones (no children, leases or cubbyhole) are removed
// in one transaction per page, the others still get the full revocation, and a failed commit
// leaves the whole page as it was until the next attempt.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/util/clock.js';
import { injectCommitFailures } from '../../../src/storage/sqlite-writer.js';
import type { ExpiryItem } from '../../../src/core/expiration/queue.js';
import { earliest, queueKey } from '../../../src/core/expiration/queue.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { leaseEngine } from '../../helpers/lease-engine.js';

const clock = new ManualClock();
const engine = leaseEngine();
let dir: string;
let srv: TestServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lockbox-bulk-expiry-'));
  srv = await startTestServer({ clock, extraEngines: engine.factories, storage: { type: 'sqlite', path: join(dir, 'bulk.db') } });
  assert.equal((await srv.api('POST', 'sys/mounts/db', { type: 'leasetest' })).status, 204);
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

type Issued = { token: string; accessor: string; id: string };

async function issue(ttl: string, as = srv.rootToken): Promise<Issued> {
  srv.useToken(as);
  const auth = (await srv.api('POST', 'auth/token/create', { ttl })).body.auth;
  srv.useToken(srv.rootToken);
  return { token: auth.client_token, accessor: auth.accessor, id: srv.core.unsealed.tokens.hash(auth.client_token) };
}

/** What storage holds of a token: its entry, its accessor index, its queue item. */
async function stored(t: Issued) {
  const { barrier } = srv.core;
  const { tokens, expiration } = srv.core.unsealed;
  const queue = await earliest(expiration.storage, 10_000);
  return {
    entry: (await barrier.get(`sys/token/id/${t.id}`)) !== undefined,
    accessor: (await barrier.get(`sys/token/accessor/${tokens.hash(t.accessor)}`)) !== undefined,
    queued: queue.some((item) => item.kind === 'token' && item.id === t.id),
  };
}

const lookupStatus = async (t: Issued) => (await srv.api('POST', 'auth/token/lookup', { token: t.token })).status;

/** Records which items the bulk path handed to the one-by-one path. */
function watchBulk(): { full: ExpiryItem[]; pages: number } {
  const seen = { full: [] as ExpiryItem[], pages: 0 };
  const { expiration } = srv.core.unsealed;
  const bulk = expiration.bulkTokens!;
  expiration.bulkTokens = async (items, submitted) => {
    const outcome = await bulk(items, submitted);
    seen.pages++;
    seen.full.push(...outcome.full);
    return outcome;
  };
  return seen;
}

test('a page mixing plain tokens with tokens that have children, leases or a cubbyhole revokes all of them fully', async () => {
  const plain = await Promise.all(Array.from({ length: 40 }, () => issue('10m')));
  const parent = await issue('10m');
  const child = await issue('1h', parent.token);
  const leaser = await issue('10m');
  srv.useToken(leaser.token);
  const lease = (await srv.api('GET', 'db/creds/owned?ttl=3600')).body;
  srv.useToken(srv.rootToken);
  const boxed = await issue('10m');
  srv.useToken(boxed.token);
  assert.equal((await srv.api('POST', 'cubbyhole/note', { v: 'x' })).status, 204);
  srv.useToken(srv.rootToken);
  const seen = watchBulk();

  clock.advance(11 * 60_000);
  await srv.core.unsealed.expiration.tick();

  // Only the three with something attached went the one-by-one way.
  assert.ok(seen.pages >= 1);
  assert.deepEqual(new Set(seen.full.map((i) => i.id)), new Set([parent.id, leaser.id, boxed.id]));
  for (const t of [...plain, parent, child, leaser, boxed]) {
    assert.equal(await lookupStatus(t), 403);
    assert.deepEqual(await stored(t), { entry: false, accessor: false, queued: false });
  }
  assert.ok(engine.state.revoked.includes(lease.data.username));
  const cubbyhole = srv.core.unsealed.mounts.get('mounts', 'cubbyhole/')!;
  assert.deepEqual(await srv.core.unsealed.mounts.viewOf(cubbyhole).list(`${boxed.id}/`), []);
  // The root token's children index no longer names them.
  const rootChildren = await srv.core.unsealed.tokens.children(srv.core.unsealed.tokens.hash(srv.rootToken));
  for (const t of [...plain, parent, leaser, boxed]) assert.ok(!rootChildren.includes(t.id));
});

test('a renewed token in a due page is left alone; the others go', async () => {
  const [kept, gone] = await Promise.all([issue('10m'), issue('10m')]);
  clock.advance(9 * 60_000);
  srv.useToken(kept.token);
  assert.equal((await srv.api('POST', 'auth/token/renew-self', { increment: '1h' })).status, 200);
  srv.useToken(srv.rootToken);
  clock.advance(2 * 60_000);
  await srv.core.unsealed.expiration.tick();
  assert.equal(await lookupStatus(gone), 403);
  assert.equal(await lookupStatus(kept), 200);
  assert.deepEqual(await stored(kept), { entry: true, accessor: true, queued: true });
});

test('a failed commit leaves every token of the page intact, and the next attempt revokes them all', async () => {
  const page = await Promise.all(Array.from({ length: 30 }, () => issue('10m')));
  clock.advance(11 * 60_000);
  injectCommitFailures(1);
  await assert.rejects(srv.core.unsealed.expiration.tick(), /commit/);
  for (const t of page) assert.deepEqual(await stored(t), { entry: true, accessor: true, queued: true });
  await srv.core.unsealed.expiration.tick();
  for (const t of page) {
    assert.equal(await lookupStatus(t), 403);
    assert.deepEqual(await stored(t), { entry: false, accessor: false, queued: false });
  }
});

test('a token queued before items named its accessor and parent is read and revoked like the others', async () => {
  const [legacy, current] = await Promise.all([issue('10m'), issue('10m')]);
  // Rewrites the legacy token's item under the key it had before items carried its index keys.
  const { expiration } = srv.core.unsealed;
  const item = (await earliest(expiration.storage, 10_000)).find((i) => i.kind === 'token' && i.id === legacy.id)!;
  assert.ok(item.accessor !== undefined);
  await expiration.storage.delete(item.key);
  await expiration.storage.put(queueKey({ at: item.at, kind: 'token', id: item.id }), Buffer.alloc(0));
  srv.core.unsealed.tokens.clearCache();
  clock.advance(11 * 60_000);
  await expiration.tick();
  for (const t of [legacy, current]) {
    assert.equal(await lookupStatus(t), 403);
    assert.deepEqual(await stored(t), { entry: false, accessor: false, queued: false });
  }
});

test('a token renewed after its page was listed survives the page', async () => {
  const [renewed, plain] = await Promise.all([issue('10m'), issue('10m')]);
  clock.advance(11 * 60_000);
  const { expiration } = srv.core.unsealed;
  const page = (await earliest(expiration.storage, 10_000)).filter((i) => i.id === renewed.id || i.id === plain.id);
  assert.equal(page.length, 2);
  // The renewal lands between the listing and the bulk revocation (expired tokens are renewed
  // here through the store, as a renewal that started before expiry would).
  await srv.core.unsealed.tokens.update(renewed.id, () => ({ expire_at: clock.now() + 3600_000 }));
  // Its lock is let go a moment after the update answers; a held lock would send it the full way.
  await new Promise((resolve) => setImmediate(resolve));
  const outcome = await expiration.bulkTokens!(page, () => {});
  assert.deepEqual(outcome.full, []);
  assert.equal(await lookupStatus(plain), 403);
  assert.equal(await lookupStatus(renewed), 200);
  assert.deepEqual(await stored(renewed), { entry: true, accessor: true, queued: true });
});
