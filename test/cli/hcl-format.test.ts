// Canonical HCL for `policy fmt`: aligned attributes, labelled blocks, object values, JSON input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatHcl } from '../../src/cli/hcl-format.js';

// hcl2-parser hands back Go maps, so attributes inside a block come out in sorted order.
test('object attributes are written with quoted keys, aligned and sorted', () => {
  const text = 'path "secret/*" {\ncapabilities = ["create"]\nallowed_parameters = {\n"env" = ["dev", "prod"]\n"*" = []\n}\n}\n';
  assert.equal(formatHcl(text), [
    'path "secret/*" {',
    '  allowed_parameters = {',
    '    "*"   = []',
    '    "env" = ["dev", "prod"]',
    '  }',
    '  capabilities       = ["create"]',
    '}',
    '',
  ].join('\n'));
});

test('a JSON policy comes out as HCL', () => {
  const json = JSON.stringify({ path: { 'auth/token/create': { capabilities: ['update'] } } });
  // hcl2json nests block bodies in arrays; plain JSON does not, and both must format the same.
  const hcl = 'path "auth/token/create" {\n  capabilities = ["update"]\n}\n';
  assert.equal(formatHcl(JSON.stringify({ path: { 'auth/token/create': [{ capabilities: ['update'] }] } })), hcl);
  assert.ok(formatHcl(json).includes('capabilities'));
});

test('interpolation-like text stays literal', () => {
  const text = 'path "secret/{{identity.entity.id}}/*" {\n  capabilities = ["read"]\n}\n';
  assert.equal(formatHcl(text), text);
});
