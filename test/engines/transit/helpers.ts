// Shared set-up for the transit tests: a dev server with transit mounted, and the canary that
// must never reach the server's log nor an error body.
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/** Plaintext used by the suites; the log must never contain it, in clear or base64. */
export const CANARY = 'canary-transit-7d41c0';
export const CANARY_B64 = Buffer.from(CANARY).toString('base64');

/** Base64 of a UTF-8 string. */
export const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A server with transit mounted at transit/. */
export async function startTransitServer(): Promise<TestServer> {
  const srv = await startTestServer();
  const res = await srv.api('POST', 'sys/mounts/transit', { type: 'transit' });
  assert.equal(res.status, 204, JSON.stringify(res.body));
  return srv;
}

/** Closes the server after checking the canary never reached its log. */
export async function closeTransitServer(srv: TestServer): Promise<void> {
  const log = srv.log();
  assert.ok(!log.includes(CANARY) && !log.includes(CANARY_B64), 'a plaintext reached the server log');
  await srv.close();
}

/** POSTs and asserts the status; returns the body. */
export async function ok(srv: TestServer, path: string, body?: unknown, status = 200): Promise<any> {
  const res = await srv.api('POST', path, body);
  assert.equal(res.status, status, `${path}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** POSTs, expects a 400, and returns the first error text. */
export async function refused(srv: TestServer, path: string, body?: unknown): Promise<string> {
  const res = await srv.api('POST', path, body);
  assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.body)}`);
  const text = String(res.body.errors[0]);
  assert.ok(!text.includes(CANARY) && !text.includes(CANARY_B64), 'a plaintext reached an error body');
  return text;
}
