// The real CLI, restarted over one SQLite file: a clean stop, a crash right after an
// acknowledged write, and a tampered ciphertext. The server is initialised (5 shares,
// threshold 3) once over HTTP; each test writes its own values, and each restart unseals
// with a different 3-subset of the shares.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { call, freePort, spawnServer, unseal, writeConfig, type ServerProcess } from './process.js';

const SECRET = 'restart-canary-3b9e0f';
const DURABLE = 'durable-canary-c81a44';
const TAMPERED = 'tampered-canary-5e70d2';
let dir = '';
let config = '';
let db = '';
let keys: string[] = [];
let root = '';
const logs: string[] = []; // everything every server process printed

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lockbox-restart-'));
  config = join(dir, 'lockbox.hcl');
  db = join(dir, 'data', 'lockbox.db');
  writeConfig(config, { db, port: await freePort() });
  const server = await start();
  try {
    const init = await call(server.url, 'PUT', 'sys/init', { body: { secret_shares: 5, secret_threshold: 3 } });
    assert.equal(init.status, 200);
    assert.equal(init.body.keys.length, 5);
    keys = init.body.keys;
    root = init.body.root_token;
  } finally {
    assert.equal(await server.stop('SIGTERM'), 0);
  }
});
after(() => {
  const all = logs.join('\n');
  for (const secret of [SECRET, DURABLE, TAMPERED, root, ...keys]) {
    assert.ok(secret && !all.includes(secret), 'a secret reached the server output');
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the server; its output joins `logs` once it has exited. */
async function start(): Promise<ServerProcess> {
  const server = await spawnServer(config);
  void server.exited.then(() => logs.push(server.stdout(), server.stderr()));
  return server;
}

async function read(server: ServerProcess, path: string) {
  return call(server.url, 'GET', `cubbyhole/${path}`, { token: root });
}

/** Submits three shares, by index; the server must end up unsealed. */
async function unsealWith(server: ServerProcess, ...which: number[]): Promise<void> {
  assert.equal((await unseal(server.url, which.map((i) => keys[i] as string))).sealed, false);
}

async function write(server: ServerProcess, path: string, value: string): Promise<void> {
  assert.equal((await call(server.url, 'PUT', `cubbyhole/${path}`, { token: root, body: { value } })).status, 204);
}

test('write, SIGTERM (exit 0, storage closed), restart, unseal with other shares, read back', async () => {
  const first = await start();
  try {
    await unsealWith(first, 0, 1, 2);
    await write(first, 'restart', SECRET);
  } finally {
    assert.equal(await first.stop('SIGTERM'), 0, first.stderr());
  }
  assert.match(first.stdout(), /shutdown triggered/);
  // SQLite checkpoints and removes the WAL when its last connection closes cleanly.
  assert.ok(!existsSync(`${db}-wal`), 'the WAL is still there: storage was not closed');

  const second = await start();
  try {
    assert.equal((await call(second.url, 'GET', 'sys/seal-status')).body.sealed, true);
    assert.equal((await read(second, 'restart')).status, 503);
    await unsealWith(second, 4, 1, 3);
    const r = await read(second, 'restart');
    assert.deepEqual([r.status, r.body.data], [200, { value: SECRET }]);
  } finally {
    assert.equal(await second.stop('SIGTERM'), 0, second.stderr());
  }
});

test('kill -9 right after an acknowledged write loses nothing', async () => {
  const server = await start();
  await unsealWith(server, 0, 2, 4);
  await write(server, 'durable', DURABLE);
  assert.equal(await server.stop('SIGKILL'), 'SIGKILL');
  // The write is only in the WAL (no clean close checkpointed it): recovery must replay it.
  assert.ok(existsSync(`${db}-wal`));

  const again = await start();
  try {
    await unsealWith(again, 3, 0, 1);
    const r = await read(again, 'durable');
    assert.deepEqual([r.status, r.body.data], [200, { value: DURABLE }]);
  } finally {
    assert.equal(await again.stop('SIGTERM'), 0);
  }
});

test('a flipped byte in one stored ciphertext fails that read with a bare 500; others still work', async () => {
  const writer = await start();
  try {
    await unsealWith(writer, 1, 2, 3);
    await write(writer, 'tampered', TAMPERED);
    await write(writer, 'intact', 'fine');
  } finally {
    assert.equal(await writer.stop('SIGTERM'), 0);
  }
  const sqlite = new Database(db);
  try {
    const rows = sqlite.prepare("SELECT key, value FROM entries WHERE key LIKE '%/tampered'").all() as Array<{ key: string; value: Buffer }>;
    assert.equal(rows.length, 1, 'exactly one stored entry for cubbyhole/tampered');
    const { key, value } = rows[0] as { key: string; value: Buffer };
    assert.ok(!value.includes(TAMPERED), 'the value is stored in clear');
    const middle = Math.floor(value.length / 2);
    value.writeUInt8(value.readUInt8(middle) ^ 0x01, middle);
    sqlite.prepare('UPDATE entries SET value = ? WHERE key = ?').run(value, key);
  } finally {
    sqlite.close();
  }

  const server = await start();
  try {
    await unsealWith(server, 2, 3, 4);
    const broken = await read(server, 'tampered');
    assert.deepEqual([broken.status, broken.body], [500, { errors: ['internal error'] }]);
    assert.deepEqual((await read(server, 'intact')).body.data, { value: 'fine' });
    assert.equal((await read(server, 'tampered')).status, 500, 'the failure is not cached as something else');
  } finally {
    assert.equal(await server.stop('SIGTERM'), 0);
  }
  // The log names the failure by request and error id, not by content.
  assert.match(server.stderr(), /\[ERROR\] request failed .*request_id="[0-9a-f-]{36}".*error_id="[0-9a-f-]{36}"/);
  assert.match(server.stderr(), /DecryptFailed/);
});

test('kill -9 under 32 concurrent writers (16 on distinct keys, 16 on one hot KV v2 key) loses no acknowledged write', async () => {
  const server = await start();
  await unsealWith(server, 1, 2, 3);
  assert.equal((await call(server.url, 'POST', 'sys/mounts/crash', { token: root, body: { type: 'kv-v2' } })).status, 204);
  // What the server acknowledged before it died: distinct keys by path, hot-key versions by number.
  const distinct = new Map<string, string>();
  const hotVersions = new Map<number, string>();
  let stopping = false;
  const writer = async (i: number) => {
    for (let n = 0; !stopping; n++) {
      const value = `w${i}-${n}`;
      try {
        if (i < 16) {
          const r = await call(server.url, 'POST', `crash/data/distinct/${value}`, { token: root, body: { data: { value } } });
          if (r.status === 200) distinct.set(value, value);
        } else {
          const r = await call(server.url, 'POST', 'crash/data/hot', { token: root, body: { data: { value } } });
          if (r.status === 200) hotVersions.set(r.body.data.version as number, value);
        }
      } catch {
        return; // the connection died with the server: that write was never acknowledged
      }
    }
  };
  const writers = Array.from({ length: 32 }, (_, i) => writer(i));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(await server.stop('SIGKILL'), 'SIGKILL');
  stopping = true;
  await Promise.all(writers);
  assert.ok(distinct.size > 0 && hotVersions.size > 0, 'the writers wrote nothing before the kill');

  const again = await start();
  try {
    await unsealWith(again, 0, 3, 4);
    for (const [path, value] of distinct) {
      const r = await call(again.url, 'GET', `crash/data/distinct/${path}`, { token: root });
      assert.deepEqual([r.status, r.body?.data?.data], [200, { value }], `acknowledged write ${path} was lost`);
    }
    const newest = Math.max(...hotVersions.keys());
    const meta = await call(again.url, 'GET', 'crash/metadata/hot', { token: root });
    assert.ok(meta.body.data.current_version >= newest, 'the hot key went back past an acknowledged version');
    for (const [version, value] of hotVersions) {
      // KV v2 keeps the newest 10 versions by default; older ones were pruned by later writes.
      if (version <= meta.body.data.current_version - 10) continue;
      const r = await call(again.url, 'GET', `crash/data/hot?version=${version}`, { token: root });
      assert.deepEqual([r.status, r.body?.data?.data], [200, { value }], `acknowledged version ${version} was lost`);
    }
  } finally {
    assert.equal(await again.stop('SIGTERM'), 0);
  }
});
