// The pure parts of the Kubernetes method: the claim checks at their leeway edges (on a given
// clock, no sleeping), both claim shapes, token parsing refusals, and label-selector matching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkClaims, ClaimsFailure, readClaims, serviceAccountOf, SignatureFailure } from '../../../src/auth/kubernetes/token.js';
import { parseSelector, SelectorError, selects } from '../../../src/auth/kubernetes/selector.js';

const T = 1_800_000_000;
const at = (sec: number) => sec * 1000;
const fails = (claims: Record<string, unknown>, nowSec: number, text: string, audience = '') =>
  assert.throws(() => checkClaims(claims, { audience }, at(nowSec)), (e: unknown) => e instanceof ClaimsFailure && e.message === text);
const passes = (claims: Record<string, unknown>, nowSec: number) => assert.doesNotThrow(() => checkClaims(claims, { audience: '' }, at(nowSec)));

test('exp, nbf and iat with the 60 s skew, at the edges', () => {
  passes({ iat: T - 100, exp: T - 60 }, T);
  fails({ iat: T - 100, exp: T - 61 }, T, 'invalid expiration time (exp) claim: token is expired');
  passes({ nbf: T + 60, exp: T + 600 }, T);
  fails({ nbf: T + 61, exp: T + 600 }, T, 'invalid not before (nbf) claim: token not yet valid');
  // An iat in the future also stands in for the missing nbf, whose text comes first.
  fails({ iat: T + 61, exp: T + 600 }, T, 'invalid not before (nbf) claim: token not yet valid');
  fails({ iat: T + 61, nbf: T, exp: T + 600 }, T, 'invalid issued at (iat) claim: token issued in the future');
});

test('a missing exp is iat (or nbf) + 150 s; a token without times (legacy) skips the check', () => {
  passes({ iat: T - 210 }, T);
  fails({ iat: T - 211 }, T, 'invalid expiration time (exp) claim: token is expired');
  passes({}, T);
});

test('issuer only when asked; audience when the role names one', () => {
  assert.throws(() => checkClaims({ iss: 'x' }, { issuer: 'kubernetes/serviceaccount', audience: '' }, at(T)), /invalid issuer \(iss\) claim/);
  assert.doesNotThrow(() => checkClaims({ iss: 'x' }, { audience: '' }, at(T)));
  fails({ aud: ['a', 'b'] }, T, 'invalid audience (aud) claim: audience claim does not match any expected audience', 'c');
  assert.doesNotThrow(() => checkClaims({ aud: 'vault' }, { audience: 'vault' }, at(T)));
});

test('both claim shapes name the account; projected wins', () => {
  const legacy = serviceAccountOf({
    'kubernetes.io/serviceaccount/namespace': 'ns', 'kubernetes.io/serviceaccount/service-account.name': 'sa',
    'kubernetes.io/serviceaccount/service-account.uid': 'u1', 'kubernetes.io/serviceaccount/secret.name': 'sa-token',
  });
  assert.deepEqual(legacy, { name: 'sa', namespace: 'ns', uid: 'u1', secretName: 'sa-token', audiences: [] });
  const projected = serviceAccountOf({ aud: ['x'], 'kubernetes.io': { namespace: 'p', serviceaccount: { name: 'n', uid: 'u2' } }, 'kubernetes.io/serviceaccount/namespace': 'ns' });
  assert.deepEqual(projected, { name: 'n', namespace: 'p', uid: 'u2', secretName: '', audiences: ['x'] });
});

test('tokens that do not parse, use alg none or HS256, or carry no signature are refused', async () => {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  await assert.rejects(readClaims('a.b', []), SignatureFailure);
  await assert.rejects(readClaims(`${b64({ alg: 'none' })}.${b64({})}.`, []), SignatureFailure);
  await assert.rejects(readClaims(`${b64({ alg: 'HS256' })}.${b64({})}.c2ln`, []), SignatureFailure);
  await assert.rejects(readClaims(`${b64({ alg: 'RS256' })}.${b64([1])}.c2ln`, []), SignatureFailure);
  await assert.rejects(readClaims(`${b64({ alg: 'RS256' })}.${b64({})}.`, []), /token must be signed/);
  assert.deepEqual(await readClaims(`${b64({ alg: 'RS256' })}.${b64({ a: 1 })}.c2ln`, []), { a: 1 });
});

test('label selectors: labels, the four operators, the empty selector, and refusals', () => {
  const labels = { env: 'prod', tier: 'web' };
  assert.equal(selects(parseSelector('{}'), labels), true);
  assert.equal(selects(parseSelector('{"matchLabels":{"env":"prod"}}'), labels), true);
  assert.equal(selects(parseSelector('matchLabels: {env: dev}'), labels), false);
  const expr = (operator: string, values?: string[]) => parseSelector(JSON.stringify({ matchExpressions: [{ key: 'tier', operator, ...(values ? { values } : {}) }] }));
  assert.equal(selects(expr('In', ['web', 'api']), labels), true);
  assert.equal(selects(expr('In', ['api']), labels), false);
  assert.equal(selects(expr('NotIn', ['api']), labels), true);
  assert.equal(selects(expr('NotIn', ['web']), labels), false);
  assert.equal(selects(expr('NotIn', ['web']), { env: 'prod' }), true);
  assert.equal(selects(expr('Exists'), labels), true);
  assert.equal(selects(expr('DoesNotExist'), labels), false);
  for (const bad of ['', '[1]', 'matchLabels: {a: 1}', '{"matchLabel":{}}', '{"matchExpressions":[{"key":"a","operator":"In"}]}',
    '{"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]}', '{: nope']) {
    assert.throws(() => parseSelector(bad), SelectorError, bad);
  }
});
