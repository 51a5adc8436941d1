// sys/policies/password: write, read, list, generate and delete, with Vault's policy HCL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { DEFAULT_PASSWORD_POLICY, generateFromPolicy, parsePasswordPolicy } from '../../src/core/password-policy.js';

let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(async () => srv.close());

const POLICY = `length = 12
rule "charset" {
  charset = "abcdef"
  min-chars = 2
}
rule "charset" {
  charset = "0123"
  min-chars = 3
}`;

test('a policy is stored as written, listed, and generates passwords that meet its rules', async () => {
  assert.equal((await srv.api('PUT', 'sys/policies/password/hex', { policy: POLICY })).status, 204);
  assert.deepEqual((await srv.api('GET', 'sys/policies/password/hex')).body.data, { policy: POLICY });
  assert.deepEqual((await srv.api('LIST', 'sys/policies/password')).body.data.keys, ['hex']);
  for (let i = 0; i < 20; i++) {
    const { password } = (await srv.api('GET', 'sys/policies/password/hex/generate')).body.data;
    assert.match(password, /^[abcdef0123]{12}$/);
    assert.ok(password.replace(/[^abcdef]/g, '').length >= 2 && password.replace(/[^0123]/g, '').length >= 3, password);
  }
  assert.equal((await srv.api('DELETE', 'sys/policies/password/hex')).status, 204);
  assert.equal((await srv.api('GET', 'sys/policies/password/hex')).status, 404);
  assert.equal((await srv.api('GET', 'sys/policies/password/hex/generate')).status, 400);
});

test('policies that cannot work are refused and not stored', async () => {
  for (const bad of ['length = 2\nrule "charset" { charset = "ab" }', 'length = 10', 'length = 4\nrule "charset" {\n charset = "a"\n min-chars = 5\n}', 'length = = 3']) {
    const r = await srv.api('PUT', 'sys/policies/password/bad', { policy: bad });
    assert.equal(r.status, 400, bad);
    assert.match(r.body.errors[0], /^unable to parse policy/);
  }
  assert.equal((await srv.api('GET', 'sys/policies/password/bad')).status, 404);
});

test('the default policy: 20 characters with a lowercase, an uppercase, a digit and a dash', () => {
  for (let i = 0; i < 50; i++) {
    const p = generateFromPolicy(DEFAULT_PASSWORD_POLICY);
    assert.match(p, /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*-)[A-Za-z\d-]{20}$/);
  }
  assert.equal(parsePasswordPolicy(POLICY).rules[1]?.minChars, 3);
});
