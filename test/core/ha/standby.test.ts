// Three in-process nodes over one shared store: one active, two standbys that answer
// sys/health and sys/leader themselves and forward (or redirect) everything else; step-down
// hands the active role over, and the new active node serves what the old one wrote.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { forEachHaBackend, until, type HaBackend } from '../../helpers/ha-storage.js';
import { runLockbox } from '../../cli/helpers.js';

const LOCK_TTL_MS = 2000;

function clusterSuite({ name, storage }: HaBackend): void {
  describe(`HA on ${name}`, () => {
    let nodes: TestServer[] = [];
    let cleanup: () => Promise<void>;
    let root = '';
    before(async () => {
      const shared = await storage();
      cleanup = shared.cleanup;
      const first = await startTestServer({ storage: shared.config });
      root = first.rootToken;
      nodes = [first];
      for (let i = 0; i < 2; i++) {
        const node = await startTestServer({ dev: false, storage: shared.config });
        const unsealed = await node.api('PUT', 'sys/unseal', { key: first.unsealKey });
        assert.equal(unsealed.body.sealed, false);
        node.useToken(root);
        nodes.push(node);
      }
    });
    after(async () => {
      for (const node of nodes) await node.close().catch(() => undefined);
      await cleanup();
    });

    test('sys/leader names the active node from every node; standbys say is_self false', async () => {
      const [a, b, c] = nodes as [TestServer, TestServer, TestServer];
      const fromA = (await a.api('GET', 'sys/leader')).body;
      assert.equal(fromA.ha_enabled, true);
      assert.equal(fromA.is_self, true);
      assert.equal(fromA.leader_address, a.url);
      assert.notEqual(fromA.active_time, '0001-01-01T00:00:00Z');
      for (const standby of [b, c]) {
        const body = (await standby.api('GET', 'sys/leader')).body;
        assert.deepEqual(body, {
          ha_enabled: true, is_self: false, active_time: '0001-01-01T00:00:00Z', leader_address: a.url,
          leader_cluster_address: fromA.leader_cluster_address, performance_standby: false, performance_standby_last_remote_wal: 0,
        });
      }
    });

    test('sys/ha-status (from a standby, forwarded) lists every node, the active one without an echo', async () => {
      const [a, b] = nodes as [TestServer, TestServer];
      const res = await b.api('GET', 'sys/ha-status');
      assert.equal(res.status, 200);
      const listed = res.body.Nodes as Array<Record<string, unknown>>;
      assert.deepEqual(listed.map((n) => n.api_address).sort(), nodes.map((n) => n.url).sort());
      const active = listed.filter((n) => n.active_node === true);
      assert.equal(active.length, 1);
      assert.equal(active[0]?.api_address, a.url);
      assert.equal(active[0]?.last_echo, null);
      for (const n of listed.filter((x) => x.active_node === false)) assert.ok(Date.parse(n.last_echo as string) > Date.now() - 60_000);
    });

    test('sys/health: 200 on the active, 429 on a standby unless standbyok or standbycode', async () => {
      const [a, b] = nodes as [TestServer, TestServer];
      const active = await a.api('GET', 'sys/health');
      assert.equal(active.status, 200);
      assert.equal(active.body.standby, false);
      const standby = await b.api('GET', 'sys/health');
      assert.equal(standby.status, 429);
      assert.equal(standby.body.standby, true);
      assert.equal(standby.body.sealed, false);
      assert.equal((await b.api('GET', 'sys/health?standbyok=true')).status, 200);
      assert.equal((await b.api('GET', 'sys/health?standbycode=200')).status, 200);
      assert.equal((await b.api('GET', 'sys/health?perfstandbyok=true')).status, 429);
    });

    test('a standby forwards writes and reads to the active node, status and headers included', async () => {
      const [a, b, c] = nodes as [TestServer, TestServer, TestServer];
      const put = await b.api('POST', 'secret/data/app', { data: { password: 'forwarded-canary' } });
      assert.equal(put.status, 200);
      assert.equal(put.body.data.version, 1);
      const read = await c.api('GET', 'secret/data/app');
      assert.equal(read.status, 200);
      assert.deepEqual(read.body.data.data, { password: 'forwarded-canary' });
      assert.match(read.headers.get('content-type') ?? '', /application\/json/);
      assert.equal((await c.api('GET', 'secret/data/missing')).status, 404);
      const denied = await b.api('GET', 'secret/data/app', undefined, { 'X-Vault-Token': 'not-a-token' });
      assert.equal(denied.status, 403);
      const listed = await c.api('LIST', 'secret/metadata');
      assert.deepEqual(listed.body.data.keys, ['app']);
      assert.equal((await a.api('GET', 'secret/data/app')).body.data.data.password, 'forwarded-canary');
      for (const node of nodes) assert.doesNotMatch(node.log(), /forwarded-canary/);
    });

    test('sys/seal on a standby is refused, never forwarded to seal the active node', async () => {
      const [a, b] = nodes as [TestServer, TestServer];
      const res = await b.api('PUT', 'sys/seal');
      assert.equal(res.status, 400);
      assert.equal((await a.api('GET', 'sys/seal-status')).body.sealed, false);
      assert.equal((await b.api('GET', 'sys/seal-status')).body.sealed, false);
    });

    test('with X-Vault-No-Request-Forwarding a standby answers 307 to the active node', async () => {
      const [a, b] = nodes as [TestServer, TestServer];
      const res = await fetch(`${b.url}/v1/secret/data/app?version=1`, {
        headers: { 'X-Vault-Token': root, 'X-Vault-No-Request-Forwarding': 'true' }, redirect: 'manual',
      });
      assert.equal(res.status, 307);
      assert.equal(res.headers.get('location'), `${a.url}/v1/secret/data/app?version=1`);
    });

    test('lockbox status and operator members show the HA roles', async () => {
      const [a, b] = nodes as [TestServer, TestServer];
      const env = (url: string) => ({ VAULT_ADDR: url, VAULT_TOKEN: root });
      const active = await runLockbox(['status'], env(a.url));
      assert.equal(active.code, 0);
      assert.match(active.stdout, /HA Enabled\s+true\n/);
      assert.match(active.stdout, /HA Mode\s+active\n/);
      assert.match(active.stdout, /Active Since\s+\d{4}-/);
      const standby = await runLockbox(['status'], env(b.url));
      assert.match(standby.stdout, /HA Mode\s+standby\n/);
      assert.match(standby.stdout, new RegExp(`Active Node Address\\s+${a.url}\n`));
      const members = await runLockbox(['operator', 'members'], env(b.url));
      assert.equal(members.code, 0);
      assert.match(members.stdout, /^Host Name\s+API Address\s+Cluster Address\s+Active Node\s+Version/);
      assert.equal(members.stdout.trim().split('\n').length, 1 + nodes.length);
    });

    test('step-down hands the active role to a standby, which serves what was written', async () => {
      const [a] = nodes as [TestServer];
      // Sent to a standby: forwarded to the active node, as with Vault.
      const standby = nodes[1] as TestServer;
      const stepped = await runLockbox(['operator', 'step-down'], { VAULT_ADDR: standby.url, VAULT_TOKEN: root });
      assert.equal(stepped.stdout, `Success! Stepped down: ${standby.url}\n`);
      const next = await until('a new active node', async () => {
        // A node reports itself active only once it has loaded mounts and policies, so the
        // first read after is_self turns true is already served.
        for (const node of nodes.slice(1)) {
          if ((await node.api('GET', 'sys/leader')).body.is_self === true) return node;
        }
        return undefined;
      }, LOCK_TTL_MS * 5);
      assert.equal((await next.api('GET', 'secret/data/app')).status, 200);
      assert.equal((await next.api('GET', 'sys/health')).status, 200);
      assert.equal((await a.api('GET', 'sys/health')).status, 429);
      assert.equal((await a.api('GET', 'sys/leader')).body.leader_address, next.url);
      assert.equal((await a.api('GET', 'secret/data/app')).body.data.data.password, 'forwarded-canary');
      const put = await a.api('POST', 'secret/data/app', { data: { password: 'after-step-down' } });
      assert.equal(put.body.data.version, 2);
      assert.equal((await next.api('GET', 'secret/data/app')).body.data.data.password, 'after-step-down');
    });
  });
}

forEachHaBackend('ha', LOCK_TTL_MS, clusterSuite);
