// Shared pieces of the rotation tests: signed calls that must succeed, reading a version's
// JSON, and tokens unique to a run.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { call, type AwsTestServer } from '../setup.js';

/** A ClientRequestToken (and so a VersionId) no other run uses. */
export const newToken = () => randomUUID();

/** A signed call that must answer 200; its body. */
export async function ok(srv: AwsTestServer, action: string, members: unknown) {
  const r = await call(srv, action, members);
  assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A signed call that must fail with this status, type and (when given) message. */
export async function fails(srv: AwsTestServer, action: string, members: unknown, type: string, message?: string | RegExp) {
  const r = await call(srv, action, members);
  assert.equal(r.status, 400, `${action}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.__type, type, JSON.stringify(r.body));
  if (typeof message === 'string') assert.equal(r.body.Message, message);
  else if (message) assert.match(r.body.Message, message);
  return r.body;
}

/** The JSON value of a secret's version, by stage. */
export type DbValue = { versionId: string; username: string; password: string; [member: string]: unknown };

export async function valueAt(srv: AwsTestServer, secretId: string, stage = 'AWSCURRENT'): Promise<DbValue> {
  const v = await ok(srv, 'GetSecretValue', { SecretId: secretId, VersionStage: stage });
  const value = JSON.parse(v.SecretString as string) as DbValue;
  return { ...value, versionId: v.VersionId as string };
}

/** Creates a secret holding `value` as JSON; answers its ARN and first version id. */
export async function createJson(srv: AwsTestServer, name: string, value: unknown) {
  const token = newToken();
  const r = await ok(srv, 'CreateSecret', { Name: name, SecretString: JSON.stringify(value), ClientRequestToken: token });
  return { arn: r.ARN as string, versionId: token };
}

/** RotateSecret with a fresh token; answers the token. */
export async function rotate(srv: AwsTestServer, secretId: string, more: Record<string, unknown> = {}) {
  const token = newToken();
  const r = await ok(srv, 'RotateSecret', { SecretId: secretId, ClientRequestToken: token, ...more });
  assert.equal(r.VersionId, token);
  return token;
}

/** A step event as a rotation function receives it. */
export type StepEvent = { SecretId: string; ClientRequestToken: string; Step: string };

/**
 * A rotation function as an HTTP service on 127.0.0.1: each POSTed step goes to `handle`, whose
 * number is the status answered (500 when it throws). Answers the server and its `host:port`.
 */
export async function startHook(handle: (event: StepEvent) => Promise<number>): Promise<{ hook: Server; host: string }> {
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      void handle(JSON.parse(body) as StepEvent).then((status) => { res.writeHead(status).end(); }, () => { res.writeHead(500).end(); });
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  return { hook, host: `127.0.0.1:${(hook.address() as AddressInfo).port}` };
}
