// Policies written for Vault parse unchanged: every HCL1 form Vault's parser takes gives the
// same rules as the canonical form, and published-shape policy files compile to the ACL they mean.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileAcl, parsePolicy, type PathRule } from '../../src/policy/index.js';

const CANONICAL = `path "secret/data/app" {
  capabilities = ["read", "update"]
  allowed_parameters = { "color" = ["red\\n"] }
}
`;

const forms: [form: string, text: string][] = [
  ['brace on the next line', 'path "secret/data/app"\n{\n  capabilities = ["read", "update"]\n  allowed_parameters = { "color" = ["red\\n"] }\n}\n'],
  ['the block header split across lines', 'path\n  "secret/data/app"\n{\n  capabilities\n    =\n    ["read", "update"]\n  allowed_parameters = { "color" = ["red\\n"] }\n}\n'],
  ['everything on one line', 'path "secret/data/app" { capabilities = ["read", "update"] allowed_parameters = { "color" = ["red\\n"] } }'],
  ['items separated by commas', 'path "secret/data/app" { capabilities = ["read", "update"], allowed_parameters = { "color" = ["red\\n"] }, }'],
  ['a list over several lines, trailing comma', 'path "secret/data/app" {\n  capabilities = [\n    "read",\n    "update",\n  ]\n  allowed_parameters = { "color" = ["red\\n",] }\n}'],
  ['"=" left out before an object', 'path "secret/data/app" {\n  capabilities = ["read", "update"]\n  allowed_parameters {\n    "color" = ["red\\n"]\n  }\n}'],
  ['bare identifiers as keys', 'path "secret/data/app" {\n  capabilities = ["read", "update"]\n  allowed_parameters = { color = ["red\\n"] }\n}'],
  ['# comments', '# who may use the app\npath "secret/data/app" { # the app\n  capabilities = ["read", "update"] # no delete\n  allowed_parameters = { "color" = ["red\\n"] }\n}\n#'],
  ['// comments', '// who may use the app\npath "secret/data/app" { // the app\n  capabilities = ["read", "update"] // no delete\n  allowed_parameters = { "color" = ["red\\n"] }\n}'],
  ['/* */ comments', '/* who may\n   use the app */ path /* here */ "secret/data/app" {\n  capabilities = [/* first */ "read", "update"]\n  allowed_parameters = { "color" = ["red\\n"] } /* a { brace } in a comment */\n}'],
  ['a heredoc string', 'path "secret/data/app" {\n  capabilities = ["read", "update"]\n  allowed_parameters = { "color" = [<<EOT\nred\nEOT\n  ] }\n}'],
  ['an indented heredoc', 'path "secret/data/app" {\n  capabilities = ["read", "update"]\n  allowed_parameters = { "color" = [<<-EOT\n    red\n    EOT\n  ] }\n}'],
  ['escapes in strings', 'path "secret/\\u0064ata/app" {\n  capabilities = ["re\\x61d", "update"]\n  allowed_parameters = { "color" = ["red\\u000a"] }\n}'],
  ['Windows line ends', 'path "secret/data/app"\r\n{\r\n  capabilities = ["read", "update"]\r\n  allowed_parameters = { "color" = ["red\\n"] }\r\n}\r\n'],
  ['the stanza split over repeated blocks', 'path "secret/data/app" {\n  capabilities = ["read"]\n  allowed_parameters = { "color" = ["red\\n"] }\n}\npath "secret/data/app" {\n  capabilities = ["update"]\n  allowed_parameters = { "color" = ["red\\n"] }\n}'],
  ['the key repeated inside one block', 'path "secret/data/app" {\n  capabilities = ["read"]\n  capabilities = ["update"]\n  allowed_parameters { "color" = [] }\n  allowed_parameters { "color" = ["red\\n"] }\n}'],
  ['the JSON form', '{"path": {"secret/data/app": {"capabilities": ["read", "update"], "allowed_parameters": {"color": ["red\\n"]}}}}'],
  ['the JSON form, stanza as a list', '{\n  "path": {\n    "secret/data/app": [\n      {"capabilities": ["read", "update"], "allowed_parameters": {"color": ["red\\n"]}}\n    ]\n  }\n}'],
];

// What matters is the ACL a token with this policy gets: compare what it allows.
const grants = (text: string) => {
  const acl = compileAcl([parsePolicy('app', text)]);
  return {
    capabilities: acl.capabilities('secret/data/app'),
    red: acl.allowed({ path: 'secret/data/app', operation: 'update', params: { color: 'red\n' } }).allowed,
    blue: acl.allowed({ path: 'secret/data/app', operation: 'update', params: { color: 'blue' } }).allowed,
  };
};

test('the canonical form grants read and update, and only the allowed colour', () => {
  assert.deepEqual(grants(CANONICAL), { capabilities: ['read', 'update'], red: true, blue: false });
});

for (const [form, text] of forms) {
  test(`HCL1 form: ${form} gives the canonical ACL`, () => {
    assert.deepEqual(grants(text), grants(CANONICAL));
  });
}

test('single-stanza forms parse to exactly the canonical rule', () => {
  const canonical = parsePolicy('app', CANONICAL).paths;
  for (const [form, text] of forms) {
    if (form.startsWith('the stanza split')) continue; // two stanzas, merged by the ACL
    assert.deepEqual(parsePolicy('app', text).paths, canonical, form);
  }
});

test('a heredoc keeps its final newline; "<<-" strips the closing marker\'s indentation', () => {
  const values = (text: string) => parsePolicy('p', text).paths[0]?.allowedParameters['x'];
  assert.deepEqual(values('path "a" {\n capabilities = ["create"]\n allowed_parameters = { x = [<<EOT\n  one\n  two\nEOT\n] }\n}'), ['  one\n  two\n']);
  assert.deepEqual(values('path "a" {\n capabilities = ["create"]\n allowed_parameters = { x = [<<-EOT\n    one\n      two\n    EOT\n] }\n}'), ['one\n  two\n']);
});

// Patterns come in the order they first appear, each with its stanzas in text order; the ACL
// merges stanzas by pattern, so this order changes nothing a token is granted.
test('stanzas keep the order of the text, repeats included', () => {
  const text = 'path "b" { capabilities = ["read"] }\npath "a" { capabilities = ["list"] }\npath "b" { capabilities = ["update"] }';
  assert.deepEqual(parsePolicy('p', text).paths.map((p) => [p.path, p.capabilities]), [
    ['b', ['read']], ['b', ['update']], ['a', ['list']],
  ]);
});

test('the legacy "policy" shorthand, repeated, keeps the last value as Vault does', () => {
  const rule = parsePolicy('p', 'path "secret/*" {\n  policy = "read"\n  policy = "sudo"\n}').paths[0] as PathRule;
  assert.deepEqual([...rule.capabilities].sort(), ['create', 'delete', 'list', 'read', 'sudo', 'update']);
});

// --- policy files in the shapes Vault's documentation publishes ------------------------------

const DOCS = fileURLToPath(new URL('../../../test/policy/vault-docs/', import.meta.url));
const docPolicy = (file: string) => compileAcl([parsePolicy(file.replace(/\..*$/, ''), readFileSync(DOCS + file, 'utf8'))]);

test('docs: the broad secret/* policy with a deny and parameter constraints', () => {
  const acl = docPolicy('secret-broad.hcl');
  assert.deepEqual(acl.capabilities('secret/anything'), ['create', 'delete', 'list', 'patch', 'read', 'update']);
  assert.deepEqual(acl.capabilities('secret/super-secret'), ['deny']);
  const write = (params: Record<string, unknown>) => acl.allowed({ path: 'secret/restricted', operation: 'create', params }).allowed;
  assert.equal(write({ foo: 'anything', bar: 'zip' }), true);
  assert.equal(write({ bar: 'zop' }), false);
  assert.equal(write({ other: 'x' }), false);
});

test('docs: the admin policy, every block\'s brace on the next line', () => {
  const acl = docPolicy('admin.hcl');
  assert.deepEqual(acl.capabilities('sys/health'), ['read', 'sudo']);
  assert.deepEqual(acl.capabilities('sys/policies/acl'), ['list']);
  assert.deepEqual(acl.capabilities('sys/policies/acl/ops'), ['create', 'delete', 'list', 'read', 'sudo', 'update']);
  assert.deepEqual(acl.capabilities('sys/auth/approle'), ['create', 'delete', 'sudo', 'update']);
  assert.deepEqual(acl.capabilities('sys/auth'), ['read']);
  assert.deepEqual(acl.capabilities('sys/mounts'), ['read']);
  assert.deepEqual(acl.capabilities('secret/x/y'), ['create', 'delete', 'list', 'read', 'sudo', 'update']);
  assert.deepEqual(acl.capabilities('transit/keys/k'), ['deny']);
});

test('docs: a JSON policy with wrapping bounds', () => {
  const acl = docPolicy('app.json');
  assert.deepEqual(acl.capabilities('secret/data/app/db'), ['list', 'read']);
  assert.deepEqual(acl.capabilities('auth/token/lookup-self'), ['read']);
  const wrap = (ttl: number | undefined) => acl.allowed({ path: 'sys/wrapping/wrap', operation: 'update', params: {}, wrapTtlSeconds: ttl }).allowed;
  assert.equal(wrap(30), true);
  assert.equal(wrap(300), false);
  assert.equal(wrap(undefined), false);
});

test('docs: required, denied and wildcard-allowed parameters, legacy shorthand, comments of each kind', () => {
  const acl = docPolicy('parameters.hcl');
  const write = (params: Record<string, unknown>) => acl.allowed({ path: 'secret/foo', operation: 'create', params }).allowed;
  assert.equal(write({ bar: '1', baz: '2', other: '3' }), true);
  assert.equal(write({ bar: '1' }), false); // baz is required
  assert.equal(write({ bar: '1', baz: '2', salary: '9' }), false);
  assert.deepEqual(acl.capabilities('sys/leases/lookup'), ['list', 'read']);
  assert.deepEqual(acl.capabilities('transit/encrypt/app'), ['update']);
});
