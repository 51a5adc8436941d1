// `lockbox:webhook:<url>`: a rotation function written as AWS's templates are (it reads and
// labels versions through the Secrets Manager API with its own key) runs as a small HTTP
// service on an allowed host; a failing step stays pending and is retried; a host not on the
// server's allow-list is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import * as sm from '@aws-sdk/client-secrets-manager';
import { ManualClock } from '../../../../src/util/clock.js';
import { signedCall, startAwsServer, type AwsTestServer } from '../setup.js';
import { createJson, fails, newToken, ok, rotate, startHook, type StepEvent } from './helpers.js';

const clock = new ManualClock(Date.now());
let srv: AwsTestServer;
let hook: Server;
let hookHost = '';
const events: StepEvent[] = [];
let failStep = '';
let key = { accessKeyId: '', secretAccessKey: '' };

/** What a rotation Lambda does for each step, over the AWS API with its own key. */
async function rotationFunction(event: StepEvent): Promise<number> {
  events.push(event);
  if (event.Step === failStep) return 500;
  const sm = async (action: string, members: unknown) => signedCall(srv.url, JSON.stringify(members), { key, target: `secretsmanager.${action}`, date: srv.now() });
  const { SecretId: id, ClientRequestToken: token } = event;
  if (event.Step === 'createSecret') {
    const existing = await sm('GetSecretValue', { SecretId: id, VersionId: token, VersionStage: 'AWSPENDING' });
    if (existing.status === 200) return 200;
    assert.equal(existing.body.__type, 'ResourceNotFoundException');
    const password = (await sm('GetRandomPassword', { PasswordLength: 20 })).body.RandomPassword as string;
    const put = await sm('PutSecretValue', { SecretId: id, ClientRequestToken: token, SecretString: JSON.stringify({ apiKey: password }), VersionStages: ['AWSPENDING'] });
    return put.status;
  }
  if (event.Step === 'setSecret') return 200;
  if (event.Step === 'testSecret') return (await sm('GetSecretValue', { SecretId: id, VersionStage: 'AWSPENDING' })).status;
  const d = (await sm('DescribeSecret', { SecretId: id })).body as { VersionIdsToStages: Record<string, string[]> };
  const currentId = Object.keys(d.VersionIdsToStages).find((v) => d.VersionIdsToStages[v]!.includes('AWSCURRENT'));
  if (currentId === token) return 200;
  return (await sm('UpdateSecretVersionStage', { SecretId: id, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: currentId })).status;
}

before(async () => {
  ({ hook, host: hookHost } = await startHook(rotationFunction));
  srv = await startAwsServer({ awsSmWebhookHosts: [hookHost], clock });
  key = await srv.keyFor('rotator', 'path "aws-sm/*" { capabilities = ["create", "read", "update"] }');
});
after(async () => {
  await srv.close();
  await new Promise((r) => hook.close(r));
});

test('each step is POSTed with the secret ARN and token; the function\'s own calls finish the rotation', async () => {
  events.length = 0;
  const { arn, versionId } = await createJson(srv, 'hook/api', { apiKey: 'first' });
  const token = await rotate(srv, 'hook/api', { RotationLambdaARN: `lockbox:webhook:http://${hookHost}/rotate`, RotationRules: { ScheduleExpression: 'rate(4 hours)' } });
  assert.deepEqual(events.map((e) => e.Step), ['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
  assert.ok(events.every((e) => e.SecretId === arn && e.ClientRequestToken === token));
  const d = await ok(srv, 'DescribeSecret', { SecretId: 'hook/api' });
  assert.deepEqual(d.VersionIdsToStages, { [versionId]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT'] });
  assert.equal(d.RotationLambdaARN, `lockbox:webhook:http://${hookHost}/rotate`);
});

test('a failing step stays pending, is retried by the scheduler after its backoff and logged, and resumes with the same token', async () => {
  events.length = 0;
  failStep = 'testSecret';
  await createJson(srv, 'hook/retry', { apiKey: 'first' });
  const token = await rotate(srv, 'hook/retry', { RotationLambdaARN: `lockbox:webhook:http://${hookHost}/rotate` });
  assert.deepEqual(events.map((e) => e.Step), ['createSecret', 'setSecret', 'testSecret']);
  assert.deepEqual((await ok(srv, 'DescribeSecret', { SecretId: 'hook/retry' })).VersionIdsToStages[token], ['AWSPENDING']);
  // Within the 5 s backoff the scheduler leaves it alone; after it, it retries the failed step.
  await srv.core.runPeriodicWork();
  assert.equal(events.length, 3);
  clock.advance(5_000);
  await srv.core.runPeriodicWork();
  assert.deepEqual(events.map((e) => e.Step), ['createSecret', 'setSecret', 'testSecret', 'testSecret']);
  assert.match(srv.log(), new RegExp(`rotation of hook/retry \\(version ${token}\\) failed at testSecret: testSecret: the rotation webhook answered HTTP 500`));
  // The second failure doubles the backoff: 5 s later nothing happens yet.
  clock.advance(5_000);
  await srv.core.runPeriodicWork();
  assert.equal(events.length, 4);
  failStep = '';
  await ok(srv, 'RotateSecret', { SecretId: 'hook/retry', ClientRequestToken: token });
  assert.deepEqual(events.map((e) => e.Step), ['createSecret', 'setSecret', 'testSecret', 'testSecret', 'testSecret', 'finishSecret']);
  assert.ok(events.every((e) => e.ClientRequestToken === token));
  assert.deepEqual((await ok(srv, 'DescribeSecret', { SecretId: 'hook/retry' })).VersionIdsToStages[token], ['AWSCURRENT']);
});

test('a host that is not on the allow-list is refused', async () => {
  await createJson(srv, 'hook/denied', { apiKey: 'first' });
  await fails(srv, 'RotateSecret', { SecretId: 'hook/denied', ClientRequestToken: newToken(), RotationLambdaARN: 'lockbox:webhook:http://127.0.0.2:1/rotate' },
    'InvalidParameterException', /host 127\.0\.0\.2:1 is not allowed/);
  await fails(srv, 'RotateSecret', { SecretId: 'hook/denied', ClientRequestToken: newToken(), RotationLambdaARN: `lockbox:webhook:ftp://${hookHost}/x` },
    'InvalidParameterException', /http or https/);
});

test('@aws-sdk/client-secrets-manager: rotate, read AWSPENDING while it fails, the pending refusal, then AWSPREVIOUS', async () => {
  const client = new sm.SecretsManagerClient({ region: 'us-east-1', endpoint: srv.url, credentials: srv.rootKey });
  try {
    await createJson(srv, 'hook/sdk', { apiKey: 'first' });
    failStep = 'setSecret';
    const rotated = await client.send(new sm.RotateSecretCommand({ SecretId: 'hook/sdk', RotationLambdaARN: `lockbox:webhook:http://${hookHost}/rotate`, RotationRules: { AutomaticallyAfterDays: 3, Duration: '4h' } }));
    const pending = await client.send(new sm.GetSecretValueCommand({ SecretId: 'hook/sdk', VersionStage: 'AWSPENDING' }));
    assert.equal(pending.VersionId, rotated.VersionId);
    const d = await client.send(new sm.DescribeSecretCommand({ SecretId: 'hook/sdk' }));
    assert.equal(d.RotationEnabled, true);
    assert.deepEqual(d.RotationRules, { AutomaticallyAfterDays: 3, Duration: '4h' });
    assert.ok(d.NextRotationDate instanceof Date && d.NextRotationDate.getTime() <= srv.now().getTime(), 'a failing rotation is due in the past');
    await assert.rejects(client.send(new sm.RotateSecretCommand({ SecretId: 'hook/sdk' })),
      (e: unknown) => e instanceof sm.InvalidRequestException && e.message === "A previous rotation isn't complete. That rotation will be reattempted.");
    failStep = '';
    await client.send(new sm.RotateSecretCommand({ SecretId: 'hook/sdk', ClientRequestToken: rotated.VersionId }));
    const previous = await client.send(new sm.GetSecretValueCommand({ SecretId: 'hook/sdk', VersionStage: 'AWSPREVIOUS' }));
    assert.equal(previous.SecretString, JSON.stringify({ apiKey: 'first' }));
    const now = await client.send(new sm.GetSecretValueCommand({ SecretId: 'hook/sdk' }));
    assert.deepEqual([now.VersionId, now.SecretString], [rotated.VersionId, pending.SecretString]);
    await assert.rejects(client.send(new sm.GetSecretValueCommand({ SecretId: 'hook/sdk', VersionStage: 'AWSPENDING' })), sm.ResourceNotFoundException);
    const done = await client.send(new sm.DescribeSecretCommand({ SecretId: 'hook/sdk' }));
    assert.ok(done.LastRotatedDate instanceof Date);
    assert.equal(done.NextRotationDate!.getTime(), Math.floor(srv.now().getTime() / 86_400_000) * 86_400_000 + 3 * 86_400_000);
    const cancelled = await client.send(new sm.CancelRotateSecretCommand({ SecretId: 'hook/sdk' }));
    assert.equal(cancelled.VersionId, undefined);
    assert.equal((await client.send(new sm.DescribeSecretCommand({ SecretId: 'hook/sdk' }))).RotationEnabled, false);
  } finally {
    client.destroy();
  }
});

test('RotateSecret needs update on aws-sm/rotation/<name>: AWS\'s refusal otherwise', async () => {
  await createJson(srv, 'hook/acl', { apiKey: 'first' });
  const reader = await srv.keyFor('hook-reader', 'path "aws-sm/*" { capabilities = ["read", "update"] }\npath "aws-sm/rotation/*" { capabilities = ["deny"] }');
  const r = await signedCall(srv.url, JSON.stringify({ SecretId: 'hook/acl', ClientRequestToken: newToken() }), { key: reader, target: 'secretsmanager.RotateSecret', date: srv.now() });
  assert.equal(r.status, 400);
  assert.equal(r.body.__type, 'AccessDeniedException');
  assert.match(r.body.Message, /^User: arn:aws:iam::\d{12}:user\/hook-reader is not authorized to perform: secretsmanager:RotateSecret on resource: hook\/acl because no identity-based policy allows the secretsmanager:RotateSecret action$/);
});

test('a full ARN whose suffix is another secret\'s name cannot rotate that other secret', async () => {
  const own = await createJson(srv, 'hook/own', { apiKey: 'first' });
  await createJson(srv, 'hook/own-abcdef', { apiKey: 'other' });
  const limited = await srv.keyFor('hook-own', 'path "aws-sm/rotation/hook/own" { capabilities = ["update"] }');
  const account = /:(\d{12}):/.exec(own.arn)![1];
  const r = await signedCall(srv.url, JSON.stringify({
    SecretId: `arn:aws:secretsmanager:us-east-1:${account}:secret:hook/own-abcdef`, ClientRequestToken: newToken(),
    RotationLambdaARN: `lockbox:webhook:http://${hookHost}/rotate`,
  }), { key: limited, target: 'secretsmanager.RotateSecret', date: srv.now() });
  assert.deepEqual([r.status, r.body.__type], [400, 'ResourceNotFoundException']);
  assert.equal('RotationEnabled' in (await ok(srv, 'DescribeSecret', { SecretId: 'hook/own-abcdef' })), false);
});
