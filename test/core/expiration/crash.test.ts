// A server killed (SIGKILL) in the middle of an expiry burst: every token is left either whole
// (entry, accessor index, queue item) or gone with all of them, none is usable, and the next
// pass after a restart revokes the rest, children of expired parents included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../../src/server/start.js';
import { earliest } from '../../../src/core/expiration/queue.js';
import type { Clock } from '../../../src/util/clock.js';
import type { CrashState } from '../../helpers/expiry-crash-child.js';

const child = fileURLToPath(new URL('../../helpers/expiry-crash-child.js', import.meta.url));

class JumpClock implements Clock {
  offset = 0;
  now(): number { return Date.now() + this.offset; }
}

/**
 * Starts the burst in a child process and kills it with SIGKILL once its first bulk transaction
 * is committed: of 20,000 tokens, 8,192 go per transaction, so more are on the way.
 */
async function killMidBurst(db: string, statePath: string): Promise<string> {
  const proc = spawn(process.execPath, [child, 'burst', db, statePath], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await new Promise<void>((resolve) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('committed')) {
        proc.kill('SIGKILL');
        resolve();
      }
    });
    proc.once('exit', () => resolve());
  });
  await exited;
  return out;
}

test('a burst killed with SIGKILL leaves no half-revoked token, and the restart finishes it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-expiry-crash-'));
  try {
    const db = join(dir, 'crash.db');
    const statePath = join(dir, 'state.json');
    const made = spawnSync(process.execPath, [child, 'populate', db, statePath, '20000'], { stdio: 'inherit' });
    assert.equal(made.status, 0);
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as CrashState;
    const out = await killMidBurst(db, statePath);
    assert.ok(out.includes('committed'), 'the burst had started');
    assert.ok(!out.includes('done'), 'killed before the burst was over');

    const clock = new JumpClock();
    const server = await startServer({ storage: { type: 'sqlite', path: db }, listener: { address: '127.0.0.1:0' }, logSink: () => {}, clock });
    try {
      // Unsealed before the tokens are due here, so nothing runs before the checks.
      await server.core.seal.unseal(Buffer.from(state.key, 'base64'));
      const { tokens, expiration } = server.core.unsealed;
      const { barrier } = server.core;
      const queued = new Set((await earliest(expiration.storage, 100_000)).map((item) => item.id));
      let whole = 0;
      for (const { token, accessor } of state.plain) {
        const id = tokens.hash(token);
        const parts = [
          (await barrier.get(`sys/token/id/${id}`)) !== undefined,
          (await barrier.get(`sys/token/accessor/${tokens.hash(accessor)}`)) !== undefined,
          queued.has(id),
        ];
        assert.ok(parts.every((p) => p === parts[0]), `a token left half-revoked (entry, accessor, queue item): ${parts}`);
        if (parts[0]) whole++;
      }
      // Killed mid-burst: some were revoked, some not yet.
      assert.ok(whole > 0 && whole < state.plain.length, `${whole} of ${state.plain.length} left`);

      clock.offset = 11 * 60_000;
      for (const { token } of state.plain.slice(0, 50)) assert.equal(await tokens.lookup(token), undefined);
      await expiration.tick();
      for (const { token, accessor } of state.plain) {
        const id = tokens.hash(token);
        assert.equal(await barrier.get(`sys/token/id/${id}`), undefined);
        assert.equal(await barrier.get(`sys/token/accessor/${tokens.hash(accessor)}`), undefined);
      }
      for (const { token, child: kid } of state.parents) {
        assert.equal(await barrier.get(`sys/token/id/${tokens.hash(token)}`), undefined);
        assert.equal(await barrier.get(`sys/token/id/${tokens.hash(kid)}`), undefined, 'the child of an expired parent is revoked');
      }
      assert.deepEqual(await earliest(expiration.storage, 10), []);
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
