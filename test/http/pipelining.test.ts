// Finding "a pipelined LIST discards earlier answers whose requests ran": LIST is rewritten at
// every request boundary of a pipelined stream, bodies and chunked bodies included.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { rawConnect, rawRequest } from './raw.js';

let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(() => srv.close());

test('pipelined LIST: POST then LIST in one packet answers both, in order', async () => {
  const conn = await rawConnect(srv.url);
  try {
    const token = srv.rootToken;
    await conn.write(rawRequest('POST', '/v1/cubbyhole/pipe/a', { token, body: '{"v":"1"}' }) + rawRequest('LIST', '/v1/cubbyhole/pipe', { token }));
    assert.equal((await conn.response()).status, 204);
    const list = await conn.response();
    assert.deepEqual([list.status, JSON.parse(list.body).data.keys], [200, ['a']]);
  } finally {
    conn.close();
  }
});

test('pipelined LIST: after a chunked body, and split across writes, every LIST is rewritten', async () => {
  const conn = await rawConnect(srv.url);
  try {
    const token = srv.rootToken;
    const chunked = ['POST /v1/cubbyhole/pipe/b HTTP/1.1', 'Host: localhost', `X-Vault-Token: ${token}`, 'Transfer-Encoding: chunked', '', '4', '{"v"', '5', ':"2"}', '0', '', ''].join('\r\n');
    const list = rawRequest('LIST', '/v1/cubbyhole/pipe', { token });
    await conn.write(chunked + list.slice(0, 2));
    await conn.write(list.slice(2) + list);
    assert.equal((await conn.response()).status, 204);
    for (let i = 0; i < 2; i++) assert.deepEqual(JSON.parse((await conn.response()).body).data.keys, ['a', 'b']);
  } finally {
    conn.close();
  }
});

test('pipelined LIST: a body that merely starts with "LIST " is never rewritten', async () => {
  const conn = await rawConnect(srv.url);
  try {
    const token = srv.rootToken;
    const body = 'LIST is not a request line';
    await conn.write(rawRequest('POST', '/v1/cubbyhole/pipe/c', { token, body: JSON.stringify({ v: body }) }).replace(/\{.*$/, ''));
    await conn.write(JSON.stringify({ v: body }));
    assert.equal((await conn.response()).status, 204);
    const read = await srv.api('GET', 'cubbyhole/pipe/c');
    assert.equal(read.status, 404, 'cubbyhole is per token: the raw root token wrote it');
  } finally {
    conn.close();
  }
});
