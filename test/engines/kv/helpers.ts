// Shared set-up for the KV tests: a server with a KV mount, and the canary that must never
// reach the server's log.
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/util/clock.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/** Written as secret data in every suite; the server log must never contain it. */
export const CANARY = 'canary-kv-5e0c2f9b';

/** The Content-Type a KV PATCH must carry. */
export const MERGE_PATCH = { 'Content-Type': 'application/merge-patch+json' };

/** Mounts a KV engine of `version` at `path` over HTTP, as a user would. */
export async function mountKv(srv: TestServer, path: string, version: '1' | '2'): Promise<void> {
  // The dev server mounts secret/ as kv-v2; each suite starts from its own empty mount.
  await srv.api('DELETE', `sys/mounts/${path}`);
  const res = await srv.api('POST', `sys/mounts/${path}`, { type: 'kv', options: { version } });
  assert.equal(res.status, 204, JSON.stringify(res.body));
}

/** A server on a manual clock with a KV mount at `path`. */
export async function startKvServer(version: '1' | '2', path = 'secret') {
  const clock = new ManualClock();
  const srv = await startTestServer({ clock });
  await mountKv(srv, path, version);
  return { srv, clock };
}

/** Closes the server after checking the canary never reached its log. */
export async function closeKvServer(srv: TestServer): Promise<void> {
  assert.ok(!srv.log().includes(CANARY), 'a secret value reached the log');
  await srv.close();
}
