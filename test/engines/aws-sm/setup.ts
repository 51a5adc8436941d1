// A server with the aws-sm engine at aws-sm/, the sigv4 method at auth/sigv4/, and helpers to
// make access keys for roles with given policies and to sign raw requests.
import { createHash, createHmac } from 'node:crypto';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer, type TestServerOptions } from '../../helpers/server.js';

/** A server plus what AWS clients need to reach it. */
export type AwsTestServer = TestServer & {
  keyFor(role: string, policy: string): Promise<{ accessKeyId: string; secretAccessKey: string }>;
  rootKey: { accessKeyId: string; secretAccessKey: string };
  /** The server's time, to date signatures by (tests may inject a clock). */
  now(): Date;
};

export async function startAwsServer(opts: TestServerOptions = {}): Promise<AwsTestServer> {
  const srv = await startTestServer(opts);
  assert.equal((await srv.api('POST', 'sys/mounts/aws-sm', { type: 'aws-sm' })).status, 204);
  assert.equal((await srv.api('POST', 'sys/auth/sigv4', { type: 'sigv4' })).status, 204);
  const keyFor = async (role: string, policy: string) => {
    assert.equal((await srv.api('PUT', `sys/policies/acl/${role}`, { policy })).status, 204);
    assert.equal((await srv.api('POST', `auth/sigv4/role/${role}`, { token_policies: [role] })).status, 204);
    const key = await srv.api('POST', `auth/sigv4/role/${role}/keys`);
    assert.equal(key.status, 200);
    return { accessKeyId: key.body.data.access_key_id as string, secretAccessKey: key.body.data.secret_access_key as string };
  };
  const rootKey = await keyFor('admin', 'path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }');
  return Object.assign(srv, { keyFor, rootKey, now: () => new Date((opts.clock ?? Date).now()) });
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

/** Signing options for a raw request. */
export type SignOptions = {
  key: { accessKeyId: string; secretAccessKey: string };
  target?: string;
  date?: Date;
  region?: string;
  service?: string;
  sessionToken?: string;
  /** Headers to sign besides the defaults. */
  extraHeaders?: Record<string, string>;
  /** Change the request after signing (tampering tests). */
  afterSign?: (headers: Record<string, string>, body: string) => { headers: Record<string, string>; body: string };
};

/** Sends a SigV4-signed `POST /` with an independent signer (not the server's). */
export async function signedCall(url: string, body: string, opts: SignOptions) {
  const host = new URL(url).host;
  const amzDate = (opts.date ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const region = opts.region ?? 'us-east-1';
  const service = opts.service ?? 'secretsmanager';
  let headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1', host, 'x-amz-date': amzDate,
    ...(opts.target !== undefined ? { 'x-amz-target': opts.target } : {}),
    ...(opts.sessionToken !== undefined ? { 'x-amz-security-token': opts.sessionToken } : {}),
    ...opts.extraHeaders,
  };
  const names = Object.keys(headers).sort();
  const canonical = ['POST', '/', '', names.map((n) => `${n}:${headers[n]}\n`).join(''), names.join(';'), sha256(body)].join('\n');
  const scope = `${amzDate.slice(0, 8)}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${opts.key.secretAccessKey}`, amzDate.slice(0, 8)), region), service), 'aws4_request');
  const signature = createHmac('sha256', kSigning).update(toSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${opts.key.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  let sent = body;
  if (opts.afterSign) ({ headers, body: sent } = opts.afterSign(headers, body));
  const { host: _h, ...rest } = headers;
  const res = await fetch(`${url}/`, { method: 'POST', headers: rest, body: sent });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** A signed call of one action with the key, members as JSON. */
export const call = (srv: AwsTestServer, action: string, members: unknown, key = srv.rootKey) =>
  signedCall(srv.url, JSON.stringify(members), { key, target: `secretsmanager.${action}`, date: srv.now() });
