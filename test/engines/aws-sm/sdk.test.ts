// @aws-sdk/client-secrets-manager (v3) against a running server, over every action served,
// the endpoint taken from AWS_ENDPOINT_URL_SECRETS_MANAGER as users configure it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as sm from '@aws-sdk/client-secrets-manager';
import { startAwsServer, type AwsTestServer } from './setup.js';

let srv: AwsTestServer;
let client: sm.SecretsManagerClient;
const CANARY = `canary-${randomUUID()}`;
const run = randomUUID().slice(0, 8);
const name = (n: string) => `sdk-${run}/${n}`;

before(async () => {
  srv = await startAwsServer();
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = srv.url;
  client = new sm.SecretsManagerClient({
    region: 'us-east-1',
    credentials: srv.rootKey,
  });
});
after(async () => {
  client.destroy();
  delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  assert.equal(srv.log().includes(CANARY), false, 'a secret value reached the server log');
  await srv.close();
});

test('create, read, put, describe and list versions', async () => {
  const created = await client.send(new sm.CreateSecretCommand({ Name: name('db'), SecretString: CANARY, Description: 'the db', Tags: [{ Key: 'team', Value: 'core' }] }));
  assert.match(created.ARN!, new RegExp(`^arn:aws:secretsmanager:us-east-1:\\d{12}:secret:${name('db')}-[A-Za-z0-9]{6}$`));
  const first = await client.send(new sm.GetSecretValueCommand({ SecretId: name('db') }));
  assert.equal(first.SecretString, CANARY);
  assert.ok(first.CreatedDate instanceof Date);
  assert.deepEqual(first.VersionStages, ['AWSCURRENT']);
  const put = await client.send(new sm.PutSecretValueCommand({ SecretId: created.ARN!, SecretString: 'second' }));
  assert.deepEqual(put.VersionStages, ['AWSCURRENT']);
  const previous = await client.send(new sm.GetSecretValueCommand({ SecretId: name('db'), VersionStage: 'AWSPREVIOUS' }));
  assert.equal(previous.VersionId, created.VersionId);
  const described = await client.send(new sm.DescribeSecretCommand({ SecretId: name('db') }));
  assert.equal(described.Description, 'the db');
  assert.deepEqual(described.Tags, [{ Key: 'team', Value: 'core' }]);
  assert.deepEqual(described.VersionIdsToStages, { [created.VersionId!]: ['AWSPREVIOUS'], [put.VersionId!]: ['AWSCURRENT'] });
  const versions = await client.send(new sm.ListSecretVersionIdsCommand({ SecretId: name('db') }));
  assert.equal(versions.Versions!.length, 2);
});

test('binary secrets travel as base64 and come back as bytes', async () => {
  const bytes = new Uint8Array([0, 1, 2, 250, 255]);
  await client.send(new sm.CreateSecretCommand({ Name: name('bin'), SecretBinary: bytes }));
  const got = await client.send(new sm.GetSecretValueCommand({ SecretId: name('bin') }));
  assert.deepEqual([...got.SecretBinary!], [...bytes]);
  assert.equal(got.SecretString, undefined);
});

test('update, tags, labels, policies, random password', async () => {
  await client.send(new sm.CreateSecretCommand({ Name: name('misc'), SecretString: 'a' }));
  const upd = await client.send(new sm.UpdateSecretCommand({ SecretId: name('misc'), SecretString: 'b', Description: 'd' }));
  await client.send(new sm.TagResourceCommand({ SecretId: name('misc'), Tags: [{ Key: 'k', Value: 'v' }, { Key: 'k2', Value: 'v2' }] }));
  await client.send(new sm.UntagResourceCommand({ SecretId: name('misc'), TagKeys: ['k2'] }));
  assert.deepEqual((await client.send(new sm.DescribeSecretCommand({ SecretId: name('misc') }))).Tags, [{ Key: 'k', Value: 'v' }]);
  await client.send(new sm.UpdateSecretVersionStageCommand({ SecretId: name('misc'), VersionStage: 'blue', MoveToVersionId: upd.VersionId }));
  const blue = await client.send(new sm.GetSecretValueCommand({ SecretId: name('misc'), VersionStage: 'blue' }));
  assert.equal(blue.SecretString, 'b');
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] });
  await client.send(new sm.PutResourcePolicyCommand({ SecretId: name('misc'), ResourcePolicy: policy }));
  assert.equal((await client.send(new sm.GetResourcePolicyCommand({ SecretId: name('misc') }))).ResourcePolicy, policy);
  const valid = await client.send(new sm.ValidateResourcePolicyCommand({ ResourcePolicy: policy }));
  assert.equal(valid.PolicyValidationPassed, true);
  await client.send(new sm.DeleteResourcePolicyCommand({ SecretId: name('misc') }));
  assert.equal((await client.send(new sm.GetResourcePolicyCommand({ SecretId: name('misc') }))).ResourcePolicy, undefined);
  const pw = await client.send(new sm.GetRandomPasswordCommand({ PasswordLength: 20, ExcludePunctuation: true }));
  assert.match(pw.RandomPassword!, /^[A-Za-z0-9]{20}$/);
});

test('list with filters and the paginator; batch get', async () => {
  for (const n of ['p1', 'p2', 'p3']) await client.send(new sm.CreateSecretCommand({ Name: name(`page/${n}`), SecretString: n, Tags: [{ Key: 'pg', Value: n }] }));
  const names: string[] = [];
  for await (const page of sm.paginateListSecrets({ client, pageSize: 2 }, { Filters: [{ Key: 'name', Values: [name('page/')] }] })) {
    assert.ok(page.SecretList!.length <= 2);
    names.push(...page.SecretList!.map((s) => s.Name!));
  }
  assert.deepEqual(names, [name('page/p1'), name('page/p2'), name('page/p3')]);
  const batch = await client.send(new sm.BatchGetSecretValueCommand({ SecretIdList: [name('page/p1'), name('absent')] }));
  assert.deepEqual(batch.SecretValues!.map((v) => v.SecretString), ['p1']);
  assert.deepEqual(batch.Errors!.map((e) => [e.SecretId, e.ErrorCode]), [[name('absent'), 'ResourceNotFoundException']]);
  const byTag = await client.send(new sm.BatchGetSecretValueCommand({ Filters: [{ Key: 'tag-key', Values: ['pg'] }, { Key: 'tag-value', Values: ['p2', 'p3'] }] }));
  assert.deepEqual(byTag.SecretValues!.map((v) => v.SecretString).sort(), ['p2', 'p3']);
});

test('the `all` filter splits its value into words and matches any of them in names, descriptions and tags', async () => {
  const letters = () => Array.from((randomUUID() + randomUUID()).replace(/[^a-f]/g, '')).map((c) => String.fromCharCode(c.charCodeAt(0) + 10)).join('').slice(0, 8);
  const [word, other, absent] = [letters(), letters(), letters()];
  await client.send(new sm.CreateSecretCommand({ Name: name('all/ledger'), Description: `${word}Ledger2024` }));
  await client.send(new sm.CreateSecretCommand({ Name: name('all/tagged'), Tags: [{ Key: 'owner', Value: `team-${other}` }] }));
  await client.send(new sm.CreateSecretCommand({ Name: name('all/plain'), Description: 'nothing to see' }));
  const all = async (value: string) => (await client.send(new sm.ListSecretsCommand({ Filters: [{ Key: 'all', Values: [value] }] })))
    .SecretList!.map((s) => s.Name).filter((n) => n!.startsWith(name('all/'))).sort();
  // A lower-case letter before an upper-case one ends a word; case does not matter.
  assert.deepEqual(await all(word.toUpperCase()), [name('all/ledger')]);
  assert.deepEqual(await all('ledger'), [name('all/ledger')]);
  // Words of the value are alternatives: either one finds its secret.
  assert.deepEqual(await all(`${absent}_${other}`), [name('all/tagged')]);
  assert.deepEqual(await all(`${word} ${other}`), [name('all/ledger'), name('all/tagged')]);
  assert.deepEqual(await all(absent), []);
});

test('delete with a window, restore, force delete; modeled exceptions', async () => {
  await client.send(new sm.CreateSecretCommand({ Name: name('gone'), SecretString: 'x' }));
  const del = await client.send(new sm.DeleteSecretCommand({ SecretId: name('gone'), RecoveryWindowInDays: 7 }));
  assert.ok(del.DeletionDate instanceof Date);
  await assert.rejects(client.send(new sm.GetSecretValueCommand({ SecretId: name('gone') })), (e: Error) => e instanceof sm.InvalidRequestException);
  assert.ok((await client.send(new sm.DescribeSecretCommand({ SecretId: name('gone') }))).DeletedDate instanceof Date);
  await client.send(new sm.RestoreSecretCommand({ SecretId: name('gone') }));
  assert.equal((await client.send(new sm.GetSecretValueCommand({ SecretId: name('gone') }))).SecretString, 'x');
  await client.send(new sm.DeleteSecretCommand({ SecretId: name('gone'), ForceDeleteWithoutRecovery: true }));
  await assert.rejects(client.send(new sm.DescribeSecretCommand({ SecretId: name('gone') })), (e: Error) => e instanceof sm.ResourceNotFoundException);
  await client.send(new sm.CreateSecretCommand({ Name: name('dup') }));
  await assert.rejects(client.send(new sm.CreateSecretCommand({ Name: name('dup') })),
    (e: Error) => e instanceof sm.ResourceExistsException && e.message === `The operation failed because the secret ${name('dup')} already exists.`);
  await assert.rejects(client.send(new sm.ReplicateSecretToRegionsCommand({ SecretId: name('dup'), AddReplicaRegions: [{ Region: 'eu-west-1' }] })),
    (e: Error) => e instanceof sm.InvalidRequestException);
});
