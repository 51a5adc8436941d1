// Shared set-up of the identity suites: auth mounts, users, logins over HTTP.
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import { call } from '../../auth/helpers.js';

/** Written as a password; must never appear in the server log. */
export const CANARY = 'canary-identity-51c0e7';

/** Enables an auth method at `path` and answers its accessor. */
export async function enableAuth(srv: TestServer, path: string, type: string): Promise<string> {
  const r = await srv.api('POST', `sys/auth/${path}`, { type });
  assert.equal(r.status, 204, JSON.stringify(r.body));
  const list = await srv.api('GET', 'sys/auth');
  return list.body.data[`${path}/`].accessor;
}

/** Creates a userpass user with the canary password and the given token policies. */
export async function addUser(srv: TestServer, mount: string, name: string, policies: string[] = []): Promise<void> {
  const r = await srv.api('POST', `auth/${mount}/users/${name}`, { password: CANARY, token_policies: policies });
  assert.equal(r.status, 204, JSON.stringify(r.body));
}

/** Logs in as a userpass user; answers the `auth` block. */
export async function loginUser(srv: TestServer, mount: string, name: string): Promise<any> {
  const r = await call(srv, '', 'POST', `auth/${mount}/login/${name}`, { password: CANARY });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.auth;
}

/** A successful JSON answer's data. */
export async function ok(srv: TestServer, method: string, path: string, body?: unknown): Promise<any> {
  const r = await srv.api(method, path, body);
  assert.ok(r.status === 200 || r.status === 204, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body?.data;
}

/** Asserts a 400 with exactly Vault's text. */
export async function refused(srv: TestServer, method: string, path: string, body: unknown, text: string): Promise<void> {
  const r = await srv.api(method, path, body);
  assert.deepEqual([r.status, r.body?.errors], [400, [text]], `${method} ${path}`);
}

export { call };
