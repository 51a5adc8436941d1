// Bad input over raw signed HTTP: one case per rule, asserting status, __type and message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { call, signedCall, startAwsServer, type AwsTestServer } from '../setup.js';

let srv: AwsTestServer;
const TOKEN = '11111111-2222-3333-4444-555555555555';
before(async () => {
  srv = await startAwsServer();
  assert.equal((await call(srv, 'CreateSecret', { Name: 'bad/x', SecretString: 'v', ClientRequestToken: TOKEN })).status, 200);
});
after(async () => { await srv.close(); });

async function expectError(action: string, members: unknown, type: string, message?: string | RegExp, status = 400) {
  const r = await call(srv, action, members);
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.__type, type);
  if (typeof message === 'string') assert.equal(r.body.Message, message);
  else if (message) assert.match(r.body.Message, message);
}

test('a body that is not JSON is SerializationException', async () => {
  const r = await signedCall(srv.url, '{"SecretId": ', { key: srv.rootKey, target: 'secretsmanager.GetSecretValue' });
  assert.deepEqual([r.status, r.body.__type], [400, 'SerializationException']);
});

test('a missing or unknown target is UnknownOperationException', async () => {
  assert.equal((await signedCall(srv.url, '{}', { key: srv.rootKey })).body.__type, 'UnknownOperationException');
  assert.equal((await call(srv, 'FlyToTheMoon', {})).body.__type, 'UnknownOperationException');
  assert.equal((await signedCall(srv.url, '{}', { key: srv.rootKey, target: 'kms.Encrypt' })).body.__type, 'UnknownOperationException');
});

test('a missing secret, version or label is ResourceNotFoundException with AWS\'s texts', async () => {
  await expectError('GetSecretValue', { SecretId: 'bad/none' }, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  await expectError('GetSecretValue', { SecretId: 'bad/x', VersionStage: 'AWSPENDING' }, 'ResourceNotFoundException',
    "Secrets Manager can't find the specified secret value for staging label: AWSPENDING");
  const id = 'f'.repeat(32);
  await expectError('GetSecretValue', { SecretId: 'bad/x', VersionId: id }, 'ResourceNotFoundException',
    `Secrets Manager can't find the specified secret value for VersionId: ${id}`);
});

test('a stage that is not on the version asked for is InvalidRequestException', async () => {
  await expectError('GetSecretValue', { SecretId: 'bad/x', VersionId: TOKEN, VersionStage: 'AWSPREVIOUS' }, 'InvalidRequestException',
    'You provided a VersionStage that is not associated to the provided VersionId.');
});

test('names outside AWS\'s set are ValidationException', async () => {
  const text = 'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!';
  await expectError('CreateSecret', { Name: 'bad name' }, 'ValidationException', text);
  await expectError('GetSecretValue', { SecretId: 'bad#x' }, 'ValidationException', text);
});

test('model limits are ValidationException', async () => {
  await expectError('CreateSecret', { Name: 'n'.repeat(513) }, 'ValidationException', /length less than or equal to 512/);
  await expectError('GetSecretValue', {}, 'ValidationException', /Value null at 'secretId'/);
  await expectError('ListSecrets', { MaxResults: 101 }, 'ValidationException', /value less than or equal to 100/);
  await expectError('PutSecretValue', { SecretId: 'bad/x', SecretString: 'v', ClientRequestToken: 'short' }, 'ValidationException', /clientRequestToken/);
  await expectError('GetRandomPassword', { PasswordLength: 4097 }, 'ValidationException');
});

test('a value with no token is refused before the secret is looked up', async () => {
  const text = 'You must provide a ClientRequestToken value. We recommend a UUID-type value.';
  await expectError('PutSecretValue', { SecretId: 'bad/none', SecretString: 'v' }, 'InvalidRequestException', text);
  await expectError('CreateSecret', { Name: 'bad/new', SecretString: 'v' }, 'InvalidRequestException', text);
});

test('a value in both forms is InvalidParameterException; an empty or too large one is ValidationException', async () => {
  await expectError('PutSecretValue', { SecretId: 'bad/x', SecretString: 'v', SecretBinary: 'AA==', ClientRequestToken: 'b'.repeat(32) }, 'InvalidParameterException',
    "You can't specify both a binary secret value and a string secret value in the same secret.");
  await expectError('PutSecretValue', { SecretId: 'bad/x', SecretString: 'v'.repeat(65_537), ClientRequestToken: 'b'.repeat(32) }, 'ValidationException');
  // The model's limits are 1 to 65,536 (bytes, for SecretBinary); the value itself is never quoted.
  const short = (member: string) => `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length greater than or equal to 1`;
  await expectError('PutSecretValue', { SecretId: 'bad/x', SecretString: '', ClientRequestToken: 'b'.repeat(32) }, 'ValidationException', short('secretString'));
  await expectError('CreateSecret', { Name: 'bad/empty-bin', SecretBinary: '', ClientRequestToken: 'b'.repeat(32) }, 'ValidationException', short('secretBinary'));
  await expectError('CreateSecret', { Name: 'bad/big-bin', SecretBinary: Buffer.alloc(65_537).toString('base64'), ClientRequestToken: 'b'.repeat(32) }, 'ValidationException',
    "1 validation error detected: Value at 'secretBinary' failed to satisfy constraint: Member must have length less than or equal to 65536");
  assert.equal((await call(srv, 'CreateSecret', { Name: 'bad/max-bin', SecretBinary: Buffer.alloc(65_536).toString('base64'), ClientRequestToken: 'b'.repeat(32) })).status, 200);
  assert.equal((await call(srv, 'DescribeSecret', { SecretId: 'bad/empty-bin' })).body.__type, 'ResourceNotFoundException');
});

test('an empty Name or SecretId is the model\'s length error, like any other member', async () => {
  const text = (member: string) => `1 validation error detected: Value '' at '${member}' failed to satisfy constraint: Member must have length greater than or equal to 1`;
  await expectError('CreateSecret', { Name: '' }, 'ValidationException', text('name'));
  await expectError('GetSecretValue', { SecretId: '' }, 'ValidationException', text('secretId'));
  await expectError('DescribeSecret', { SecretId: '' }, 'ValidationException', text('secretId'));
});

test('an existing name is ResourceExistsException; one pending deletion cannot be created', async () => {
  await expectError('CreateSecret', { Name: 'bad/x' }, 'ResourceExistsException', 'The operation failed because the secret bad/x already exists.');
  await call(srv, 'CreateSecret', { Name: 'bad/doomed' });
  await call(srv, 'DeleteSecret', { SecretId: 'bad/doomed' });
  await expectError('CreateSecret', { Name: 'bad/doomed' }, 'InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
  await expectError('PutSecretValue', { SecretId: 'bad/doomed', SecretString: 'v', ClientRequestToken: 'b'.repeat(32) }, 'InvalidRequestException',
    "You can't perform this operation on the secret because it was marked for deletion.");
  await expectError('TagResource', { SecretId: 'bad/doomed', Tags: [{ Key: 'a', Value: 'b' }] }, 'InvalidRequestException', /marked for deletion/);
  await expectError('GetResourcePolicy', { SecretId: 'bad/doomed' }, 'InvalidRequestException',
    "You can't perform this operation on the secret because it was marked for deletion.");
  assert.equal((await call(srv, 'DescribeSecret', { SecretId: 'bad/doomed' })).status, 200);
});

test('deletion options: window bounds and not both', async () => {
  await expectError('DeleteSecret', { SecretId: 'bad/x', RecoveryWindowInDays: 6 }, 'InvalidParameterException', /between 7 and 30/);
  await expectError('DeleteSecret', { SecretId: 'bad/x', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true }, 'InvalidParameterException',
    "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  const forced = await call(srv, 'DeleteSecret', { SecretId: 'bad/never-existed', ForceDeleteWithoutRecovery: true });
  assert.equal(forced.status, 200);
});

test('a KMS key other than the default is EncryptionFailure naming it; the default is accepted', async () => {
  await expectError('CreateSecret', { Name: 'bad/kms', KmsKeyId: 'alias/mine' }, 'EncryptionFailure', /alias\/mine/);
  assert.equal((await call(srv, 'CreateSecret', { Name: 'bad/kms', KmsKeyId: 'alias/aws/secretsmanager' })).status, 200);
});

test('replication is refused: one region', async () => {
  await expectError('CreateSecret', { Name: 'bad/rep', AddReplicaRegions: [{ Region: 'eu-west-1' }] }, 'InvalidRequestException', /one region/);
  await expectError('RemoveRegionsFromReplication', { SecretId: 'bad/x', RemoveReplicaRegions: ['eu-west-1'] }, 'InvalidRequestException', /one region/);
});

test('label moves need RemoveFromVersionId, and it must match', async () => {
  const second = (await call(srv, 'PutSecretValue', { SecretId: 'bad/x', SecretString: 'w', ClientRequestToken: 'd'.repeat(32) })).body.VersionId;
  await expectError('UpdateSecretVersionStage', { SecretId: 'bad/x', VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN }, 'InvalidParameterException', /RemoveFromVersionId/);
  await expectError('UpdateSecretVersionStage', { SecretId: 'bad/x', VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN, RemoveFromVersionId: TOKEN }, 'InvalidRequestException',
    'You provided a VersionStage that is not associated to the provided VersionId.');
  // AWSCURRENT can move but never be removed; the text is AWS's, as Terraform quotes it.
  await expectError('UpdateSecretVersionStage', { SecretId: 'bad/x', VersionStage: 'AWSCURRENT', RemoveFromVersionId: second }, 'InvalidParameterException',
    'You can only move staging label AWSCURRENT to a different secret version. It can\u2019t be completely removed.');
  const moved = await call(srv, 'UpdateSecretVersionStage', { SecretId: 'bad/x', VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN, RemoveFromVersionId: second });
  assert.equal(moved.status, 200);
  const described = await call(srv, 'DescribeSecret', { SecretId: 'bad/x' });
  assert.deepEqual(described.body.VersionIdsToStages, { [TOKEN]: ['AWSCURRENT'], [second]: ['AWSPREVIOUS'] });
});

test('filters and tokens: a foreign NextToken is InvalidNextTokenException', async () => {
  await expectError('ListSecrets', { NextToken: 'bm9wZQ' }, 'InvalidNextTokenException');
  await expectError('ListSecrets', { Filters: [{ Key: 'colour', Values: ['x'] }] }, 'ValidationException');
  // The model's value pattern allows `!` after the leading negation too.
  assert.equal((await call(srv, 'ListSecrets', { Filters: [{ Key: 'name', Values: ['!no!such'] }] })).status, 200);
  await expectError('BatchGetSecretValue', {}, 'InvalidParameterException');
  await expectError('BatchGetSecretValue', { SecretIdList: ['bad/x'], MaxResults: 5 }, 'InvalidParameterException');
});

test('an impossible password is InvalidParameterException', async () => {
  await expectError('GetRandomPassword', { PasswordLength: 2 }, 'InvalidParameterException');
  await expectError('GetRandomPassword', { ExcludeUppercase: true, ExcludeLowercase: true, ExcludeNumbers: true, ExcludePunctuation: true }, 'InvalidParameterException');
});

test('timestamps are epoch seconds as JSON numbers, and empty members are omitted', async () => {
  const d = (await call(srv, 'DescribeSecret', { SecretId: 'bad/x' })).body;
  assert.equal(typeof d.CreatedDate, 'number');
  assert.ok(d.CreatedDate > 1.7e9 && d.CreatedDate < 1e11);
  assert.equal('Description' in d, false);
  assert.equal('DeletedDate' in d, false);
});
