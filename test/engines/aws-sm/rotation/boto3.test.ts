// boto3 1.43 (the pyenv python3) and the AWS CLI drive built-in MariaDB single-user rotations;
// the rotated password logs in and the old one is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { mysqlAdmin, mysqlLogin } from '../../database/helpers.js';
import { startAwsServer, type AwsTestServer } from '../setup.js';

const SCRIPT = fileURLToPath(new URL('../../../../../test/engines/aws-sm/rotation/boto3_rotation.py', import.meta.url));
const CANARY = `canary-boto-${randomBytes(4).toString('hex')}`;
const user = `boto_${randomBytes(3).toString('hex')}`;
const cliUser = `${user}_cli`;
let srv: AwsTestServer;

before(async () => {
  srv = await startAwsServer();
  await mysqlAdmin('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', CANARY]);
  await mysqlAdmin('CREATE USER ?@? IDENTIFIED BY ?', [cliUser, '%', `${CANARY}-cli`]);
});
after(async () => {
  await mysqlAdmin('DROP USER IF EXISTS ?@?', [user, '%']);
  await mysqlAdmin('DROP USER IF EXISTS ?@?', [cliUser, '%']);
  await srv.close();
  assert.equal(srv.log().includes(CANARY), false, 'a password reached the server log');
});

test('boto3: rotate_secret, describe_secret, get_secret_value by stage, cancel_rotate_secret', async () => {
  const { stdout } = await promisify(execFile)('python3', [SCRIPT], {
    env: {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_ACCESS_KEY_ID: srv.rootKey.accessKeyId, AWS_SECRET_ACCESS_KEY: srv.rootKey.secretAccessKey, AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: srv.url, NAME: `boto/${user}`, DB_USER: user, DB_PASSWORD: CANARY,
    },
  });
  const { password } = JSON.parse(stdout.trim().split('\n').pop()!) as { password: string };
  assert.equal(await mysqlLogin(user, password), 'ok');
  assert.equal(await mysqlLogin(user, CANARY), 'ER_ACCESS_DENIED_ERROR');
  assert.equal(srv.log().includes(password), false);
});

test('the AWS CLI: rotate-secret with rotation rules, describe-secret, get-secret-value --version-stage', async () => {
  const env = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ACCESS_KEY_ID: srv.rootKey.accessKeyId, AWS_SECRET_ACCESS_KEY: srv.rootKey.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1',
  };
  const aws = async (...args: string[]) =>
    JSON.parse((await promisify(execFile)('aws', ['--endpoint-url', srv.url, '--output', 'json', 'secretsmanager', ...args], { env })).stdout || '{}');
  const name = `cli/${cliUser}`;
  const value = { engine: 'mariadb', host: '127.0.0.1', port: 3306, username: cliUser, password: `${CANARY}-cli` };
  await aws('create-secret', '--name', name, '--secret-string', JSON.stringify(value));
  const rotated = await aws('rotate-secret', '--secret-id', name, '--rotation-lambda-arn', 'lockbox:rotator:MariaDBSingleUser',
    '--rotation-rules', JSON.stringify({ ScheduleExpression: 'rate(8 hours)', Duration: '2h' }));
  const d = await aws('describe-secret', '--secret-id', name);
  assert.equal(d.RotationEnabled, true);
  assert.deepEqual(d.RotationRules, { ScheduleExpression: 'rate(8 hours)', Duration: '2h' });
  // The CLI prints the epoch seconds it received; the first window opens 8 hours after the rotation's hour.
  const seconds = (v: unknown) => (typeof v === 'number' ? v : Date.parse(String(v)) / 1000);
  assert.equal(seconds(d.NextRotationDate), Math.floor(seconds(d.LastRotatedDate) / 3600) * 3600 + 8 * 3600);
  const now = await aws('get-secret-value', '--secret-id', name);
  assert.equal(now.VersionId, rotated.VersionId);
  const previous = await aws('get-secret-value', '--secret-id', name, '--version-stage', 'AWSPREVIOUS');
  assert.equal(JSON.parse(previous.SecretString).password, `${CANARY}-cli`);
  assert.equal(await mysqlLogin(cliUser, JSON.parse(now.SecretString).password), 'ok');
  assert.equal(await mysqlLogin(cliUser, `${CANARY}-cli`), 'ER_ACCESS_DENIED_ERROR');
});
