// `lockbox:webhook:<url>`: a rotation function written as AWS's templates are (it reads and
// labels versions through the Secrets Manager API with its own key) runs as a small HTTP
// service on an allowed host; a failing step stays pending and is retried; a host not on the
// server's allow-list is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signedCall, startAwsServer, type AwsTestServer } from '../setup.js';
import { createJson, fails, newToken, ok, rotate } from './helpers.js';

let srv: AwsTestServer;
let hook: Server;
let hookHost = '';
const events: Array<{ SecretId: string; ClientRequestToken: string; Step: string }> = [];
let failStep = '';
let key = { accessKeyId: '', secretAccessKey: '' };

/** What a rotation Lambda does for each step, over the AWS API with its own key. */
async function rotationFunction(event: { SecretId: string; ClientRequestToken: string; Step: string }): Promise<number> {
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
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      void rotationFunction(JSON.parse(body)).then((status) => { res.writeHead(status).end(); }, () => { res.writeHead(500).end(); });
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookHost = `127.0.0.1:${(hook.address() as AddressInfo).port}`;
  srv = await startAwsServer({ awsSmWebhookHosts: [hookHost] });
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

test('a failing step stays pending; the retry resumes at that step with the same token', async () => {
  events.length = 0;
  failStep = 'testSecret';
  await createJson(srv, 'hook/retry', { apiKey: 'first' });
  const token = await rotate(srv, 'hook/retry', { RotationLambdaARN: `lockbox:webhook:http://${hookHost}/rotate` });
  assert.deepEqual(events.map((e) => e.Step), ['createSecret', 'setSecret', 'testSecret']);
  assert.deepEqual((await ok(srv, 'DescribeSecret', { SecretId: 'hook/retry' })).VersionIdsToStages[token], ['AWSPENDING']);
  failStep = '';
  await ok(srv, 'RotateSecret', { SecretId: 'hook/retry', ClientRequestToken: token });
  assert.deepEqual(events.map((e) => e.Step), ['createSecret', 'setSecret', 'testSecret', 'testSecret', 'finishSecret']);
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
