// Vault Agent and consul-template, replayed: unwrapping the auto-auth token, the KV version
// preflight (`sys/internal/ui/mounts/<path>`), template reads from KV v1 and v2, the polling
// and renewal decisions they make from lease fields, token renewal and revoke-self on exit.
// Both use HashiCorp's Go client (no Content-Type, `X-Vault-Request: true`).
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { leaseEngine } from '../../helpers/lease-engine.js';
import { goClientHeaders, replay, type Answer, type Replay } from './replay.js';

const CANARY = 'canary-a93-71fe'; // a template's secret value; must never reach the server log
let srv: TestServer;
let agentToken: string;

before(async () => {
  srv = await startTestServer({ extraEngines: leaseEngine().factories });
  await srv.api('POST', 'sys/mounts/kv', { type: 'kv' });
  await srv.api('POST', 'sys/mounts/creds', { type: 'leasetest' });
  await srv.api('POST', 'sys/mounts/other', { type: 'kv-v2' });
  await srv.api('PUT', 'sys/policies/acl/agent', {
    policy: ['secret/data/app/*', 'kv/app/*', 'creds/creds/*'].map((p) => `path "${p}" { capabilities = ["read"] }`).join('\n'),
  });
  await srv.api('POST', 'secret/data/app/config', { data: { password: CANARY, user: 'app' } });
  await srv.api('PUT', 'kv/app/config', { password: CANARY, user: 'app' });
  // Auto-auth hands the Agent a response-wrapped token (wrap_ttl on the auth method).
  const wrapped = await srv.api('POST', 'auth/token/create', { policies: ['agent'], ttl: '1h' }, { 'X-Vault-Wrap-TTL': '5m' });
  const agent = replay(srv.url, 'Vault Agent', goClientHeaders(''));
  try {
    // api.Logical().Unwrap(token) with no client token: the wrapping token goes in
    // X-Vault-Token and the body is SetJSONBody(nil), the literal `null`.
    const ans = await agent.send({ method: 'PUT', path: 'sys/wrapping/unwrap', token: wrapped.body.wrap_info.token, body: 'null' });
    agent.status(ans, 200, 'PUT sys/wrapping/unwrap with the wrapping token in X-Vault-Token and a null body');
    agentToken = agent.authBlock(ans, 'the unwrapped auto-auth response').client_token;
    const again = await agent.send({ method: 'PUT', path: 'sys/wrapping/unwrap', token: wrapped.body.wrap_info.token, body: 'null' });
    agent.errors(again, 400, 'a second unwrap of the same wrapping token');
  } finally {
    agent.close();
  }
});
after(async () => {
  if (srv.log().includes(CANARY)) throw new Error('a template secret reached the server log');
  await srv.close();
});

/** A replayer as `client`, authenticated with the Agent's token. */
function as(client: string, token = agentToken): Replay {
  return replay(srv.url, client, goClientHeaders(token));
}

/**
 * The KV preflight of the Vault CLI, consul-template and Agent (kvPreflightVersionRequest /
 * isKVv2): `options.(map[string]interface{})["version"].(string)` — a number panics.
 */
function kvVersion(r: Replay, ans: Answer, what: string): { mountPath: string; version: 1 | 2 } {
  r.status(ans, 200, what);
  const data = r.envelope(ans, what).data as Record<string, any>;
  r.kind(data.path, 'string', `${what} data.path`);
  r.ok((data.path as string).endsWith('/'), `${what} data.path "${data.path}" does not end in "/", so the data/ prefix lands in the wrong place`);
  r.kind(data.type, 'string', `${what} data.type`);
  r.kind(data.options, ['map', 'null'], `${what} data.options`);
  if (data.options === null || data.options.version === undefined || data.options.version === null) return { mountPath: data.path, version: 1 };
  r.kind(data.options.version, 'string', `${what} data.options.version`);
  return { mountPath: data.path, version: data.options.version === '2' ? 2 : 1 };
}

test('the KV preflight: options.version is the string "2", type "kv", path "secret/"; v1 mounts read as v1', async () => {
  for (const client of ['Vault Agent', 'consul-template']) {
    const r = as(client);
    try {
      const what = 'GET sys/internal/ui/mounts/secret/app/config';
      const ans = await r.send({ method: 'GET', path: 'sys/internal/ui/mounts/secret/app/config' });
      r.equal(kvVersion(r, ans, what), { mountPath: 'secret/', version: 2 }, `${what} (mount and version)`);
      r.equal(ans.body.data.type, 'kv', `${what} data.type`);
      const v1 = await r.send({ method: 'GET', path: 'sys/internal/ui/mounts/kv/app/config' });
      r.equal(kvVersion(r, v1, 'GET sys/internal/ui/mounts/kv/app/config'), { mountPath: 'kv/', version: 1 }, 'the kv/ preflight');
    } finally {
      r.close();
    }
  }
});

test('the preflight is authorised by a capability on the path, and refuses with 403 otherwise', async () => {
  const r = as('Vault Agent');
  try {
    // The agent policy grants nothing on sys/: the target path's capability is what counts.
    r.status(await r.send({ method: 'GET', path: 'sys/internal/ui/mounts/secret/app/config' }), 200, 'a preflight with no sys/ policy');
    const elsewhere = await r.send({ method: 'GET', path: 'sys/internal/ui/mounts/other/x' });
    r.equal(r.errors(elsewhere, 403, 'a preflight on a mount the token cannot touch'), ['permission denied'], 'its errors');
    // No mount there: the same 403, so the endpoint tells nobody which mounts exist.
    r.errors(await r.send({ method: 'GET', path: 'sys/internal/ui/mounts/no-such-mount/x' }), 403, 'a preflight under no mount');
    r.errors(await r.send({ method: 'GET', path: 'sys/internal/ui/mounts/secret/app/config', token: '' }), 403, 'a preflight with no token');
  } finally {
    r.close();
  }
});

test('template reads: KV v2 and v1 answer lease_id "", renewable false, so nothing is renewed', async () => {
  const r = as('consul-template');
  try {
    const v2 = await r.send({ method: 'GET', path: 'secret/data/app/config' });
    r.status(v2, 200, 'GET secret/data/app/config');
    const b2 = r.envelope(v2, 'the KV v2 template read');
    r.equal([b2.lease_id, b2.renewable, b2.lease_duration], ['', false, 0], 'the KV v2 read\'s [lease_id, renewable, lease_duration]');
    r.equal(b2.data.data.password, CANARY, '{{ with secret "secret/data/app/config" }}{{ .Data.data.password }}');
    r.kind(b2.data.metadata.version, 'int', 'KV v2 data.metadata.version');

    const v1 = await r.send({ method: 'GET', path: 'kv/app/config' });
    r.status(v1, 200, 'GET kv/app/config');
    const b1 = r.envelope(v1, 'the KV v1 template read');
    r.equal([b1.lease_id, b1.renewable], ['', false], 'the KV v1 read\'s [lease_id, renewable]');
    // A non-renewable secret is re-read after 85–95% of lease_duration (or a default when 0).
    r.ok(b1.lease_duration > 0, `KV v1 lease_duration is ${b1.lease_duration}; Vault shows the mount's TTL`);
    r.equal(b1.data.password, CANARY, '{{ with secret "kv/app/config" }}{{ .Data.password }}');
  } finally {
    r.close();
  }
});

test('a leased secret is renewable; sys/leases/renew with increment 0 grants its TTL; an unknown lease is a 400', async () => {
  const r = as('consul-template');
  try {
    const issued = await r.send({ method: 'GET', path: 'creds/creds/web?ttl=1h' });
    r.status(issued, 200, 'GET creds/creds/web');
    const lease = r.envelope(issued, 'a dynamic secret');
    r.ok(lease.lease_id !== '' && lease.renewable === true && lease.lease_duration === 3600,
      `a dynamic secret answered lease_id "${lease.lease_id}", renewable ${lease.renewable}, lease_duration ${lease.lease_duration}`);
    // api.Sys().Renew(leaseID, increment): PUT with {"increment": N, "lease_id": id}.
    const renewed = await r.send({ method: 'PUT', path: 'sys/leases/renew', body: { increment: 0, lease_id: lease.lease_id } });
    r.status(renewed, 200, 'PUT sys/leases/renew with increment 0');
    const b = r.envelope(renewed, 'the lease renewal');
    r.equal([b.lease_id, b.renewable, b.lease_duration], [lease.lease_id, true, 3600], 'the renewal\'s [lease_id, renewable, lease_duration] (increment 0 = the lease\'s TTL, not 0s)');
    const unknown = await r.send({ method: 'PUT', path: 'sys/leases/renew', body: { increment: 0, lease_id: 'creds/creds/web/no-such-lease' } });
    r.ok(r.errors(unknown, 400, 'renewing an unknown lease').length > 0, 'renewing an unknown lease gave an empty errors list');
  } finally {
    r.close();
  }
});

test('token renewal: PUT auth/token/renew-self {"increment":0} answers an auth block with the full TTL', async () => {
  const r = as('Vault Agent');
  try {
    const ans = await r.send({ method: 'PUT', path: 'auth/token/renew-self', body: { increment: 0 } });
    r.status(ans, 200, 'PUT auth/token/renew-self');
    const auth = r.authBlock(ans, 'the renew-self answer');
    r.equal(auth.client_token, agentToken, 'renew-self auth.client_token');
    r.ok(auth.renewable === true && auth.lease_duration >= 3595,
      `renew-self with increment 0 granted lease_duration ${auth.lease_duration}: the LifetimeWatcher would re-authenticate at once`);
  } finally {
    r.close();
  }
});

test('on exit the Agent revokes its token: revoke-self is 204, then the token is refused with 403', async () => {
  const token = (await srv.api('POST', 'auth/token/create', { policies: ['agent'], ttl: '1h' })).body.auth.client_token;
  const r = as('Vault Agent', token);
  try {
    // api.Auth().Token().RevokeSelf: a PUT with no body (Content-Length: 0).
    r.status(await r.send({ method: 'PUT', path: 'auth/token/revoke-self' }), 204, 'PUT auth/token/revoke-self');
    r.equal(r.errors(await r.send({ method: 'GET', path: 'auth/token/lookup-self' }), 403, 'lookup-self with the revoked token'),
      ['permission denied'], 'the revoked token\'s errors');
    r.errors(await r.send({ method: 'GET', path: 'secret/data/app/config' }), 403, 'a template read with the revoked token');
  } finally {
    r.close();
  }
});
