// Three in-process nodes with standby_reads over one shared store (PostgreSQL, then etcd):
// standbys answer KV reads, token lookups and transit themselves (X-Vault-No-Request-Forwarding
// shows it: a plain standby would answer 307), keep their caches coherent through the change
// feed, honour X-Vault-Index (read-your-writes) and forward everything else.
import assert from 'node:assert/strict';
import { createHmac, hkdfSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { forEachHaBackend, until as untilEvery, type HaBackend } from '../../helpers/ha-storage.js';
import { PG_URL } from '../../helpers/postgres.js';
import pg from 'pg';

let feedTable = '';

/** Standbys catch up within milliseconds: poll closely. */
const until = <T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000) => untilEvery(what, probe, ms, 5);

const LOCK_TTL_MS = 2000;
const LOCAL = { 'X-Vault-No-Request-Forwarding': 'true' };

/** An index token for `revision` made as the servers make them (the test holds the salt). */
async function forgedIndex(node: TestServer, revision: number): Promise<string> {
  const salt = (await node.core.barrier.get('core/token-salt')) as Buffer;
  const clusterId = (await call(node, 'GET', 'sys/seal-status')).body.cluster_id as string;
  const key = Buffer.from(hkdfSync('sha256', salt, Buffer.alloc(0), 'lockbox x-vault-index', 32));
  const state = `v1:${clusterId}:${revision}:${revision}`;
  return Buffer.from(`${state}:${createHmac('sha256', key).update(state).digest('hex')}`).toString('base64');
}

/** One request that never follows a redirect: a 307 shows the node would not answer itself. */
async function call(node: TestServer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${node.url}/v1/${path}`, {
    method, redirect: 'manual',
    headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

let token = '';

function revisionOf(index: string): number {
  return Number(Buffer.from(index, 'base64').toString('utf8').split(':')[2]);
}

function readsSuite({ name, storage }: HaBackend): void {
  describe(`standby reads on ${name}`, () => {
    let nodes: TestServer[] = [];
    let cleanup: () => Promise<void>;
    let active: TestServer;
    let standbys: TestServer[];
    before(async () => {
      const shared = await storage();
      cleanup = shared.cleanup;
      feedTable = shared.table ? `${shared.table}_changes` : '';
      active = await startTestServer({ storage: shared.config, standbyReads: true });
      token = active.rootToken;
      nodes = [active];
      for (let i = 0; i < 2; i++) {
        const node = await startTestServer({ dev: false, storage: shared.config, standbyReads: true });
        assert.equal((await call(node, 'PUT', 'sys/unseal', { key: active.unsealKey })).body.sealed, false);
        node.useToken(active.rootToken);
        nodes.push(node);
      }
      standbys = nodes.slice(1);
      assert.equal((await active.api('POST', 'sys/mounts/kv1', { type: 'kv' })).status, 204);
      assert.equal((await active.api('POST', 'sys/mounts/transit', { type: 'transit' })).status, 204);
      assert.ok([200, 204].includes((await active.api('POST', 'transit/keys/app')).status));
      for (const node of standbys) await until('the standby to serve reads', async () => (node.core.standbyReads?.ready ? true : undefined));
    });
    after(async () => {
      for (const node of nodes) await node.close().catch(() => undefined);
      await cleanup();
    });

    test('a KV v2 write on the active is read on a standby within the feed delay (served there, not forwarded)', async () => {
      const [b] = standbys as [TestServer];
      assert.equal((await active.api('POST', 'secret/data/delay', { data: { v: 'first' } })).status, 200);
      await until('the first value', async () => ((await call(b, 'GET', 'secret/data/delay', undefined, LOCAL)).body?.data?.data?.v === 'first' ? true : undefined));
      const delays: number[] = [];
      for (let i = 0; i < 10; i++) {
        assert.equal((await active.api('POST', 'secret/data/delay', { data: { v: `v${i}` } })).status, 200);
        const started = performance.now();
        await until(`v${i} on the standby`, async () => {
          const read = await call(b, 'GET', 'secret/data/delay', undefined, LOCAL);
          assert.equal(read.status, 200);
          return read.body.data.data.v === `v${i}` ? true : undefined;
        });
        delays.push(performance.now() - started);
      }
      delays.sort((x, y) => x - y);
      console.log(`# ${name}: change-feed delay to a standby's read: median ${delays[5]!.toFixed(1)} ms, worst ${delays[9]!.toFixed(1)} ms`);
    });

    test('a client echoing X-Vault-Index never reads an older value from a standby', async () => {
      for (let i = 0; i < 30; i++) {
        const wrote = await active.api('POST', 'secret/data/ryw', { data: { n: i } });
        const index = wrote.headers.get('x-vault-index');
        assert.ok(index, 'the write carries X-Vault-Index');
        const standby = standbys[i % 2] as TestServer;
        const read = await call(standby, 'GET', 'secret/data/ryw', undefined, { ...LOCAL, 'X-Vault-Index': index });
        assert.equal(read.status, 200);
        assert.equal(read.body.data.data.n, i);
        assert.ok(revisionOf(read.headers.get('x-vault-index')!) >= revisionOf(index), 'the standby answers at that index or later');
      }
    });

    test('KV v1: update then read gives the new value on a standby, delete gives 404 (cache invalidated by the feed)', async () => {
      const [b, c] = standbys as [TestServer, TestServer];
      assert.equal((await active.api('PUT', 'kv1/item', { v: 'one' })).status, 204);
      for (const node of [b, c]) {
        await until('one', async () => ((await call(node, 'GET', 'kv1/item', undefined, LOCAL)).body?.data?.v === 'one' ? true : undefined));
      }
      // Both standbys now hold `one` in their caches.
      assert.equal((await active.api('PUT', 'kv1/item', { v: 'two' })).status, 204);
      for (const node of [b, c]) {
        await until('two', async () => ((await call(node, 'GET', 'kv1/item', undefined, LOCAL)).body?.data?.v === 'two' ? true : undefined));
      }
      assert.equal((await active.api('DELETE', 'kv1/item')).status, 204);
      for (const node of [b, c]) {
        await until('404', async () => ((await call(node, 'GET', 'kv1/item', undefined, LOCAL)).status === 404 ? true : undefined));
      }
      const listed = await call(b, 'LIST', 'kv1/', undefined, LOCAL);
      assert.equal(listed.status, 404);
    });

    test('writes through a standby are forwarded; with forwarding refused they are redirected (307)', async () => {
      const [b] = standbys as [TestServer];
      const put = await call(b, 'POST', 'secret/data/via-standby', { data: { k: 'v' } });
      assert.equal(put.status, 200);
      const index = put.headers.get('x-vault-index')!;
      assert.equal((await active.api('GET', 'secret/data/via-standby')).body.data.data.k, 'v');
      const back = await call(b, 'GET', 'secret/data/via-standby', undefined, { ...LOCAL, 'X-Vault-Index': index });
      assert.equal(back.body.data.data.k, 'v');
      assert.equal((await call(b, 'POST', 'secret/data/via-standby', { data: { k: 'w' } }, LOCAL)).status, 307);
    });

    test('what a standby may not serve is forwarded: sys paths, wrapped reads, limited-use tokens, unknown tokens', async () => {
      const [b] = standbys as [TestServer];
      assert.equal((await call(b, 'GET', 'sys/mounts', undefined, LOCAL)).status, 307);
      assert.equal((await call(b, 'GET', 'sys/mounts')).status, 200);
      assert.equal((await call(b, 'GET', 'secret/data/ryw', undefined, { ...LOCAL, 'X-Vault-Wrap-TTL': '60s' })).status, 307);
      const wrapped = await call(b, 'GET', 'secret/data/ryw', undefined, { 'X-Vault-Wrap-TTL': '60s' });
      assert.equal(wrapped.status, 200);
      assert.ok(wrapped.body.wrap_info.token);
      const limited = await active.api('POST', 'auth/token/create', { policies: ['root'], num_uses: 3 });
      const token = limited.body.auth.client_token as string;
      await until('the token on the standby', async () => ((await call(b, 'GET', 'auth/token/lookup-self', undefined, { ...LOCAL, 'X-Vault-Token': token })).status === 307 ? true : undefined));
      // A token the standby has not seen (or does not exist) goes to the active node, which decides.
      assert.equal((await call(b, 'GET', 'secret/data/ryw', undefined, { ...LOCAL, 'X-Vault-Token': 'hvs.unknown' })).status, 307);
      assert.equal((await call(b, 'GET', 'secret/data/ryw', undefined, { 'X-Vault-Token': 'hvs.unknown' })).status, 403);
    });

    test('token lookups are answered on a standby; a revoked token is refused there after the feed', async () => {
      const [b] = standbys as [TestServer];
      const created = await active.api('POST', 'auth/token/create', { policies: ['default'], display_name: 'reader' });
      const token = created.body.auth.client_token as string;
      const index = created.headers.get('x-vault-index')!;
      const self = await call(b, 'GET', 'auth/token/lookup-self', undefined, { ...LOCAL, 'X-Vault-Token': token, 'X-Vault-Index': index });
      assert.equal(self.status, 200);
      assert.equal(self.body.data.display_name, 'token-reader');
      const lookup = await call(b, 'POST', 'auth/token/lookup', { token }, { ...LOCAL, 'X-Vault-Index': index });
      assert.equal(lookup.status, 200);
      assert.deepEqual(lookup.body.data.policies, ['default']);
      const revoked = await active.api('POST', 'auth/token/revoke', { token });
      assert.equal(revoked.status, 204);
      const after = revoked.headers.get('x-vault-index')!;
      const gone = await call(b, 'GET', 'auth/token/lookup-self', undefined, { 'X-Vault-Token': token, 'X-Vault-Index': after });
      assert.equal(gone.status, 403);
    });

    test('transit encrypt/decrypt/hmac/sign/verify run on a standby; a write-needing encrypt is forwarded', async () => {
      const [b, c] = standbys as [TestServer, TestServer];
      const plaintext = Buffer.from('standby secret').toString('base64');
      const enc = await call(b, 'POST', 'transit/encrypt/app', { plaintext }, LOCAL);
      assert.equal(enc.status, 200);
      const dec = await call(c, 'POST', 'transit/decrypt/app', { ciphertext: enc.body.data.ciphertext }, LOCAL);
      assert.equal(dec.body.data.plaintext, plaintext);
      assert.equal((await call(b, 'POST', 'transit/hmac/app', { input: plaintext }, LOCAL)).status, 200);
      assert.ok([200, 204].includes((await active.api('POST', 'transit/keys/signer', { type: 'ed25519' })).status));
      const index = (await active.api('GET', 'transit/keys/signer')).headers.get('x-vault-index')!;
      const signed = await call(b, 'POST', 'transit/sign/signer', { input: plaintext }, { ...LOCAL, 'X-Vault-Index': index });
      assert.equal(signed.status, 200);
      const verified = await call(c, 'POST', 'transit/verify/signer', { input: plaintext, signature: signed.body.data.signature }, { ...LOCAL, 'X-Vault-Index': index });
      assert.equal(verified.body.data.valid, true);
      // A rotation on the active reaches the standby's key cache: new ciphertexts are v2.
      const rotated = await active.api('POST', 'transit/keys/app/rotate');
      const afterRotate = rotated.headers.get('x-vault-index')!;
      const v2 = await call(b, 'POST', 'transit/encrypt/app', { plaintext }, { ...LOCAL, 'X-Vault-Index': afterRotate });
      assert.match(v2.body.data.ciphertext as string, /^vault:v2:/);
      // Encrypting with a missing key creates it (a write): the standby forwards that one.
      assert.equal((await call(b, 'POST', 'transit/encrypt/fresh', { plaintext }, LOCAL)).status, 307);
      const created = await call(b, 'POST', 'transit/encrypt/fresh', { plaintext });
      assert.equal(created.status, 200);
      assert.equal((await active.api('GET', 'transit/keys/fresh')).status, 200);
    });

    test('an index the standby has not reached: 412 by default or with fail, forwarded with forward-active-node; a forged one is 400', async () => {
      const [b] = standbys as [TestServer];
      const current = (await active.api('GET', 'secret/data/ryw')).headers.get('x-vault-index')!;
      const ahead = await forgedIndex(active, revisionOf(current) + 1_000_000);
      const started = performance.now();
      const failed = await call(b, 'GET', 'secret/data/ryw', undefined, { 'X-Vault-Index': ahead });
      assert.equal(failed.status, 412);
      assert.deepEqual(failed.body, { errors: ['required index state not present'] });
      assert.ok(performance.now() - started >= 1500, 'the standby waited for its feed first');
      assert.equal((await call(b, 'GET', 'secret/data/ryw', undefined, { 'X-Vault-Index': ahead, 'X-Vault-Inconsistent': 'fail' })).status, 412);
      const forwarded = await call(b, 'GET', 'secret/data/ryw', undefined, { 'X-Vault-Index': ahead, 'X-Vault-Inconsistent': 'forward-active-node' });
      assert.equal(forwarded.status, 200);
      const tampered = Buffer.from(Buffer.from(current, 'base64').toString('utf8').replace(/:(\d+):/, ':9$1:')).toString('base64');
      assert.equal((await call(b, 'GET', 'secret/data/ryw', undefined, { 'X-Vault-Index': tampered })).status, 400);
      assert.equal((await call(b, 'GET', 'secret/data/ryw', undefined, { 'X-Vault-Inconsistent': 'sometimes' })).status, 400);
    });

    test('sys/health and sys/leader report a read-serving standby as a performance standby (473 unless perfstandbyok)', async () => {
      const [b] = standbys as [TestServer];
      const health = await call(b, 'GET', 'sys/health');
      assert.equal(health.status, 473);
      assert.equal(health.body.standby, true);
      assert.equal(health.body.performance_standby, true);
      assert.equal((await call(b, 'GET', 'sys/health?standbyok=true')).status, 473);
      assert.equal((await call(b, 'GET', 'sys/health?perfstandbyok=true')).status, 200);
      assert.equal((await call(b, 'GET', 'sys/health?performancestandbycode=200')).status, 200);
      const activeHealth = await call(active, 'GET', 'sys/health');
      assert.equal(activeHealth.status, 200);
      assert.equal(activeHealth.body.performance_standby, false);
      const wrote = await active.api('POST', 'secret/data/wal', { data: { n: 1 } });
      const revision = revisionOf(wrote.headers.get('x-vault-index')!);
      const leader = await until('the feed at the write', async () => {
        const body = (await call(b, 'GET', 'sys/leader')).body;
        return body.performance_standby_last_remote_wal >= revision ? body : undefined;
      });
      assert.equal(leader.performance_standby, true);
      assert.equal(leader.is_self, false);
      const fromActive = (await call(active, 'GET', 'sys/leader')).body;
      assert.equal(fromActive.performance_standby, false);
      assert.equal(fromActive.performance_standby_last_remote_wal, 0);
    });

    test('canary: a secret read on a standby appears in no node log and nowhere in the change feed', async () => {
      const [b, c] = standbys as [TestServer, TestServer];
      const canary = `canary-${process.pid}-${Date.now()}`;
      const wrote = await active.api('POST', 'secret/data/canary', { data: { password: canary } });
      const index = wrote.headers.get('x-vault-index')!;
      const read = await call(b, 'GET', 'secret/data/canary', undefined, { ...LOCAL, 'X-Vault-Index': index });
      assert.equal(read.body.data.data.password, canary);
      // A failing request on the standby (bad index) must not quote the secret either.
      await call(c, 'GET', 'secret/data/canary', undefined, { 'X-Vault-Index': `${index}x` });
      for (const node of nodes) assert.ok(!node.log().includes(canary), 'no node logs the secret');
      if (name === 'postgresql') {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        try {
          const rows = await client.query(`SELECT keys::text AS keys FROM "${feedTable}"`);
          assert.ok(rows.rows.length > 0);
          assert.ok(rows.rows.every((r) => !(r.keys as string).includes(canary)), 'the change feed holds keys only');
        } finally {
          await client.end();
        }
      }
    });

    test('a policy change on the active reaches a standby (ACL cache invalidated)', async () => {
      const [b] = standbys as [TestServer];
      await active.api('PUT', 'sys/policies/acl/reader', { policy: 'path "secret/data/ryw" { capabilities = ["read"] }' });
      const created = await active.api('POST', 'auth/token/create', { policies: ['reader'] });
      const token = created.body.auth.client_token as string;
      const index = created.headers.get('x-vault-index')!;
      assert.equal((await call(b, 'GET', 'secret/data/ryw', undefined, { ...LOCAL, 'X-Vault-Token': token, 'X-Vault-Index': index })).status, 200);
      const changed = await active.api('PUT', 'sys/policies/acl/reader', { policy: 'path "secret/data/other" { capabilities = ["read"] }' });
      const later = changed.headers.get('x-vault-index')!;
      assert.equal((await call(b, 'GET', 'secret/data/ryw', undefined, { ...LOCAL, 'X-Vault-Token': token, 'X-Vault-Index': later })).status, 403);
    });
  });
}

forEachHaBackend('sr', LOCK_TTL_MS, readsSuite);
