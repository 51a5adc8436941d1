// boto3 and the AWS CLI from the machine's Python against a running server, configured only by environment
// variables (endpoint included), as an application would be.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startAwsServer, type AwsTestServer } from '../setup.js';

const script = (file: string) => fileURLToPath(new URL(`../../../../../test/engines/aws-sm/clients/${file}`, import.meta.url));
const CANARY = `canary-${randomUUID()}`;
let srv: AwsTestServer;
before(async () => { srv = await startAwsServer(); });
after(async () => {
  assert.equal(srv.log().includes(CANARY), false, 'a secret value reached the server log');
  await srv.close();
});

async function runPython(python: string, env: Record<string, string>, file = 'boto3_flow.py') {
  const { stdout } = await promisify(execFile)(python, [script(file)], {
    env: {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_ACCESS_KEY_ID: srv.rootKey.accessKeyId, AWS_SECRET_ACCESS_KEY: srv.rootKey.secretAccessKey, AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1',
      CANARY, RUN: `boto3-${randomUUID().slice(0, 8)}`, ...env,
    },
  });
  return stdout.trim();
}

test('boto3 1.43 (pyenv python3) over every action, the paginator and modeled exceptions', async () => {
  assert.equal(await runPython('python3', { FULL: '1', AWS_ENDPOINT_URL_SECRETS_MANAGER: srv.url }), 'ok');
});

test('boto3 parses every response member under the model\'s name (batch errors, version fields, omitted maps)', async () => {
  assert.equal(await runPython('python3', { AWS_ENDPOINT_URL_SECRETS_MANAGER: srv.url }, 'boto3_fields.py'), 'ok');
});

test('Debian\'s python3-boto3 over the core flow, with an explicit endpoint_url', { skip: !hasDebianBoto3() && 'python3-boto3 is not installed' }, async () => {
  assert.equal(await runPython('/usr/bin/python3', { EXPLICIT_ENDPOINT: srv.url }), 'ok');
});

test('the AWS CLI with --endpoint-url creates and reads a secret', async () => {
  const env = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ACCESS_KEY_ID: srv.rootKey.accessKeyId, AWS_SECRET_ACCESS_KEY: srv.rootKey.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1',
  };
  const aws = (...args: string[]) => promisify(execFile)('aws', ['--endpoint-url', srv.url, '--output', 'json', 'secretsmanager', ...args], { env });
  const name = `cli-${randomUUID().slice(0, 8)}`;
  await aws('create-secret', '--name', name, '--secret-string', CANARY);
  const { stdout } = await aws('get-secret-value', '--secret-id', name);
  assert.equal(JSON.parse(stdout).SecretString, CANARY);
});

function hasDebianBoto3(): boolean {
  return existsSync('/usr/lib/python3/dist-packages/boto3');
}
