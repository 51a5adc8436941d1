// Shared helpers of the auth method suites: calls as another token (or none), over HTTP.
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
