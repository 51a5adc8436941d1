// How the HTTP layer fails: Vault's JSON error shape and status for every refusal, and no
// detail (nor any request value) in an internal error's answer or log line.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/server/start.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { rawConnect, rawRequest } from './raw.js';

const CANARY = 'canary-e20b57'; // sent in request bodies; must never reach the log or an answer
let srv: TestServer;

before(async () => {
  srv = await startTestServer();
});
after(async () => {
  assert.ok(!srv.log().includes(CANARY), 'a request value reached the log');
  await srv.close();
});

test('malformed JSON is a 400 in Vault\'s error shape that does not quote the body', async () => {
  const r = await srv.api('POST', 'cubbyhole/bad', `{"v": "${CANARY}", oops`);
  assert.equal(r.status, 400);
  assert.equal(r.body.errors.length, 1);
  assert.match(r.body.errors[0], /failed to parse JSON input/);
  assert.ok(!JSON.stringify(r.body).includes(CANARY));
  for (const notObject of ['[1,2]', '"text"', '42']) {
    assert.equal((await srv.api('POST', 'cubbyhole/bad', notObject)).status, 400, notObject);
  }
});

test('an unknown path is 404, an undeclared operation 405, both as JSON', async () => {
  const unknown = await srv.api('GET', 'nosuchmount/x');
  assert.equal(unknown.status, 404);
  assert.ok(Array.isArray(unknown.body.errors));
  const patch = await srv.api('PATCH', 'sys/seal-status', {}, { 'Content-Type': 'application/merge-patch+json' });
  assert.deepEqual([patch.status, patch.body], [405, { errors: ['unsupported operation'] }]);
  const options = await srv.api('OPTIONS', 'sys/seal-status');
  assert.equal(options.status, 405);
});

test('requests outside /v1/ are 404 with a JSON body', async () => {
  for (const path of ['/', '/v2/x', '/v1', '/ui/']) {
    const res = await fetch(`${srv.url}${path}`);
    assert.equal(res.status, 404, path);
    assert.equal(res.headers.get('content-type'), 'application/json', path);
    assert.deepEqual(await res.json(), { errors: [] }, path);
  }
});

test('a malformed percent-encoding is a 400, not an internal error', async () => {
  const r = await srv.api('GET', 'cubbyhole/%zz');
  assert.equal(r.status, 400);
  assert.equal(r.body.errors.length, 1);
});

test('a path that climbs with .. (plain, %2e%2e or behind %2F) is refused before the ACL sees it', async () => {
  await srv.api('PUT', 'sys/policies/acl/secret-only', { policy: 'path "secret/*" { capabilities = ["read"] }' });
  const token = (await srv.api('POST', 'auth/token/create', { policies: ['secret-only'] })).body.auth.client_token;
  for (const path of ['secret/../sys/mounts', 'secret/%2e%2e/sys/mounts', 'secret%2F..%2Fsys%2Fmounts']) {
    // Raw bytes: fetch would resolve the dot segments before sending.
    const conn = await rawConnect(srv.url);
    try {
      await conn.write(rawRequest('GET', `/v1/${path}`, { token }));
      const r = await conn.response();
      assert.equal(r.status, 400, path);
      assert.match(r.body, /relative paths are not supported/, path);
    } finally {
      conn.close();
    }
  }
});

test('an unexpected error answers "internal error" and logs its id, never its text', async () => {
  const other = await startTestServer();
  try {
    other.core.handle = async () => { throw new Error(`driver said: ${CANARY}`); };
    const r = await other.api('GET', 'cubbyhole/x');
    assert.deepEqual([r.status, r.body], [500, { errors: ['internal error'] }]);
    assert.ok(!other.log().includes(CANARY), 'the error text reached the log');
    assert.match(other.log(), /request failed .*error_id="[0-9a-f-]{36}"/);
  } finally {
    await other.close();
  }
});

test('a body over the listener\'s max_request_size is 413, by Content-Length or as it streams', async () => {
  const small = await startServer({
    dev: true, storage: { type: 'memory' }, logSink: () => {},
    listener: { address: '127.0.0.1:0', maxRequestSize: 1024 },
  });
  const put = (body: BodyInit, extra: RequestInit = {}) => fetch(`${small.url}/v1/cubbyhole/big`, {
    method: 'PUT', headers: { 'X-Vault-Token': small.rootToken }, body, ...extra,
  });
  try {
    const fits = JSON.stringify({ v: 'x'.repeat(1000) });
    assert.equal((await put(fits)).status, 204);
    const declared = await put(JSON.stringify({ v: 'x'.repeat(5000) }));
    assert.deepEqual([declared.status, await declared.json()], [413, { errors: ['http: request body too large'] }]);
    // A stream has no Content-Length: the limit is enforced as the chunks arrive.
    const chunks = [Buffer.from('{"v":"'), Buffer.alloc(3000, 'y'), Buffer.from('"}')];
    const stream = new ReadableStream({ pull(c) { const next = chunks.shift(); if (next) c.enqueue(next); else c.close(); } });
    const streamed = await put(stream, { duplex: 'half' } as RequestInit);
    assert.equal(streamed.status, 413);
    const kept = await fetch(`${small.url}/v1/cubbyhole/big`, { headers: { 'X-Vault-Token': small.rootToken } });
    assert.equal((await kept.json()).data.v, 'x'.repeat(1000), 'a refused write changed nothing');
    // The connection that carried a refused body still serves the next request.
    const conn = await rawConnect(small.url);
    try {
      await conn.write(rawRequest('PUT', '/v1/cubbyhole/big', { token: small.rootToken, body: 'z'.repeat(4096) }));
      assert.equal((await conn.response()).status, 413);
      await conn.write(rawRequest('LIST', '/v1/cubbyhole/', { token: small.rootToken }));
      assert.deepEqual(JSON.parse((await conn.response()).body).data, { keys: ['big'] });
    } finally {
      conn.close();
    }
  } finally {
    await small.close();
  }
});

test('a request Node\'s parser refuses gets a JSON 400 (or 431), and the connection closes', async () => {
  for (const [request, status] of [
    [`BREW /v1/sys/health HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${CANARY}\r\n\r\n`, 400],
    [`GET /v1/sys/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, 431],
  ] as const) {
    const conn = await rawConnect(srv.url);
    try {
      await conn.write(request);
      const r = await conn.response();
      assert.equal(r.status, status);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(JSON.parse(r.body).errors.length, 1);
      assert.ok(!r.body.includes(CANARY));
      await conn.closed;
    } finally {
      conn.close();
    }
  }
});

test('a status code Node cannot send (sys/health?activecode=1000) is a 400, not a crash', async () => {
  const r = await srv.api('GET', 'sys/health?activecode=1000');
  assert.equal(r.status, 400);
  assert.match(r.body.errors[0], /invalid status code 1000/);
  assert.equal((await srv.api('GET', 'sys/health')).status, 200);
});
