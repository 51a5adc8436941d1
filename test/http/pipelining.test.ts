// Finding "a pipelined LIST discards earlier answers whose requests ran": LIST is rewritten at
// every request boundary of a pipelined stream, bodies and chunked bodies included. (Node runs
// pipelined requests concurrently and answers them in order, so the lists below look for the
// key written beforehand, not for the one written in the same stream.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { rawConnect, rawRequest } from './raw.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
  assert.equal((await srv.api('POST', 'cubbyhole/pipe/a', { v: '0' })).status, 204);
});
after(() => srv.close());

const keysOf = (body: string): string[] => JSON.parse(body).data.keys;

test('pipelined LIST: POST then LIST in one packet answers both, in order', async () => {
  const conn = await rawConnect(srv.url);
  try {
    const token = srv.rootToken;
    await conn.write(rawRequest('POST', '/v1/cubbyhole/pipe/b', { token, body: '{"v":"1"}' }) + rawRequest('LIST', '/v1/cubbyhole/pipe', { token }));
    assert.equal((await conn.response()).status, 204);
    const list = await conn.response();
    assert.equal(list.status, 200);
    assert.ok(keysOf(list.body).includes('a'));
  } finally {
    conn.close();
  }
});

test('pipelined LIST: after a chunked body, and split across writes, every LIST is rewritten', async () => {
  const conn = await rawConnect(srv.url);
  try {
    const token = srv.rootToken;
    const chunked = ['POST /v1/cubbyhole/pipe/c HTTP/1.1', 'Host: localhost', `X-Vault-Token: ${token}`, 'Transfer-Encoding: chunked', '', '4', '{"v"', '5', ':"2"}', '0', '', ''].join('\r\n');
    const list = rawRequest('LIST', '/v1/cubbyhole/pipe', { token });
    await conn.write(chunked + list.slice(0, 2));
    await conn.write(list.slice(2) + list);
    assert.equal((await conn.response()).status, 204);
    for (let i = 0; i < 2; i++) {
      const r = await conn.response();
      assert.equal(r.status, 200);
      assert.ok(keysOf(r.body).includes('a'));
    }
  } finally {
    conn.close();
  }
});

test('pipelined LIST: body bytes that start a TCP chunk with "LIST " are never rewritten', async () => {
  const conn = await rawConnect(srv.url);
  try {
    const token = srv.rootToken;
    const body = '{"v":"LIST is in the body"}';
    const request = rawRequest('POST', '/v1/cubbyhole/pipe/d', { token, body });
    const split = request.indexOf('LIST ');
    await conn.write(request.slice(0, split));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await conn.write(request.slice(split));
    assert.equal((await conn.response()).status, 204);
    assert.deepEqual((await srv.api('GET', 'cubbyhole/pipe/d')).body.data, { v: 'LIST is in the body' });
  } finally {
    conn.close();
  }
});
