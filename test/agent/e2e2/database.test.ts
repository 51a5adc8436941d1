// Database credentials through the agent, end to end: a real server (file audit device), the
// shared PostgreSQL, and `lockbox agent` as its own process. The rendered user keeps its lease
// through renewals, is replaced before the max TTL, and the old user is dropped at its max TTL;
// revoke_on_shutdown takes the token and its users with it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestServer } from '../../helpers/server.js';
import { CANARY, PG_URL, closeDatabaseServer, expectStatus, pgAdmin, pgRoleExists, startDatabaseServer, unique } from '../../engines/database/helpers.js';
import { approleRole, lookupSelf, readIfExists, startAgent, waitFor, writeApproleConfig } from '../helpers.js';

let srv: TestServer;
let dir: string;
const prefix = unique('agt');
const audit = () => readIfExists(join(dir, 'audit.log')) ?? '';

before(async () => {
  srv = await startDatabaseServer();
  dir = mkdtempSync(join(tmpdir(), 'agent-db-'));
  expectStatus(await srv.api('POST', 'sys/audit/file', { type: 'file', options: { file_path: join(dir, 'audit.log') } }), 204);
  expectStatus(await srv.api('POST', 'database/config/pg', {
    plugin_name: 'postgresql-database-plugin', connection_url: PG_URL, username: 'postgres', password: CANARY,
    allowed_roles: ['short', 'long'], username_template: `${prefix}-{{.RoleName}}-{{random 8 | lowercase}}`,
  }), 204);
  const creation = [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`];
  expectStatus(await srv.api('POST', 'database/roles/short', { db_name: 'pg', default_ttl: '4s', max_ttl: '15s', creation_statements: creation }), 204);
  expectStatus(await srv.api('POST', 'database/roles/long', { db_name: 'pg', default_ttl: '1h', max_ttl: '2h', creation_statements: creation }), 204);
  expectStatus(await srv.api('POST', 'sys/policies/acl/db', { policy: 'path "database/creds/*" { capabilities = ["read"] }' }), 204);
});
after(async () => {
  await srv.api('PUT', 'sys/leases/revoke-prefix/database/creds');
  for (const { rolname } of await pgAdmin<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [`${prefix}%`])) {
    await pgAdmin(`DROP ROLE "${rolname}"`);
  }
  await closeDatabaseServer(srv);
  rmSync(dir, { recursive: true, force: true });
});

const issueTime = async (leaseId: string) => {
  const r = await srv.api('PUT', 'sys/leases/lookup', { lease_id: leaseId });
  expectStatus(r, 200);
  return Date.parse(r.body.data.issue_time as string);
};

test('database creds: renewed (same user, sys/leases/renew audited), replaced before max TTL with the command run, old user dropped at max TTL', async () => {
  const ids = await approleRole(srv, 'db-short', { token_ttl: '60s', token_policies: ['db'] });
  const dest = join(dir, 'short.txt');
  const ran = join(dir, 'short-commands.log');
  const config = writeApproleConfig(srv, dir, 'short', ids, '', `
template {
  contents = "{{ with secret \\"database/creds/short\\" }}{{ .Data.username }} {{ .LeaseID }} {{ .Data.password }}{{ end }}"
  destination = "${dest}"
  exec { command = ["/bin/sh", "-c", "cut -d' ' -f1 ${dest} >> ${ran}"] }
}`);
  const agent = startAgent([`-config=${config}`, '-log-level=debug']);
  try {
    const [user1, lease1] = (await waitFor('the first user', () => readIfExists(dest), 15_000, agent)).split(' ') as [string, string, string];
    const issued = await issueTime(lease1);
    assert.ok(await pgRoleExists(user1));
    // Past the 4 s TTL: still the same user, kept alive by renewals.
    await new Promise((r) => setTimeout(r, Math.max(0, issued + 6000 - Date.now())));
    assert.equal(readFileSync(dest, 'utf8').split(' ')[0], user1);
    assert.ok(await pgRoleExists(user1), 'the renewed user still exists after its first TTL');
    assert.match(audit(), /"path":"sys\/leases\/renew"/);
    assert.match(agent.output(), /renewed lease path=database\/creds\/short/);
    const [user2] = (await waitFor('a new user', () => {
      const text = readIfExists(dest);
      return text && !text.startsWith(`${user1} `) ? text : undefined;
    }, 15_000, agent)).split(' ') as [string];
    const replacedAfter = Date.now() - issued;
    assert.ok(replacedAfter < 15_000, `replaced ${replacedAfter} ms after issue\n${agent.output()}`);
    assert.ok(await pgRoleExists(user1), 'the old user lives on until its lease ends');
    await waitFor('the command for the new user', () => (readIfExists(ran) === `${user1}\n${user2}\n` ? true : undefined), 5000, agent);
    await waitFor('the old user to be dropped', async () => ((await pgRoleExists(user1)) ? undefined : true), 20_000);
    const droppedAfter = Date.now() - issued;
    assert.ok(droppedAfter > 12_000 && droppedAfter < 19_000, `dropped ${droppedAfter} ms after issue`);
    assert.ok(await pgRoleExists(user2));
  } finally {
    assert.equal(await agent.stop(), 0, agent.output());
  }
  const password = readFileSync(dest, 'utf8').split(' ')[2] as string;
  assert.equal(agent.output().includes(password), false, 'a password reached the agent log');
});

test('revoke_on_shutdown: SIGTERM revokes the auto-auth token, and with it the database user it rendered', async () => {
  const ids = await approleRole(srv, 'db-long', { token_ttl: '60s', token_policies: ['db'] });
  const dest = join(dir, 'long.txt');
  const sink = join(dir, 'long-token');
  const config = writeApproleConfig(srv, dir, 'long', ids, `revoke_on_shutdown = true\n  sink "file" { config = { path = "${sink}" } }`, `
template {
  contents = "{{ with secret \\"database/creds/long\\" }}{{ .Data.username }}{{ end }}"
  destination = "${dest}"
}`);
  const agent = startAgent([`-config=${config}`]);
  const user = await waitFor('the user', () => readIfExists(dest), 15_000, agent);
  const token = await waitFor('the token', () => readIfExists(sink), 5000, agent);
  assert.ok(await pgRoleExists(user));
  assert.equal(await lookupSelf(srv, token), 200);
  assert.equal(await agent.stop('SIGTERM'), 0, agent.output());
  assert.match(agent.output(), /auto-auth token revoked/);
  assert.equal(await lookupSelf(srv, token), 403);
  await waitFor('the user to be dropped', async () => ((await pgRoleExists(user)) ? undefined : true), 5000);
});
