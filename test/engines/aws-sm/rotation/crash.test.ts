// The real server process over one SQLite file, killed with SIGKILL while an alternating-users
// PostgreSQL rotation stands between setSecret and finishSecret (testSecret fails: the new
// user may not log in yet). After a restart and unseal the periodic hook resumes the same
// rotation: the same VersionId becomes AWSCURRENT with the password setSecret already set.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { call, freePort, spawnServer, unseal, writeConfig, type ServerProcess } from '../../../server/process.js';
import { startScramCluster, type ScramCluster } from '../../database/scram-cluster.js';
import { pgAdmin, pgLogin } from '../../database/helpers.js';
import { signedCall } from '../setup.js';

const CANARY = `canary-crash-${randomBytes(4).toString('hex')}`;
let dir = '';
let config = '';
let db: ScramCluster;
let keys: string[] = [];
let root = '';
const logs: string[] = [];

before(async () => {
  db = await startScramCluster();
  dir = mkdtempSync(join(tmpdir(), 'lockbox-rotation-crash-'));
  config = join(dir, 'lockbox.hcl');
  writeConfig(config, { db: join(dir, 'lockbox.db'), port: await freePort() });
});
after(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
  const all = logs.join('\n');
  assert.equal(all.includes(CANARY), false, 'a password reached the server output');
});

async function start(): Promise<ServerProcess> {
  const server = await spawnServer(config);
  void server.exited.then(() => logs.push(server.stdout(), server.stderr()));
  return server;
}

const v1 = async (url: string, method: string, path: string, body?: unknown) => {
  const r = await call(url, method, path, { token: root, body });
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

test('kill -9 between setSecret and finishSecret: the restarted server finishes the same rotation', async () => {
  let server = await start();
  const init = await call(server.url, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  keys = init.body.keys;
  root = init.body.root_token;
  assert.equal((await unseal(server.url, keys)).sealed, false);
  await v1(server.url, 'POST', 'sys/mounts/aws-sm', { type: 'aws-sm' });
  await v1(server.url, 'POST', 'sys/auth/sigv4', { type: 'sigv4' });
  await v1(server.url, 'PUT', 'sys/policies/acl/admin', { policy: 'path "aws-sm/*" { capabilities = ["create", "read", "update", "delete", "list"] }' });
  await v1(server.url, 'POST', 'auth/sigv4/role/admin', { token_policies: ['admin'] });
  const k = (await v1(server.url, 'POST', 'auth/sigv4/role/admin/keys')).data;
  const key = { accessKeyId: k.access_key_id as string, secretAccessKey: k.secret_access_key as string };
  const aws = async (url: string, action: string, members: unknown) => {
    const r = await signedCall(url, JSON.stringify(members), { key, target: `secretsmanager.${action}` });
    assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.body)}`);
    return r.body;
  };

  const user = `crash_${randomBytes(3).toString('hex')}`;
  const master = `${user}_m`;
  await pgAdmin(`CREATE ROLE ${master} LOGIN SUPERUSER PASSWORD '${CANARY}-m'`, [], db.port, db.password);
  await pgAdmin(`CREATE ROLE ${user} LOGIN PASSWORD '${CANARY}-u'`, [], db.port, db.password);
  // The clone may not log in yet: setSecret (as the master) sets its password, testSecret fails.
  await pgAdmin(`CREATE ROLE ${user}_clone NOLOGIN`, [], db.port, db.password);
  const base = { engine: 'postgres', host: '127.0.0.1', port: db.port, dbname: 'postgres' };
  const m = await aws(server.url, 'CreateSecret', { Name: `crash/${master}`, SecretString: JSON.stringify({ ...base, username: master, password: `${CANARY}-m` }), ClientRequestToken: randomUUID() });
  const name = `crash/${user}`;
  const first = randomUUID();
  await aws(server.url, 'CreateSecret', { Name: name, SecretString: JSON.stringify({ ...base, username: user, password: `${CANARY}-u`, masterarn: m.ARN }), ClientRequestToken: first });
  const token = randomUUID();
  await aws(server.url, 'RotateSecret', { SecretId: name, ClientRequestToken: token, RotationLambdaARN: 'lockbox:rotator:PostgreSQLMultiUser' });
  const pending = JSON.parse((await aws(server.url, 'GetSecretValue', { SecretId: name, VersionStage: 'AWSPENDING' })).SecretString);
  assert.equal(pending.username, `${user}_clone`);
  assert.equal(await pgLogin(db.port, `${user}_clone`, pending.password), '28000', 'setSecret ran (the role just may not log in)');

  assert.equal(await server.stop('SIGKILL'), 'SIGKILL');
  await pgAdmin(`ALTER ROLE ${user}_clone LOGIN`, [], db.port, db.password);
  server = await start();
  try {
    assert.equal((await unseal(server.url, keys)).sealed, false);
    // The first periodic run after unseal, or the next once the backoff is over, resumes it.
    let stages: Record<string, string[]> = {};
    for (let i = 0; i < 100; i++) {
      stages = (await aws(server.url, 'DescribeSecret', { SecretId: name })).VersionIdsToStages;
      if (stages[token]?.includes('AWSCURRENT')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(stages, { [first]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT'] });
    const now = await aws(server.url, 'GetSecretValue', { SecretId: name });
    assert.equal(now.VersionId, token);
    assert.equal(JSON.parse(now.SecretString).password, pending.password, 'the same rotation, not a new one');
    assert.equal(await pgLogin(db.port, `${user}_clone`, pending.password), 'ok');
    assert.equal(await pgLogin(db.port, user, `${CANARY}-u`), 'ok', 'the previous user still logs in');
  } finally {
    await server.stop('SIGTERM');
    await pgAdmin(`DROP ROLE ${user}_clone`, [], db.port, db.password);
    await pgAdmin(`DROP ROLE ${user}`, [], db.port, db.password);
    await pgAdmin(`DROP ROLE ${master}`, [], db.port, db.password);
  }
});
