// Vault's HTTP conventions on a real server: the envelope, token headers, LIST as a method
// (including the in-place rewrite of raw request lines) and body parsing. Errors: errors.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { rawConnect, rawRequest } from './raw.js';

const CANARY = 'canary-7d41c2'; // sent in request bodies; must never reach the log or an answer
let srv: TestServer;

before(async () => {
  srv = await startTestServer();
  await srv.api('POST', 'cubbyhole/lst/a', { v: '1' });
  await srv.api('POST', 'cubbyhole/lst/b/c', { v: '2' });
});
after(async () => {
  assert.ok(!srv.log().includes(CANARY), 'a request value reached the log');
  await srv.close();
});

/** Lets the server read what was written so far as its own TCP chunk. */
const settle = () => sleep(30);

test('a cubbyhole read answers in Vault\'s envelope', async () => {
  assert.equal((await srv.api('POST', 'cubbyhole/env', { a: CANARY })).status, 204);
  const r = await srv.api('GET', 'cubbyhole/env');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/json');
  for (const k of ['request_id', 'lease_id', 'renewable', 'lease_duration', 'data', 'wrap_info', 'warnings', 'auth']) {
    assert.ok(k in r.body, `envelope lacks ${k}`);
  }
  assert.match(r.body.request_id, /^[0-9a-f-]{36}$/);
  assert.deepEqual(
    [r.body.lease_id, r.body.renewable, r.body.lease_duration, r.body.data, r.body.wrap_info, r.body.warnings, r.body.auth],
    ['', false, 0, { a: CANARY }, null, null, null],
  );
});

test('the token is taken from X-Vault-Token or from Authorization: Bearer', async () => {
  await srv.api('POST', 'cubbyhole/tok', { v: 'x' });
  srv.useToken('');
  try {
    assert.equal((await srv.api('GET', 'cubbyhole/tok')).status, 403);
    const bearer = await srv.api('GET', 'cubbyhole/tok', undefined, { Authorization: `Bearer ${srv.rootToken}` });
    assert.deepEqual([bearer.status, bearer.body.data], [200, { v: 'x' }]);
    const basic = await srv.api('GET', 'cubbyhole/tok', undefined, { Authorization: `Basic ${srv.rootToken}` });
    assert.equal(basic.status, 403);
  } finally {
    srv.useToken(srv.rootToken);
  }
});

test('LIST (sent by fetch as a custom method) and GET ?list=true give the same answer', async () => {
  const viaMethod = await srv.api('LIST', 'cubbyhole/lst');
  const viaQuery = await srv.api('GET', 'cubbyhole/lst?list=true');
  const withSlash = await srv.api('LIST', 'cubbyhole/lst/');
  assert.equal(viaMethod.status, 200);
  const strip = (b: Record<string, unknown>) => ({ ...b, request_id: '' });
  assert.deepEqual(strip(viaMethod.body), strip(viaQuery.body));
  assert.deepEqual(strip(viaMethod.body), strip(withSlash.body));
  assert.deepEqual(viaMethod.body.data, { keys: ['a', 'b/'] });
  assert.equal(viaMethod.body.warnings, null);
  // Go's strconv.ParseBool, as Vault uses: `1` and `True` list too, `list=false` reads.
  assert.deepEqual((await srv.api('GET', 'cubbyhole/lst?list=1')).body.data, { keys: ['a', 'b/'] });
  assert.equal((await srv.api('GET', 'cubbyhole/lst?list=false')).status, 404);
  assert.equal((await srv.api('GET', 'cubbyhole/lst?list=maybe')).status, 400);
  // Listing something empty is Vault's 404 with an empty errors list.
  assert.deepEqual(await srv.api('LIST', 'cubbyhole/none').then((r) => [r.status, r.body]), [404, { errors: [] }]);
});

test('a raw LIST request line split across TCP writes, at every byte, is understood', async () => {
  const conn = await rawConnect(srv.url);
  try {
    const req = rawRequest('LIST', '/v1/cubbyhole/lst', { token: srv.rootToken });
    for (let cut = 1; cut <= 6; cut++) {
      await conn.write(req.slice(0, cut));
      await settle();
      await conn.write(req.slice(cut));
      const r = await conn.response();
      assert.equal(r.status, 200, `split after ${cut} bytes`);
      assert.deepEqual(JSON.parse(r.body).data, { keys: ['a', 'b/'] });
    }
  } finally {
    conn.close();
  }
});

test('one keep-alive connection serves GET, LIST, GET in turn', async () => {
  const conn = await rawConnect(srv.url);
  try {
    const token = srv.rootToken;
    await conn.write(rawRequest('GET', '/v1/cubbyhole/lst/a', { token }));
    assert.deepEqual(JSON.parse((await conn.response()).body).data, { v: '1' });
    await conn.write(rawRequest('LIST', '/v1/cubbyhole/lst', { token }));
    assert.deepEqual(JSON.parse((await conn.response()).body).data, { keys: ['a', 'b/'] });
    await conn.write(rawRequest('GET', '/v1/cubbyhole/lst/b/c', { token }));
    assert.deepEqual(JSON.parse((await conn.response()).body).data, { v: '2' });
  } finally {
    conn.close();
  }
});

// Documented consequence of the rewrite: LOCK is what the parser reports for a rewritten
// LIST, so a raw LOCK request is served as a list. Vault never uses LOCK.
test('a raw LOCK request is treated as LIST', async () => {
  const r = await srv.api('LOCK', 'cubbyhole/lst');
  assert.deepEqual([r.status, r.body.data], [200, { keys: ['a', 'b/'] }]);
});

test('body bytes that read "LIST " are never rewritten', async () => {
  const conn = await rawConnect(srv.url);
  try {
    const body = `{"v":"LIST ${CANARY}"}`;
    const head = rawRequest('POST', '/v1/cubbyhole/body', { token: srv.rootToken, body });
    const cut = head.indexOf('LIST ');
    await conn.write(head.slice(0, cut));
    await settle();
    await conn.write(head.slice(cut)); // this TCP chunk starts with "LIST "
    assert.equal((await conn.response()).status, 204);
  } finally {
    conn.close();
  }
  assert.deepEqual((await srv.api('GET', 'cubbyhole/body')).body.data, { v: `LIST ${CANARY}` });
});

test('an answer sent before its request body arrived does not make the body a request boundary', async () => {
  for (const early of ['POST /v2/x', 'MKCOL /v1/cubbyhole/x']) {
    const conn = await rawConnect(srv.url);
    try {
      const [method, path] = early.split(' ') as [string, string];
      const body = 'LIST /v1/cubbyhole/lst HTTP/1.1\r\n\r\n';
      const request = rawRequest(method, path, { body });
      await conn.write(request.slice(0, request.length - body.length));
      const answer = await conn.response(); // 404 or 405, before any of the body was sent
      assert.ok(answer.status === 404 || answer.status === 405, `${early}: ${answer.status}`);
      await conn.write(body);
      await settle();
      await conn.write(rawRequest('LIST', '/v1/cubbyhole/lst', { token: srv.rootToken }));
      const list = await conn.response();
      assert.deepEqual([list.status, JSON.parse(list.body).data], [200, { keys: ['a', 'b/'] }], early);
    } finally {
      conn.close();
    }
  }
});

test('a body without Content-Type is parsed as JSON', async () => {
  const conn = await rawConnect(srv.url);
  try {
    await conn.write(rawRequest('PUT', '/v1/cubbyhole/untyped', { token: srv.rootToken, body: '{"v":"plain"}' }));
    assert.equal((await conn.response()).status, 204);
  } finally {
    conn.close();
  }
  // fetch with a Uint8Array body sends no Content-Type either.
  const res = await fetch(`${srv.url}/v1/cubbyhole/untyped2`, {
    method: 'POST', headers: { 'X-Vault-Token': srv.rootToken }, body: new TextEncoder().encode('{"v":"bytes"}'),
  });
  assert.equal(res.status, 204);
  assert.deepEqual((await srv.api('GET', 'cubbyhole/untyped')).body.data, { v: 'plain' });
  assert.deepEqual((await srv.api('GET', 'cubbyhole/untyped2')).body.data, { v: 'bytes' });
});

test('an empty body and a literal null body both mean "no data"', async () => {
  assert.equal((await srv.api('PUT', 'sys/rotate')).status, 204);
  assert.equal((await srv.api('PUT', 'sys/rotate', 'null')).status, 204);
  const unseal = await srv.api('PUT', 'sys/unseal', 'null');
  assert.equal(unseal.status, 400);
  assert.match(unseal.body.errors[0], /'key' must be specified/);
});

test('pipelined requests are served in order, a LIST among them too', async () => {
  const token = srv.rootToken;
  const conn = await rawConnect(srv.url);
  try {
    await conn.write(rawRequest('GET', '/v1/cubbyhole/lst/a', { token }) + rawRequest('GET', '/v1/cubbyhole/lst/b/c', { token }) + rawRequest('LIST', '/v1/cubbyhole/lst', { token }));
    assert.deepEqual(JSON.parse((await conn.response()).body).data, { v: '1' });
    assert.deepEqual(JSON.parse((await conn.response()).body).data, { v: '2' });
    const list = await conn.response();
    assert.equal(list.status, 200);
    assert.ok(JSON.parse(list.body).data.keys.includes('a'));
  } finally {
    conn.close();
  }
});
