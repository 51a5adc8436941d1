// The JSON line writer must write exactly what encoding the built record writes, for every
// shape of record, and must not serve a cached part once what it was built from changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasherFor } from '../../src/audit/hash.js';
import { buildRecord } from '../../src/audit/record.js';
import { encodeLine } from '../../src/audit/encode.js';
import { JsonLines } from '../../src/audit/line.js';
import { parseFormatOptions } from '../../src/audit/options.js';
import type { AuditInput } from '../../src/core/audit.js';
import type { Caller, MountInfo } from '../../src/core/request.js';

const h = hasherFor(Buffer.alloc(32, 3));
const caller: Caller = {
  token: 'hvs.tok', accessor: 'acc', policies: ['b', 'default'], tokenId: 'id', displayName: 'token', entityId: 'e1',
  metadata: { team: 'x' }, isRoot: false, tokenType: 'service', identityPolicies: ['g', 'b'],
};
const mount = { path: 'secret/', type: 'kv', accessor: 'kv_1', uuid: 'u', local: false, options: {}, config: { default_lease_ttl: 0, max_lease_ttl: 0 } } as MountInfo;
const authMount = { ...mount, path: 'approle/', type: 'approle', table: 'auth' } as MountInfo;

const request = (over: Partial<AuditInput['request']> = {}): AuditInput['request'] => ({
  id: 'r1', operation: 'read', path: 'secret/data/a', data: {}, query: {}, headers: {}, clientToken: 'hvs.tok', remoteAddress: '127.0.0.1', ...over,
});

const inputs: Array<[string, AuditInput]> = [
  ['no caller, no mount', { request: request({ clientToken: '' }), operation: 'read' }],
  ['kv read', { request: request(), caller, mount, operation: 'read', response: { data: { data: { u: 'app', n: 1, deep: [{ x: 'y' }, null] }, metadata: { created_time: 't', deletion_time: '', destroyed: false, custom_metadata: null } } } }],
  ['refused', { request: request({ wrapTtl: 60 }), caller, mount, operation: 'update', error: 'permission denied' }],
  ['login', { request: request({ path: 'auth/approle/login', data: { role_id: 'r', secret_id: 's' } }), mount: authMount, operation: 'update',
    response: { auth: { client_token: 'hvs.new', accessor: 'a2', policies: ['p'], token_policies: ['p'], identity_policies: [], metadata: { role: 'r' }, lease_duration: 60, renewable: true, entity_id: 'e', token_type: 'service', orphan: true, num_uses: 0, mfa_requirement: null } as never, entityCreated: true, warnings: ['w "quoted"'] } }],
  ['raw', { request: request({ path: 'sys/health' }), operation: 'read', response: { raw: { status: 200, body: { ok: true } } } }],
  ['wrapped', { request: request(), caller, mount, operation: 'read', response: { wrapInfo: { token: 'w', accessor: 'wa', ttl: 30, creation_time: 'c', creation_path: 'p', wrapped_accessor: '' } } }],
  ['lease', { request: request(), caller, mount, operation: 'read', response: { data: { password: 'p' }, leaseId: 'db/creds/r/1' } }],
  ['keyed kv read', { request: request(), caller, mount, operation: 'read', response: { data: { data: { password: 'p', n: 2 }, metadata: { version: 3 } }, auditKey: { object: mount, part: 3 } } }],
  ['keyed, but with a warning', { request: request(), caller, mount, operation: 'read', response: { data: { data: { password: 'p' } }, warnings: ['w'], auditKey: { object: caller, part: 1 } } }],
  ['keyed, no mount', { request: request(), caller, operation: 'read', response: { data: { data: { password: 'p' } }, auditKey: { object: request(), part: 1 } } }],
  ['list with key_info first', { request: request({ operation: 'list' }), caller, mount, operation: 'list', response: { data: { key_info: { a: { name: 'x' } }, keys: ['a', 'b/'], n: 'z' } } }],
  ['list', { request: request({ operation: 'list' }), caller, mount, operation: 'list', response: { data: { keys: ['a', 'b'] } } }],
  ['a token that resolved to no caller', { request: request(), mount, operation: 'read' }],
  ['strings that need escaping, empty id and address', { request: request({ id: '', path: 'secret/data/"q"\\ü\u2028', remoteAddress: '' }), caller: { ...caller, accessor: '' }, mount, operation: 'read' }],
  ['bodiless with a wrap TTL', { request: request({ wrapTtl: 300 }), caller, mount: authMount, operation: 'read' }],
];

const optionSets: Array<Record<string, string>> = [{}, { prefix: 'AUDIT: ' }, { log_raw: 'true' }, { hmac_accessor: 'false' }, { elide_list_responses: 'true' }];
for (const options of optionSets) {
  test(`every record shape is written as the encoded record is (options ${JSON.stringify(options)})`, () => {
    const opts = parseFormatOptions(options);
    const lines = new JsonLines(opts);
    for (const [name, input] of inputs) {
      for (const kind of ['request', 'response'] as const) {
        // Twice: the second line comes from what the first cached.
        for (let i = 0; i < 2; i++) {
          assert.equal(lines.line(kind, input, h, 1_700_000_000_123 + i), encodeLine(buildRecord(kind, input, opts, h, 1_700_000_000_123 + i), opts), `${name} ${kind}`);
        }
      }
    }
  });
}

test('a cached request block is not reused once the operation, mount or data changed', () => {
  const opts = parseFormatOptions({});
  const lines = new JsonLines(opts);
  const input: AuditInput = { request: request({ operation: 'update' }), caller, mount, operation: 'update' };
  lines.line('request', input, h, 0);
  const changed: AuditInput = { ...input, operation: 'create', mount: authMount };
  input.request.data = { now: 'different' };
  assert.equal(lines.line('response', changed, h, 0), encodeLine(buildRecord('response', changed, opts, h, 0), opts));
});

test('a caller object is encoded and its credentials hashed once; a new caller object afresh', () => {
  const opts = parseFormatOptions({});
  const lines = new JsonLines(opts);
  let hashed = 0;
  const counting = (v: string) => { hashed++; return h(v); };
  const input: AuditInput = { request: request(), caller, mount, operation: 'read' };
  lines.line('request', input, counting, 0);
  const first = hashed;
  lines.line('request', { ...input, request: request({ id: 'r2' }) }, counting, 0);
  // The new request block takes the caller's token and accessor HMACs from the caller's memo.
  assert.equal(first, 2);
  assert.equal(hashed - first, 0);
  const renewed: Caller = { ...caller, policies: ['other'] };
  const line = lines.line('request', { ...input, caller: renewed }, h, 0);
  assert.match(line, /"token_policies":\["other"\]/);
});

test('keyed response data is hashed once per key, and afresh for another key', () => {
  const opts = parseFormatOptions({});
  const lines = new JsonLines(opts);
  let hashed = 0;
  const counting = (v: string) => { hashed++; return h(v); };
  const meta = {};
  const read = (part: number, password: string): AuditInput => ({
    request: request({ clientToken: '' }), mount, operation: 'read',
    response: { data: { data: { password } }, auditKey: { object: meta, part } },
  });
  const first = lines.line('response', read(1, 'a'), counting, 0);
  assert.equal(hashed, 1);
  // The same key promises the same data: the memo answers without hashing.
  assert.equal(lines.line('response', read(1, 'a'), counting, 0), first);
  assert.equal(hashed, 1);
  const other = lines.line('response', read(2, 'b'), counting, 0);
  assert.equal(hashed, 2);
  assert.equal(other, encodeLine(buildRecord('response', read(2, 'b'), opts, h, 0), opts));
  // A key on another object is another entry, even with the same part.
  lines.line('response', { ...read(1, 'c'), response: { data: { data: { password: 'c' } }, auditKey: { object: {}, part: 1 } } }, counting, 0);
  assert.equal(hashed, 3);
});

test('two devices writing the same request keep their own request blocks (salts differ)', () => {
  const opts = parseFormatOptions({});
  const other = hasherFor(Buffer.alloc(32, 9));
  const first = new JsonLines(opts);
  const second = new JsonLines(opts);
  const input: AuditInput = { request: request(), caller, mount, operation: 'read' };
  for (const kind of ['request', 'response'] as const) {
    assert.equal(first.line(kind, input, h, 0), encodeLine(buildRecord(kind, input, opts, h, 0), opts), `first ${kind}`);
    assert.equal(second.line(kind, input, other, 0), encodeLine(buildRecord(kind, input, opts, other, 0), opts), `second ${kind}`);
  }
});
