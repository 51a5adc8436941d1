import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BadRequest } from '../../src/util/errors.js';
import { defaultPolicyText, parsePolicy, type PathRule } from '../../src/policy/index.js';

const rule = (over: Partial<PathRule> & { path: string }): PathRule => ({
  capabilities: [], allowedParameters: {}, deniedParameters: {}, requiredParameters: [],
  minWrappingTtl: 0, maxWrappingTtl: 0, ...over,
});

test('HCL: every stanza field is read, parameter names lower-cased, TTLs in seconds', () => {
  const policy = parsePolicy('Ops', `
    # comments are fine
    path "secret/restricted" {
      capabilities        = ["create", "update"]
      allowed_parameters  = { "Foo" = [], "bar" = ["zip", "zap"] }
      denied_parameters   = { "baz" = [] }
      required_parameters = ["bar"]
      min_wrapping_ttl    = "1s"
      max_wrapping_ttl    = "1m30s"
    }
    path "/secret/+/teamb" { capabilities = ["read"] }
  `);
  assert.equal(policy.name, 'ops');
  // Stanzas come back in the order the text gives them.
  assert.deepEqual(policy.paths, [
    rule({
      path: 'secret/restricted', capabilities: ['create', 'update'],
      allowedParameters: { foo: [], bar: ['zip', 'zap'] }, deniedParameters: { baz: [] },
      requiredParameters: ['bar'], minWrappingTtl: 1, maxWrappingTtl: 90,
    }),
    rule({ path: 'secret/+/teamb', capabilities: ['read'] }),
  ]);
});

test('JSON policies are accepted, with a stanza as an object or a list', () => {
  const text = JSON.stringify({
    path: {
      'secret/*': { capabilities: ['read', 'list'], max_wrapping_ttl: 300 },
      'sys/mounts': [{ capabilities: ['deny'] }],
    },
  });
  const policy = parsePolicy('json', text);
  assert.equal(policy.raw, text);
  assert.deepEqual(policy.paths, [
    rule({ path: 'secret/*', capabilities: ['read', 'list'], maxWrappingTtl: 300 }),
    rule({ path: 'sys/mounts', capabilities: ['deny'] }),
  ]);
});

test('the legacy policy shorthand maps to capabilities as Vault maps it', () => {
  const caps = (shorthand: string) =>
    parsePolicy('p', `path "a" { policy = "${shorthand}" }`).paths[0]?.capabilities;
  assert.deepEqual(caps('read'), ['read', 'list']);
  assert.deepEqual(caps('write'), ['create', 'read', 'update', 'delete', 'list']);
  assert.deepEqual(caps('sudo'), ['create', 'read', 'update', 'delete', 'list', 'sudo']);
  assert.deepEqual(caps('deny'), ['deny']);
  const both = parsePolicy('p', 'path "a" {\n policy = "read"\n capabilities = ["sudo"]\n}');
  assert.deepEqual(both.paths[0]?.capabilities, ['sudo', 'read', 'list']);
});

test('deny replaces the other capabilities and constraints of its stanza', () => {
  const policy = parsePolicy('p', `path "a" {
    capabilities = ["read", "deny", "update"]
    allowed_parameters = { x = [] }
  }`);
  assert.deepEqual(policy.paths, [rule({ path: 'a', capabilities: ['deny'] })]);
});

test('subscribe and recover are accepted and not granted; repeated stanzas stay separate', () => {
  const policy = parsePolicy('p', `
    path "a" { capabilities = ["read", "subscribe", "recover", "read"] }
    path "a" { capabilities = ["list"] }
  `);
  assert.deepEqual(policy.paths.map((p) => p.capabilities), [['read'], ['list']]);
});

test('a policy with only comments or a name has no paths', () => {
  assert.deepEqual(parsePolicy('p', '# nothing yet\n').paths, []);
  assert.deepEqual(parsePolicy('p', 'name = "ignored"').paths, []);
});

test('the default policy parses and contains lookup-self', () => {
  const policy = parsePolicy('default', defaultPolicyText);
  assert.ok(policy.paths.some((p) => p.path === 'auth/token/lookup-self'));
});

const errors: [name: string, policyName: string, text: string, message: RegExp][] = [
  ['invalid HCL', 'p', 'path "a" { capabilities = ["read" }', /^failed to parse policy: At 1:35: unexpected token while parsing list: RBRACE$/],
  ['invalid JSON', 'p', '{"path": ', /^failed to parse policy: At 1:10: unexpected end of input$/],
  ['unterminated block, located', 'p', 'path "a" {\n  capabilities = ["read"]\n', /^failed to parse policy: At 3:1: object expected closing RBRACE got: EOF$/],
  ['a bare word as a value', 'p', 'path "a" {\n  capabilities = read\n}', /^failed to parse policy: At 2:18: Unknown token: IDENT read$/],
  ['two labels before "="', 'p', 'path "a" "b" = {}', /^failed to parse policy: At 1:14: nested object expected/],
  ['unterminated string', 'p', 'path "a {\n}', /^failed to parse policy: At 1:6: literal not terminated$/],
  ['unterminated comment', 'p', 'path "a" {}\n/* note', /^failed to parse policy: At 2:1: comment not terminated$/],
  ['JSON error located', 'p', '{\n  "path": {\n    "a": { "capabilities": ["read",] }\n  }\n}', /^failed to parse policy: At 3:36: unexpected character "]"$/],
  ['path as both a value and a block', 'p', 'path = "a"\npath "b" {}', /^failed to parse policy: At 2:1: key "path" is given both as a value and as a labelled block$/],
  ['JSON that is not an object', 'p', '{"path": 1}', /"path" must be a block/],
  ['unknown capability', 'p', 'path "a" { capabilities = ["reed"] }', /^failed to parse policy: path "a": invalid capability "reed"$/],
  ['capabilities not a list', 'p', 'path "a" { capabilities = "read" }', /capabilities must be a list of strings/],
  ['unknown legacy policy', 'p', 'path "a" { policy = "admin" }', /invalid policy "admin"/],
  ['unknown top-level key', 'p', 'paths "a" { capabilities = ["read"] }', /invalid key "paths"/],
  ['unknown stanza key', 'p', 'path "a" { capability = ["read"] }', /path "a": invalid key "capability"/],
  ['enterprise-only key', 'p', 'path "a" {\n capabilities = ["read"]\n mfa_methods = ["x"]\n}', /"mfa_methods" is not supported/],
  ['path block without a label', 'p', 'path { capabilities = ["read"] }', /"path" must be a block/],
  ['bad duration', 'p', 'path "a" {\n capabilities = ["read"]\n min_wrapping_ttl = "soon"\n}', /error parsing min_wrapping_ttl: invalid duration "soon"/],
  ['negative duration', 'p', 'path "a" {\n capabilities = ["read"]\n max_wrapping_ttl = "-5s"\n}', /error parsing max_wrapping_ttl/],
  ['max below min', 'p', 'path "a" {\n capabilities = ["read"]\n min_wrapping_ttl = "2m"\n max_wrapping_ttl = "1m"\n}', /max_wrapping_ttl cannot be less than min_wrapping_ttl/],
  ['glob not last', 'p', 'path "secret/*/foo" { capabilities = ["read"] }', /only supported as the last character/],
  ['plus inside a segment', 'p', 'path "secret/a+b" { capabilities = ["read"] }', /"\+" must be a whole path segment/],
  ['plus then glob', 'p', 'path "secret/+*" { capabilities = ["read"] }', /'\+\*' is forbidden/],
  ['parameter values not a list', 'p', 'path "a" {\n capabilities = ["create"]\n allowed_parameters = { x = "y" }\n}', /the value for "x" must be a list/],
  ['wildcard inside a parameter key', 'p', 'path "a" {\n capabilities = ["create"]\n denied_parameters = { "x*" = [] }\n}', /cannot contain non-tail wildcards/],
  ['wildcard as a required parameter', 'p', 'path "a" {\n capabilities = ["create"]\n required_parameters = ["*"]\n}', /wildcard is not permitted here/],
  ['JSON pointer parameter key', 'p', 'path "a" {\n capabilities = ["create"]\n allowed_parameters = { "/a/b" = [] }\n}', /JSON pointer keys are not supported/],
  ['empty text', 'p', '  \n', /'policy' parameter not supplied or empty/],
  ['the root policy', 'Root', 'path "a" { capabilities = ["read"] }', /^cannot update root policy$/],
  ['an empty name', '', 'path "a" { capabilities = ["read"] }', /policy name must be provided/],
];

for (const [name, policyName, text, message] of errors) {
  test(`refused with BadRequest: ${name}`, () => {
    assert.throws(() => parsePolicy(policyName, text), (err: unknown) => {
      assert.ok(err instanceof BadRequest, `expected BadRequest, got ${String(err)}`);
      assert.equal(err.status, 400);
      assert.match(err.message, message);
      return true;
    });
  });
}
