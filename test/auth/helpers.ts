// Shared helpers of the auth method suites: calls as another token (or none), over HTTP, and
// the renewal checks every login method shares.
import assert from 'node:assert/strict';
import type { TestServer } from '../helpers/server.js';

/** Calls the API with `token` ('' sends none) and extra headers. */
export async function call(srv: TestServer, token: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${srv.url}/v1/${path}`, {
    method,
    headers: { ...(token ? { 'X-Vault-Token': token } : {}), 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

/** The fields every login's `auth` block has, as Vault names them. */
export const AUTH_BLOCK_KEYS = [
  'accessor', 'client_token', 'entity_id', 'lease_duration', 'metadata', 'mfa_requirement', 'num_uses',
  'orphan', 'policies', 'renewable', 'token_policies', 'token_type',
];

type Answer = { status: number; body: any };

/**
 * Vault's renewal of a login token, once its role (or user) was changed to token_ttl 20m and
 * token_max_ttl 30m `minutesSinceLogin` after the login: without an increment the new
 * token_ttl, a larger increment capped by the new token_max_ttl counted from issue, a smaller
 * one as asked.
 */
export async function assertRenewsWithCurrentTtls(renew: (body: object) => Promise<Answer>, minutesSinceLogin: number): Promise<void> {
  const plain = await renew({});
  assert.equal(plain.status, 200, JSON.stringify(plain.body));
  assert.equal(plain.body.auth.lease_duration, 20 * 60, 'no increment: the current token_ttl');
  const left = 30 - minutesSinceLogin;
  const asked = await renew({ increment: '1h' });
  assert.equal(asked.body.auth.lease_duration, left * 60, 'the current token_max_ttl, counted from issue');
  assert.deepEqual(asked.body.warnings, [`TTL of "1h0m0s" exceeded the effective max_ttl of "${left}m0s"; TTL value is capped accordingly`]);
  const shorter = await renew({ increment: '5m' });
  assert.equal(shorter.body.auth.lease_duration, 5 * 60, 'an increment wins over the current token_ttl');
}
