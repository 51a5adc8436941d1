// Finding "renewals race with use counts": a renewal changes only the expiry fields, on a fresh
// read under the token's lock, so concurrent uses are never undone by a stale entry.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/server.js';

// SQLite: each write waits for its group commit, which opens the window a stale write needs.
const dir = mkdtempSync(join(tmpdir(), 'lockbox-renew-race-'));
let srv: TestServer;
before(async () => { srv = await startTestServer({ storage: { type: 'sqlite', path: join(dir, 'race.db') } }); });
after(async () => { await srv.close(); rmSync(dir, { recursive: true, force: true }); });

async function as(token: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${srv.url}/v1/${path}`, { method, headers: { 'X-Vault-Token': token }, body: body === undefined ? undefined : JSON.stringify(body) });
  await r.arrayBuffer();
  return r.status;
}

/** Sends waves of concurrent requests until a whole wave is refused; counts what was served. */
async function servedUses(wave: () => Array<Promise<number>>): Promise<number> {
  let served = 0;
  for (let i = 0; i < 20; i++) {
    const statuses = await Promise.all(wave());
    served += statuses.filter((s) => s === 200).length;
    if (statuses.every((s) => s === 403)) break;
  }
  return served;
}

test('renewals race with use counts: a num_uses=10 token serves exactly 10 requests under concurrent renew-self', async () => {
  const r = await srv.api('POST', 'auth/token/create', { policies: ['default'], num_uses: 10, ttl: '1h' });
  const token = r.body.auth.client_token as string;
  const served = await servedUses(() => Array.from({ length: 4 }, (_, i) =>
    i % 2 === 0 ? as(token, 'POST', 'auth/token/renew-self', {}) : as(token, 'GET', 'auth/token/lookup-self')));
  assert.equal(served, 10);
});

test('renewals race with use counts: renew by another token keeps the uses the holder spent meanwhile', async () => {
  const r = await srv.api('POST', 'auth/token/create', { policies: ['default'], num_uses: 6, ttl: '1h' });
  const token = r.body.auth.client_token as string;
  const served = await servedUses(() => [
    as(token, 'GET', 'auth/token/lookup-self'), as(token, 'GET', 'auth/token/lookup-self'),
    srv.api('POST', 'auth/token/renew', { token }).then(() => 403),
  ]);
  assert.equal(served, 6);
});
