// External Secrets Operator's AWS provider calls, replayed literally: its reads, its batch
// filters, ListSecrets paging, and its push and delete flows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { call, startAwsServer, type AwsTestServer } from './setup.js';

let srv: AwsTestServer;
before(async () => { srv = await startAwsServer(); });
after(async () => { await srv.close(); });

const ok = async (action: string, members: unknown) => {
  const r = await call(srv, action, members);
  assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.body)}`);
  return r.body;
};

test('reads: by stage, by version id, batch by filters, list paging, describe for tags', async () => {
  const created = await ok('CreateSecret', { Name: 'eso/app', SecretString: '{"user":"a"}', ClientRequestToken: 'e'.repeat(36), Tags: [{ Key: 'team', Value: 'payments' }] });
  await ok('CreateSecret', { Name: 'eso/other', SecretString: 'o', ClientRequestToken: 'f'.repeat(36), Tags: [{ Key: 'team', Value: 'search' }] });
  assert.equal((await ok('GetSecretValue', { SecretId: 'eso/app', VersionStage: 'AWSCURRENT' })).SecretString, '{"user":"a"}');
  assert.equal((await ok('GetSecretValue', { SecretId: 'eso/app', VersionId: created.VersionId })).SecretString, '{"user":"a"}');
  const byName = await ok('BatchGetSecretValue', { Filters: [{ Key: 'name', Values: ['eso/'] }] });
  assert.deepEqual(byName.SecretValues.map((v: { Name: string }) => v.Name), ['eso/app', 'eso/other']);
  const byTag = await ok('BatchGetSecretValue', { Filters: [{ Key: 'tag-key', Values: ['team'] }, { Key: 'tag-value', Values: ['payments'] }] });
  assert.deepEqual(byTag.SecretValues.map((v: { Name: string }) => v.Name), ['eso/app']);
  const negated = await ok('ListSecrets', { Filters: [{ Key: 'tag-value', Values: ['!payments'] }, { Key: 'name', Values: ['eso/'] }] });
  assert.deepEqual(negated.SecretList.map((v: { Name: string }) => v.Name), ['eso/other']);
  const first = await ok('ListSecrets', { MaxResults: 1, Filters: [{ Key: 'name', Values: ['eso/'] }] });
  assert.equal(first.SecretList.length, 1);
  const second = await ok('ListSecrets', { MaxResults: 1, NextToken: first.NextToken, Filters: [{ Key: 'name', Values: ['eso/'] }] });
  assert.deepEqual([second.SecretList[0].Name, 'NextToken' in second], ['eso/other', false]);
  const stale = await call(srv, 'ListSecrets', { MaxResults: 1, NextToken: first.NextToken, Filters: [{ Key: 'name', Values: ['other'] }] });
  assert.equal(stale.body.__type, 'InvalidNextTokenException');
  assert.deepEqual((await ok('DescribeSecret', { SecretId: 'eso/app' })).Tags, [{ Key: 'team', Value: 'payments' }]);
});

test('push: describe, create with SecretBinary and the default KMS key, tag, untag, put', async () => {
  const missing = await call(srv, 'DescribeSecret', { SecretId: 'eso/pushed' });
  assert.equal(missing.body.__type, 'ResourceNotFoundException');
  const value = Buffer.from('pushed-value').toString('base64');
  const created = await ok('CreateSecret', {
    Name: 'eso/pushed', SecretBinary: value, ClientRequestToken: '00000000-0000-0000-0000-000000000001',
    KmsKeyId: 'alias/aws/secretsmanager', Tags: [{ Key: 'managed-by', Value: 'external-secrets' }],
  });
  assert.equal(created.VersionId, '00000000-0000-0000-0000-000000000001');
  await ok('TagResource', { SecretId: created.ARN, Tags: [{ Key: 'extra', Value: '1' }] });
  await ok('UntagResource', { SecretId: created.ARN, TagKeys: ['extra'] });
  const put = await ok('PutSecretValue', { SecretId: created.ARN, SecretBinary: Buffer.from('v2').toString('base64'), ClientRequestToken: '00000000-0000-0000-0000-000000000002' });
  assert.deepEqual(put.VersionStages, ['AWSCURRENT']);
  const got = await ok('GetSecretValue', { SecretId: 'eso/pushed' });
  assert.equal(Buffer.from(got.SecretBinary, 'base64').toString(), 'v2');
  assert.deepEqual((await ok('DescribeSecret', { SecretId: created.ARN })).Tags, [{ Key: 'managed-by', Value: 'external-secrets' }]);
});

test('delete by full ARN, with a window and forced; partial ARNs find the secret too', async () => {
  const a = await ok('CreateSecret', { Name: 'eso/del-a' });
  const b = await ok('CreateSecret', { Name: 'eso/del-b' });
  const partial = a.ARN.slice(0, -7);
  assert.equal((await ok('DescribeSecret', { SecretId: partial })).Name, 'eso/del-a');
  const wrongSuffix = await call(srv, 'DescribeSecret', { SecretId: `${partial}-zzzzzz` });
  assert.equal(wrongSuffix.body.__type, 'ResourceNotFoundException');
  assert.equal(typeof (await ok('DeleteSecret', { SecretId: a.ARN, RecoveryWindowInDays: 7 })).DeletionDate, 'number');
  assert.equal(typeof (await ok('DeleteSecret', { SecretId: b.ARN, ForceDeleteWithoutRecovery: true })).DeletionDate, 'number');
  assert.equal((await call(srv, 'DescribeSecret', { SecretId: b.ARN })).body.__type, 'ResourceNotFoundException');
  assert.equal(typeof (await ok('DescribeSecret', { SecretId: a.ARN })).DeletedDate, 'number');
});
