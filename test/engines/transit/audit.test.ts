// With a file audit device on, transit requests and responses are logged with plaintexts,
// ciphertexts and inputs HMAC'd: the canary never appears in the audit file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestServer } from '../../helpers/server.js';
import { CANARY, CANARY_B64, closeTransitServer, ok, startTransitServer } from './helpers.js';

let srv: TestServer;
let dir: string;
before(async () => {
  srv = await startTransitServer();
  dir = mkdtempSync(join(tmpdir(), 'lockbox-transit-audit-'));
  assert.equal((await srv.api('PUT', 'sys/audit/file', { type: 'file', options: { file_path: join(dir, 'audit.log') } })).status, 204);
});
after(async () => {
  await closeTransitServer(srv);
  rmSync(dir, { recursive: true, force: true });
});

test('plaintexts, data keys and HMAC inputs reach the audit log only as HMACs', async () => {
  await ok(srv, 'transit/keys/audited');
  const ct = (await ok(srv, 'transit/encrypt/audited', { plaintext: CANARY_B64 })).data.ciphertext;
  await ok(srv, 'transit/decrypt/audited', { ciphertext: ct });
  await ok(srv, 'transit/hmac/audited', { input: CANARY_B64 });
  await ok(srv, 'transit/encrypt/audited', { batch_input: [{ plaintext: CANARY_B64 }] });
  const dk = (await ok(srv, 'transit/datakey/plaintext/audited')).data.plaintext;
  const log = readFileSync(join(dir, 'audit.log'), 'utf8');
  assert.ok(log.includes('transit/encrypt/audited'), 'the requests were audited');
  for (const secret of [CANARY, CANARY_B64, dk]) assert.ok(!log.includes(secret), 'a secret reached the audit log');
});
