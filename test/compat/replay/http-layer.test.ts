// The HTTP-layer habits COMPAT.md lists, replayed as the clients that depend on them send them:
// LIST as a method (hvac, node-vault, curl) and as `GET ?list=true` (every Go client), bodies
// with no Content-Type, empty and `null` bodies, unknown fields, Vault's 404 and 403 bodies,
// the namespace, index and consistency headers, and the discovery and version endpoints.
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { BUILD_DATE, VAULT_API_VERSION } from '../../../src/core/version.js';
import { goClientHeaders, replay, sendInPieces, type Answer, type Replay } from './replay.js';

const CANARY = 'canary-4d1-e8a0'; // written in request bodies; must never reach the server log
let srv: TestServer;
let go: Replay;
let py: Replay;
const seen: Answer[] = []; // every answer, for the header checks at the end

before(async () => {
  srv = await startTestServer();
  for (const p of ['lst/a', 'lst/b', 'lst/sub/c']) await srv.api('POST', `secret/data/${p}`, { data: { v: CANARY } });
  go = replay(srv.url, 'The Go client (ESO, Agent, CSI, Terraform, CLI)', goClientHeaders(srv.rootToken));
  py = replay(srv.url, 'hvac and node-vault', { 'X-Vault-Token': srv.rootToken, 'Content-Type': 'application/json' });
});
after(async () => {
  go.close();
  py.close();
  if (srv.log().includes(CANARY)) throw new Error('a request value reached the server log');
  await srv.close();
});

/** Sends a step and keeps its answer for the header checks. */
async function send(r: Replay, step: Parameters<Replay['send']>[0]): Promise<Answer> {
  const ans = await r.send(step);
  seen.push(ans);
  return ans;
}

const withoutId = (body: Record<string, unknown>) => ({ ...body, request_id: '' });

test('LIST as a method and GET ?list=true give the same answer, with or without a trailing slash', async () => {
  const viaQuery = await send(go, { method: 'GET', path: 'secret/metadata/lst/?list=true' });
  go.status(viaQuery, 200, 'GET secret/metadata/lst/?list=true');
  go.equal(go.envelope(viaQuery, 'the list').data.keys, ['a', 'b', 'sub/'], 'the keys under lst/');
  for (const path of ['secret/metadata/lst/', 'secret/metadata/lst']) {
    const viaMethod = await send(py, { method: 'LIST', path });
    py.status(viaMethod, 200, `LIST ${path}`);
    py.equal(withoutId(viaMethod.body), withoutId(viaQuery.body), `LIST ${path} (must equal GET ?list=true)`);
  }
  const noSlash = await send(go, { method: 'GET', path: 'secret/metadata/lst?list=true' });
  go.equal(withoutId(noSlash.body), withoutId(viaQuery.body), 'GET secret/metadata/lst?list=true (no trailing slash)');
  // Mixed on one kept-alive connection: a LIST after a write with a body is still a LIST.
  await send(py, { method: 'PUT', path: 'secret/data/lst/d', body: { data: { v: CANARY } } });
  py.equal((await send(py, { method: 'LIST', path: 'secret/metadata/lst' })).body?.data?.keys, ['a', 'b', 'd', 'sub/'], 'LIST after a PUT on the same connection');
  py.equal(py.errors(await send(py, { method: 'LIST', path: 'secret/metadata/nothing' }), 404, 'LIST of an empty folder'), [], 'an empty LIST\'s errors');
});

test('a LIST request line split across TCP chunks is still a LIST; body bytes that read "LIST " are left alone', async () => {
  const head = (method: string, path: string, extra = '') => `${method} /v1/${path} HTTP/1.1\r\nHost: lockbox\r\nX-Vault-Token: ${srv.rootToken}\r\n${extra}\r\n`;
  const [split] = await sendInPieces(srv.url, ['LI', 'ST /v1/secret/metadata/', `lst HTTP/1.1\r\nHost: lockbox\r\nX-Vault-Token: ${srv.rootToken}\r\n\r\n`]);
  py.status(split!, 200, 'LIST split as "LI" | "ST /v1/…" | "lst HTTP/1.1…"');
  py.equal(split!.body.data.keys, ['a', 'b', 'd', 'sub/'], 'the split LIST\'s keys');
  // After a complete GET on the same connection, the next request line starts a new request.
  const [first, second] = await sendInPieces(srv.url, [head('GET', 'secret/data/lst/a'), 'L', 'IST /v1/secret/metadata/lst/ HTTP/1.1\r\n', `Host: lockbox\r\nX-Vault-Token: ${srv.rootToken}\r\n\r\n`], 2);
  py.status(first!, 200, 'the GET before the split LIST');
  py.equal(second?.body?.data?.keys, ['a', 'b', 'd', 'sub/'], 'a split LIST after a GET on one connection');
  // A body whose second chunk begins "LIST " is data, not a request line.
  const body = `{"data":{"v":"LIST ${CANARY}"}}`;
  const cut = body.indexOf('LIST ');
  const [written] = await sendInPieces(srv.url, [head('PUT', 'secret/data/lst/raw', `Content-Length: ${Buffer.byteLength(body)}\r\n`) + body.slice(0, cut), body.slice(cut)]);
  py.status(written!, 200, 'a PUT whose body chunk starts with "LIST "');
  go.equal((await send(go, { method: 'GET', path: 'secret/data/lst/raw' })).body.data.data.v, `LIST ${CANARY}`, 'the value written with a "LIST " chunk');
});

test('bodies: no Content-Type, a wrong one, empty and the literal null are all read as JSON (or no data)', async () => {
  for (const [label, headers] of [['no Content-Type', {}], ['Content-Type: text/plain', { 'Content-Type': 'text/plain' }]] as const) {
    const ans = await send(go, { method: 'PUT', path: 'secret/data/bodies/typed', headers, body: { data: { v: label } } });
    go.status(ans, 200, `PUT with ${label}`);
    go.equal((await send(go, { method: 'GET', path: 'secret/data/bodies/typed' })).body.data.data.v, label, `the value written with ${label}`);
  }
  for (const raw of ['', 'null']) {
    const renewed = await send(go, { method: 'PUT', path: 'auth/token/renew-self', token: (await srv.api('POST', 'auth/token/create', { ttl: '1h' })).body.auth.client_token, body: raw });
    go.status(renewed, 200, `PUT auth/token/renew-self with body ${JSON.stringify(raw)}`);
    go.authBlock(renewed, `renew-self with body ${JSON.stringify(raw)}`);
    go.status(await send(go, { method: 'PUT', path: 'secret/metadata/bodies/empty', body: raw }), 204, `PUT secret/metadata with body ${JSON.stringify(raw)}`);
  }
  const bad = await send(go, { method: 'PUT', path: 'secret/data/bodies/bad', body: '{"data":' });
  go.ok(go.errors(bad, 400, 'a malformed JSON body').length === 1, 'a malformed body did not answer one error');
});

test('unknown body fields are ignored with a warning (200 or 204), never refused with a 400', async () => {
  const policy = await send(go, { method: 'PUT', path: 'sys/policies/acl/extra', body: { policy: 'path "x" { capabilities = ["read"] }', bogus_field: true } });
  go.status(policy, 200, 'PUT sys/policies/acl with an unknown field');
  go.equal(go.envelope(policy, 'the policy write').warnings, ['Endpoint ignored these unrecognized parameters: [bogus_field]'], 'the policy write\'s warnings');
  const kv = await send(go, { method: 'PUT', path: 'secret/data/extra', body: { data: { v: 1 }, cas: 0, version_hint: 3 } });
  go.status(kv, 200, 'PUT secret/data with unknown fields');
  go.equal(kv.body.warnings, ['Endpoint ignored these unrecognized parameters: [cas version_hint]'], 'the KV write\'s warnings');
  const token = await send(go, { method: 'POST', path: 'auth/token/create', body: { ttl: '1m', not_a_field: 'x' } });
  go.status(token, 200, 'POST auth/token/create with an unknown field');
});

test('not found is 404 {"errors":[]} (KV v2, v1, cubbyhole, policies); a bad token is 403, never 401', async () => {
  await srv.api('POST', 'sys/mounts/kv1', { type: 'kv' });
  for (const path of ['secret/data/nope', 'kv1/nope', 'cubbyhole/nope', 'sys/policies/acl/nope', 'secret/metadata/nope']) {
    const ans = await send(go, { method: 'GET', path });
    go.equal(go.errors(ans, 404, `GET ${path}`), [], `GET ${path}'s errors (Go reads a 404 with no data as "no secret")`);
  }
  const revoked = (await srv.api('POST', 'auth/token/create', { ttl: '1h' })).body.auth.client_token;
  await srv.api('POST', 'auth/token/revoke', { token: revoked });
  const csi = replay(srv.url, 'The Vault CSI provider (re-authenticates only on 403)', goClientHeaders(''));
  try {
    for (const [token, label] of [['', 'no token'], ['garbage', 'a garbage token'], [revoked, 'a revoked token']] as const) {
      for (const [method, path] of [['GET', 'secret/data/lst/a'], ['GET', 'auth/token/lookup-self'], ['LIST', 'secret/metadata/lst'], ['GET', 'sys/mounts'], ['PUT', 'auth/token/renew-self']] as const) {
        const ans = await csi.send({ method, path, token, ...(method === 'PUT' ? { body: { increment: 0 } } : {}) });
        seen.push(ans);
        csi.ok(ans.status !== 401, `${method} ${path} with ${label} answered 401`);
        csi.equal(csi.errors(ans, 403, `${method} ${path} with ${label}`), ['permission denied'], `${method} ${path} with ${label}: errors`);
      }
    }
  } finally {
    csi.close();
  }
});

test('headers: X-Vault-Namespace "" is the root namespace; X-Vault-Index and X-Vault-Inconsistent never bring a 412', async () => {
  const plain = await send(go, { method: 'GET', path: 'secret/data/lst/a' });
  const ns = await send(go, { method: 'GET', path: 'secret/data/lst/a', headers: { 'X-Vault-Namespace': '' } });
  go.status(ns, 200, 'GET with X-Vault-Namespace ""');
  go.equal(withoutId(ns.body), withoutId(plain.body), 'a read with X-Vault-Namespace "" (must equal one without)');
  // ReadYourWrites clients echo an index and may ask for forwarding; a 412 makes them retry silently.
  const index = 'v1:cluster-id:1:2:3';
  for (const step of [
    { method: 'GET', path: 'secret/data/lst/a' },
    { method: 'PUT', path: 'secret/data/lst/a', body: { data: { v: CANARY } } },
    { method: 'GET', path: 'sys/seal-status' },
  ]) {
    const ans = await send(go, { ...step, headers: { 'X-Vault-Index': index, 'X-Vault-Inconsistent': 'forward-active-node' } });
    go.ok(ans.status !== 412, `${step.method} ${step.path} with X-Vault-Index answered 412`);
    go.ok(ans.status < 300, `${step.method} ${step.path} with X-Vault-Index answered ${ans.status}`);
  }
  for (const ans of seen) go.ok(ans.headers['x-vault-index'] === undefined, `an answer carried X-Vault-Index "${ans.headers['x-vault-index']}" (echoed back, then 412-retried)`);
});

test('increment 0 on renew-self means the token\'s TTL, not 0 s', async () => {
  const token = (await srv.api('POST', 'auth/token/create', { ttl: '2h' })).body.auth.client_token;
  const ans = await send(go, { method: 'PUT', path: 'auth/token/renew-self', token, body: { increment: 0 } });
  go.status(ans, 200, 'PUT auth/token/renew-self {"increment":0}');
  const auth = go.authBlock(ans, 'renew-self');
  go.ok(auth.lease_duration >= 7195, `renew-self with increment 0 granted ${auth.lease_duration}s of a 2h token`);
});

test('KV v2 metadata: cas 0 after a metadata-only write; partial writes keep fields; custom_metadata replaced whole', async () => {
  const eso = replay(srv.url, 'External Secrets Operator', goClientHeaders(srv.rootToken));
  const tf = replay(srv.url, 'Terraform (vault_kv_secret_v2 custom_metadata)', goClientHeaders(srv.rootToken));
  try {
    eso.status(await eso.send({ method: 'PUT', path: 'secret/metadata/meta/k', body: { custom_metadata: { owner: 'eso', team: 'a' } } }), 204, 'a metadata-only write');
    eso.status(await eso.send({ method: 'PUT', path: 'secret/data/meta/k', body: { data: { v: 1 }, options: { cas: 0 } } }), 200, 'cas 0 after a metadata-only write');
    tf.status(await tf.send({ method: 'POST', path: 'secret/metadata/meta/k', body: { max_versions: 5, delete_version_after: '1h' } }), 204, 'a partial metadata write');
    tf.status(await tf.send({ method: 'POST', path: 'secret/metadata/meta/k', body: { custom_metadata: { team: 'b' } } }), 204, 'a custom_metadata write');
    const meta = tf.envelope(await tf.send({ method: 'GET', path: 'secret/metadata/meta/k' }), 'GET secret/metadata/meta/k').data;
    tf.equal([meta.max_versions, meta.delete_version_after, meta.custom_metadata], [5, '1h0m0s', { team: 'b' }],
      'metadata [max_versions, delete_version_after, custom_metadata] after two partial writes');
    tf.kind(meta.versions, 'map', 'metadata versions');
    for (const [n, v] of Object.entries(meta.versions as Record<string, any>)) tf.kind(v.destroyed, 'bool', `metadata versions["${n}"].destroyed`);
  } finally {
    eso.close();
    tf.close();
  }
});

test('sys/mounts-all/<path> answers exactly as sys/internal/ui/mounts/<path>', async () => {
  for (const path of ['secret/lst/a', 'kv1/x', 'cubbyhole/x']) {
    const ui = await send(go, { method: 'GET', path: `sys/internal/ui/mounts/${path}` });
    const all = await send(go, { method: 'GET', path: `sys/mounts-all/${path}` });
    go.status(ui, 200, `GET sys/internal/ui/mounts/${path}`);
    go.equal(withoutId(all.body), withoutId(ui.body), `sys/mounts-all/${path} (must equal sys/internal/ui/mounts/${path})`);
  }
});

test('sys/version-history: LIST and GET ?list=true answer data.keys and data.key_info as Vault shapes them', async () => {
  const ui = replay(srv.url, 'The Vault UI (client-count upgrade warnings)', goClientHeaders(srv.rootToken));
  try {
    const viaQuery = await ui.send({ method: 'GET', path: 'sys/version-history?list=true' });
    const viaList = await ui.send({ method: 'LIST', path: 'sys/version-history' });
    ui.status(viaQuery, 200, 'GET sys/version-history?list=true');
    ui.equal(withoutId(viaList.body), withoutId(viaQuery.body), 'LIST sys/version-history (must equal GET ?list=true)');
    const data = ui.envelope(viaQuery, 'sys/version-history').data;
    ui.equal(data.keys, [VAULT_API_VERSION], 'sys/version-history data.keys');
    const info = data.key_info?.[VAULT_API_VERSION];
    ui.kind(info, 'map', `sys/version-history data.key_info["${VAULT_API_VERSION}"]`);
    ui.equal([info.build_date, info.previous_version], [BUILD_DATE, null], 'key_info [build_date, previous_version]');
    ui.kind(info.timestamp_installed, 'string', 'key_info timestamp_installed');
    ui.ok(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(info.timestamp_installed) && Date.parse(info.timestamp_installed) <= Date.now(),
      `key_info timestamp_installed "${info.timestamp_installed}" is not an RFC3339 time in the past`);
    ui.semver(data.keys[0], 'sys/version-history data.keys[0]');
  } finally {
    ui.close();
  }
});
