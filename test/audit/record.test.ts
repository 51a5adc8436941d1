// Pure pieces of the audit path: HMAC of nested values, the record built for special
// responses (wrapped, raw, listed), JSONx, and the grouped file write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { hashStrings, hmacOf, hasherFor } from '../../src/audit/hash.js';
import { buildRecord } from '../../src/audit/record.js';
import { encodeLine, toJsonx } from '../../src/audit/encode.js';
import { parseFormatOptions } from '../../src/audit/options.js';
import { groupWriter } from '../../src/audit/devices/group-write.js';
import type { AuditInput } from '../../src/core/audit.js';

const salt = Buffer.alloc(32, 7);
const h = hasherFor(salt);

test('hmacOf is HMAC-SHA256 under the salt, hex, with Vault\'s prefix', () => {
  assert.equal(hmacOf(salt, 'v'), 'hmac-sha256:' + createHmac('sha256', salt).update('v').digest('hex'));
});

test('every string is hashed at any depth; keys, numbers, booleans and null are kept', () => {
  const out = hashStrings({ a: 'x', n: 1, b: false, z: null, list: ['y', 2, { deep: 'w' }] }, h);
  assert.deepEqual(out, { a: h('x'), n: 1, b: false, z: null, list: [h('y'), 2, { deep: h('w') }] });
});

const input = (over: Partial<AuditInput> = {}): AuditInput => ({
  request: { id: 'r1', operation: 'read', path: 'p', data: {}, query: {}, headers: {}, clientToken: '', remoteAddress: '::1' },
  operation: 'read',
  ...over,
});

test('a wrapped response logs wrap_info with the wrapping token and accessors hashed', () => {
  const wrapInfo = { token: 'hvs.wrap', accessor: 'acc', ttl: 60, creation_time: 't', creation_path: 'p', wrapped_accessor: 'inner' };
  const rec = buildRecord('response', input({ response: { wrapInfo } }), parseFormatOptions({}), h, 0) as any;
  assert.deepEqual(rec.response.wrap_info, { token: h('hvs.wrap'), accessor: h('acc'), ttl: 60, creation_time: 't', creation_path: 'p', wrapped_accessor: h('inner') });
  const keep = buildRecord('response', input({ response: { wrapInfo } }), parseFormatOptions({ hmac_accessor: 'false' }), h, 0) as any;
  assert.equal(keep.response.wrap_info.accessor, 'acc');
});

test('raw answers are logged in Vault\'s http_* shape; lease ids stay readable', () => {
  const rec = buildRecord('response', input({ response: { raw: { status: 200, body: { k: 'secret' } }, leaseId: 'db/creds/x/abc' } }), parseFormatOptions({}), h, 0) as any;
  assert.deepEqual(rec.response.data, { http_content_type: h('application/json'), http_raw_body: h('{"k":"secret"}'), http_status_code: 200 });
  assert.deepEqual(rec.response.secret, { lease_id: 'db/creds/x/abc' });
});

test('elide_list_responses replaces listed keys with their count', () => {
  const list = input({ operation: 'list', response: { data: { keys: ['a', 'b', 'c'], key_info: { a: {}, b: {} } } } });
  const rec = buildRecord('response', list, parseFormatOptions({ elide_list_responses: 'true' }), h, 0) as any;
  assert.deepEqual(rec.response.data, { keys: 3, key_info: 2 });
  const full = buildRecord('response', list, parseFormatOptions({}), h, 0) as any;
  assert.deepEqual(full.response.data.keys, [h('a'), h('b'), h('c')]);
});

test('JSONx escapes markup and types every value; prefix and newline frame each line', () => {
  assert.equal(toJsonx({ s: '<&">', n: 1, t: true, z: null, a: ['x'] }),
    '<?xml version="1.0" encoding="UTF-8"?><json:object><json:string name="s">&lt;&amp;&quot;&gt;</json:string>'
    + '<json:number name="n">1</json:number><json:boolean name="t">true</json:boolean><json:null name="z"/>'
    + '<json:array name="a"><json:string>x</json:string></json:array></json:object>');
  assert.equal(encodeLine({ a: 1 }, parseFormatOptions({ prefix: 'P ' })), 'P {"a":1}\n');
});

test('lines written in one turn go out in one write; a failed write rejects every one of them', async () => {
  const writes: string[] = [];
  let fail = false;
  const g = groupWriter((buf) => {
    if (fail) throw new Error('EIO');
    writes.push(buf.toString());
  });
  await Promise.all([g.write('a\n'), g.write('b\n')]);
  assert.deepEqual(writes, ['a\nb\n']);
  fail = true;
  const results = await Promise.allSettled([g.write('c\n'), g.write('d\n')]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  fail = false;
  const pending = g.write('e\n');
  g.flush();
  assert.deepEqual(writes, ['a\nb\n', 'e\n'], 'flush writes at once');
  await pending;
});
