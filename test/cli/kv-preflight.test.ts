// How kv commands pick the API path: they ask sys/internal/ui/mounts/<path> for the mount and
// its version, and fall back to v1 paths when the server answers 404 or 403. A stand-in HTTP
// server records what the CLI sends, so this runs whatever the real server implements.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cliFor, type Cli } from './helpers.js';

type Seen = { method: string; url: string; token: string | undefined; body: string };
let seen: Seen[] = [];
let probe: { status: number; body: unknown } = { status: 404, body: { errors: [] } };
let server: http.Server;
let cli: Cli;

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', token: req.headers['x-vault-token'] as string | undefined, body });
      if (req.url?.startsWith('/v1/sys/internal/ui/mounts/')) {
        res.writeHead(probe.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(probe.body));
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cli = cliFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'tok-123');
});
after(async () => {
  cli.cleanup();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

for (const status of [404, 403]) {
  test(`a ${status} from the mount probe means kv v1: the path is used as written`, async () => {
    seen = [];
    probe = { status, body: { errors: status === 403 ? ['permission denied'] : [] } };
    const r = await cli.run(['kv', 'put', 'secret/app', 'a=1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Success! Data written to: secret/app\n');
    assert.deepEqual(seen.map((s) => `${s.method} ${s.url}`), ['GET /v1/sys/internal/ui/mounts/secret/app', 'PUT /v1/secret/app']);
    assert.deepEqual(JSON.parse(seen[1]?.body ?? ''), { a: '1' });
    assert.ok(seen.every((s) => s.token === 'tok-123'));
  });
}

test('a v2 answer puts data under <mount>/data/ and wraps it with options', async () => {
  seen = [];
  probe = { status: 200, body: { data: { path: 'team/kv/', type: 'kv', options: { version: '2' } } } };
  const r = await cli.run(['kv', 'put', '-cas=4', 'team/kv/app/db', 'a=1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(seen[1]?.url, '/v1/team/kv/data/app/db');
  assert.deepEqual(JSON.parse(seen[1]?.body ?? ''), { data: { a: '1' }, options: { cas: 4 } });
  seen = [];
  assert.equal((await cli.run(['kv', 'delete', '-versions=1,2', '-mount=team/kv', 'app/db'])).code, 0);
  assert.equal(seen[0]?.url, '/v1/sys/internal/ui/mounts/team/kv');
  assert.deepEqual([seen[1]?.method, seen[1]?.url, JSON.parse(seen[1]?.body ?? '')], ['POST', '/v1/team/kv/delete/app/db', { versions: [1, 2] }]);
});
