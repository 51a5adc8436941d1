// boto3 1.43 (the pyenv python3) drives a built-in MariaDB single-user rotation; the rotated
// password logs in and the old one is refused.
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
let srv: AwsTestServer;

before(async () => {
  srv = await startAwsServer();
  await mysqlAdmin('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', CANARY]);
});
after(async () => {
  await mysqlAdmin('DROP USER IF EXISTS ?@?', [user, '%']);
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
