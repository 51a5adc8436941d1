// hashicorp/vault-action, replayed: with method "token" (AppRole is not built in, so its login
// cannot be replayed) it GETs `v1/<path>` for each requested secret through `got`, with an
// `X-Vault-Namespace` header that is empty whenever the `namespace` input is unset, no
// Content-Type and no X-Vault-Request. It then picks `data.data.<key>` when `data.data` exists
// (KV v2) and `data.<key>` otherwise (KV v1).
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { replay, type Answer, type Replay } from './replay.js';

const CANARY = 'canary-ac7-90e2'; // a CI secret; must never reach the server log
let srv: TestServer;
let action: Replay;

/** The headers got sends for vault-action: its defaults, the namespace input ('' when unset), the token. */
const actionHeaders = (token: string) => ({
  'user-agent': 'got (https://github.com/sindresorhus/got)',
  'accept-encoding': 'gzip, deflate, br',
  'X-Vault-Namespace': '',
  'X-Vault-Token': token,
});

before(async () => {
  srv = await startTestServer();
  await srv.api('POST', 'sys/mounts/kv', { type: 'kv' });
  await srv.api('PUT', 'sys/policies/acl/ci', { policy: 'path "secret/data/ci/*" { capabilities = ["read"] }\npath "kv/ci/*" { capabilities = ["read"] }' });
  await srv.api('POST', 'secret/data/ci/app', { data: { password: CANARY, 'api-key': 'k-123', tls: { cert: 'PEM' } } });
  await srv.api('PUT', 'kv/ci/app', { user: 'deploy', password: CANARY });
  const token = (await srv.api('POST', 'auth/token/create', { policies: ['ci'], ttl: '10m' })).body.auth.client_token;
  action = replay(srv.url, 'vault-action', actionHeaders(token));
});
after(async () => {
  action.close();
  if (srv.log().includes(CANARY)) throw new Error('a CI secret reached the server log');
  await srv.close();
});

/**
 * getSecrets + selectData for one `<path> <key>` line: JSON.parse(body), then the jsonata
 * selector `data.data.<key>` if body.data.data exists, else `data.<key>`. A string result is
 * returned as is; anything else JSON-encoded.
 */
function select(r: Replay, ans: Answer, path: string, key: string): string {
  if (ans.status === 404) r.fail(`Unable to retrieve result for "${path}" because it was not found: ${ans.text.trim()}`);
  r.status(ans, 200, `GET v1/${path}`);
  const body = r.json(ans, `GET v1/${path}`);
  r.kind(body.data, 'map', `GET v1/${path} "data" (body.data["data"] is read unguarded)`);
  const source = body.data.data !== undefined ? body.data.data : body.data;
  const value = key.split('.').reduce<any>((v, k) => (v === undefined || v === null ? undefined : v[k]), source);
  if (value === undefined) r.fail(`Unable to retrieve result for data.${key}. No match data was found in ${path}`);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

test('KV v2: `secret/data/ci/app password` selects data.data.password, with the empty namespace header', async () => {
  const ans = await action.send({ method: 'GET', path: 'secret/data/ci/app' });
  action.equal(select(action, ans, 'secret/data/ci/app', 'password'), CANARY, 'secret/data/ci/app password');
  action.equal(select(action, ans, 'secret/data/ci/app', 'api-key'), 'k-123', 'secret/data/ci/app api-key');
  action.equal(select(action, ans, 'secret/data/ci/app', 'tls.cert'), 'PEM', 'secret/data/ci/app tls.cert (a JSON selector)');
});

test('KV v1: `kv/ci/app user` selects data.user (no data.data on a v1 read)', async () => {
  const ans = await action.send({ method: 'GET', path: 'kv/ci/app' });
  action.equal(select(action, ans, 'kv/ci/app', 'user'), 'deploy', 'kv/ci/app user');
  action.equal(select(action, ans, 'kv/ci/app', 'password'), CANARY, 'kv/ci/app password');
});

test('a missing secret is a 404 whose body is JSON the action can quote in its error', async () => {
  const ans = await action.send({ method: 'GET', path: 'secret/data/ci/absent' });
  action.equal(action.errors(ans, 404, 'GET v1/secret/data/ci/absent'), [], 'the missing secret\'s errors');
  action.equal(ans.text.trim(), '{"errors":[]}', 'the 404 body quoted in the action\'s error');
});

test('a bad, missing or revoked token is 403 {"errors":["permission denied"]}, never 401', async () => {
  const revoked = (await srv.api('POST', 'auth/token/create', { policies: ['ci'], ttl: '10m' })).body.auth.client_token;
  await srv.api('POST', 'auth/token/revoke', { token: revoked });
  for (const [token, label] of [['hvs.not-a-real-token', 'a garbage token'], ['', 'no token'], [revoked, 'a revoked token']] as const) {
    for (const path of ['secret/data/ci/app', 'kv/ci/app']) {
      const ans = await action.send({ method: 'GET', path, token });
      action.ok(ans.status !== 401, `GET v1/${path} with ${label} answered 401`);
      action.equal(action.errors(ans, 403, `GET v1/${path} with ${label}`), ['permission denied'], `the errors for ${label}`);
    }
  }
  // A path outside the token's policy: the same 403.
  const denied = await action.send({ method: 'GET', path: 'secret/data/other/app' });
  action.equal(action.errors(denied, 403, 'GET v1/secret/data/other/app outside the policy'), ['permission denied'], 'the errors outside the policy');
});
