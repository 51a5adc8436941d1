// SIGKILL at random moments while a ≈2 MB template is rendered again and again: every read of
// the destination is a whole version (its SHA-256 line verifies), and no temp file survives the
// next start. 20 kills here; bench/agent-kill.ts does 100.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { killLoop } from '../kill-loop.js';

let srv: TestServer;
let dir: string;

before(async () => {
  srv = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'agent-kill-'));
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('kill -9 during renders: reads are always whole, old or new; temp files are removed at the next start', async () => {
  const r = await killLoop({ srv, dir, kills: 20, bytes: 2 * 1024 * 1024 });
  assert.deepEqual(r.bad, [], JSON.stringify(r));
  assert.ok(r.reads > 100, `only ${r.reads} reads`);
  assert.ok(r.versionsSeen >= 4, `only ${r.versionsSeen} versions rendered of ${r.versionsWritten}`);
});
