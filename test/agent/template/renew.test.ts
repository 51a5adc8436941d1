// A renewable lease in a template: renewed through sys/leases/renew on the lifetime watcher's
// schedule while the rendered file stays the same; a new secret is fetched and rendered
// before the old one ends (max TTL near, or a renewal failed). A fake server on a manual clock.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, type Json, type JsonRequest, type RawRequest, type RawResponse, type Transport } from '../../../src/agent/http.js';
import { createLogger } from '../../../src/agent/log.js';
import { ManualScheduler } from '../../../src/agent/schedule.js';
import { compileTemplates, TemplateRunner } from '../../../src/agent/template/runner.js';
import { FileOutput } from '../../../src/agent/template/files.js';
import type { Template } from '../../../src/agent/config/types.js';

const dir = mkdtempSync(join(tmpdir(), 'agent-renew-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const spec = (destination: string, contents: string): Template => ({
  contents, destination, createDestDirs: false, backup: false, commands: [], commandTimeoutMs: 30_000, errorOnMissingKey: false,
  leftDelimiter: '', rightDelimiter: '', functionDenylist: [], waitMinMs: 0, waitMaxMs: 0,
});

/** database/creds/app with a TTL and max TTL (s), renewals capped as the server caps them. */
function fakeServer(s: ManualScheduler, ttl: number, maxTtl: number, failRenewals = false) {
  const calls: string[] = [];
  const leases = new Map<string, number>(); // lease id -> max expiry
  let n = 0;
  const answer = (status: number, body: unknown): RawResponse => ({ status, headers: {}, body: Buffer.from(JSON.stringify(body)) });
  const t: Transport = {
    address: 'http://fake',
    async raw(req: RawRequest): Promise<RawResponse> {
      calls.push(`${req.method} ${req.path}`);
      if (req.path.startsWith('/v1/sys/internal/ui/mounts/')) return answer(404, { errors: [] });
      if (req.path === '/v1/database/creds/app') {
        n++;
        const id = `database/creds/app/lease${n}`;
        leases.set(id, s.now() + maxTtl * 1000);
        return answer(200, { request_id: `r${n}`, lease_id: id, lease_duration: ttl, renewable: true, data: { username: `user${n}`, password: 'pw' } });
      }
      return answer(404, { errors: [] });
    },
    async json(method: string, path: string, req: JsonRequest = {}): Promise<Json | undefined> {
      calls.push(`${method} ${path} ${JSON.stringify(req.body)}`);
      if (path === 'sys/leases/renew') {
        if (failRenewals) throw new ApiError(method, `http://fake/v1/${path}`, 400, ['lease not found'], '');
        const body = req.body as { lease_id: string; increment: number };
        const max = leases.get(body.lease_id) ?? 0;
        const left = Math.floor((max - s.now()) / 1000);
        return { lease_id: body.lease_id, renewable: true, lease_duration: Math.min(ttl, left) };
      }
      return undefined;
    },
  };
  return { t, calls };
}

/** Waits (real time) until the run loop and the lease's watcher both sleep: file writes are real I/O. */
async function idle(s: ManualScheduler): Promise<void> {
  const deadline = Date.now() + 5000;
  while (s.waiting < 2) {
    if (Date.now() > deadline) throw new Error(`only ${s.waiting} sleeping`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function runFor(s: ManualScheduler, ms: number, step = 100): Promise<void> {
  for (let at = 0; at < ms; at += step) {
    await idle(s);
    await s.advance(step);
  }
  await idle(s);
}

/** A runner rendering the username of database/creds/app from a fake server, running. */
function start(file: string, ttl: number, maxTtl: number, failRenewals = false) {
  const s = new ManualScheduler(Date.UTC(2026, 0, 1), () => 0.5);
  const { t, calls } = fakeServer(s, ttl, maxTtl, failRenewals);
  const dest = join(dir, file);
  const lines: string[] = [];
  const templates = compileTemplates([spec(dest, '{{ with secret "database/creds/app" }}{{ .Data.username }}{{ end }}')]);
  const runner = new TemplateRunner({
    templates, output: new FileOutput(templates, createLogger('error', () => undefined)),
    transport: t, scheduler: s, log: createLogger('debug', (l) => lines.push(l)), env: {},
  });
  runner.setToken('tok');
  const ac = new AbortController();
  void runner.run(ac.signal, () => assert.fail('fatal'));
  return { s, calls, dest, ac, lines };
}

test('a renewable lease is renewed with increment 0 (same username), then replaced before its max TTL', async () => {
  const { s, calls, dest, ac } = start('db.txt', 4, 15);
  const started = s.now();
  await runFor(s, 1000);
  assert.equal(readFileSync(dest, 'utf8'), 'user1');
  const renewals: number[] = [];
  let replacedAt = 0;
  for (let i = 0; i < 160 && replacedAt === 0; i++) {
    const before = calls.filter((c) => c.startsWith('PUT sys/leases/renew')).length;
    await runFor(s, 100);
    if (calls.filter((c) => c.startsWith('PUT sys/leases/renew')).length > before) renewals.push(s.now() - started);
    if (readFileSync(dest, 'utf8') === 'user2') replacedAt = s.now() - started;
  }
  ac.abort();
  assert.ok(renewals.length >= 3, `renewals at ${renewals.join(', ')}`);
  // 4 s leases: renewed at 70–73 % of them (2.8–2.9 s apart).
  assert.ok(renewals[0]! >= 2800 && renewals[0]! <= 3000, `first renewal at ${renewals[0]}`);
  assert.ok(calls.some((c) => c === 'PUT sys/leases/renew {"lease_id":"database/creds/app/lease1","increment":0}'), calls.join('\n'));
  assert.ok(replacedAt > 10_000 && replacedAt < 15_000, `replaced at ${replacedAt}\n${calls.join('\n')}`);
  assert.equal(calls.filter((c) => c === 'GET /v1/database/creds/app').length, 2);
});

test('a failed renewal fetches a new secret at once', async () => {
  const { s, calls, dest, ac, lines } = start('db2.txt', 30, 300, true);
  await runFor(s, 1000);
  assert.equal(readFileSync(dest, 'utf8'), 'user1');
  await runFor(s, 20_000, 500); // first renewal at 21.5 s
  assert.equal(readFileSync(dest, 'utf8'), 'user1');
  await runFor(s, 2000);
  ac.abort();
  assert.equal(readFileSync(dest, 'utf8'), 'user2', calls.join('\n'));
  assert.match(lines.join(''), /failed to renew lease path=database\/creds\/app/);
  assert.match(lines.join(''), /lease renewal done, fetching a new secret path=database\/creds\/app reason=failed/);
});
