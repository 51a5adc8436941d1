// `lockbox aws env ROLE`: the exports of a new key work as-is with the AWS SDK.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as sm from '@aws-sdk/client-secrets-manager';
import { startAwsServer, type AwsTestServer } from '../engines/aws-sm/setup.js';
import { cliFor } from './helpers.js';

let srv: AwsTestServer;
before(async () => { srv = await startAwsServer(); });
after(async () => { await srv.close(); });

test('the printed exports are a working key, region and endpoint', async () => {
  const cli = cliFor(srv.url, srv.rootToken);
  const r = await cli.run(['aws', 'env', 'admin']);
  cli.cleanup();
  assert.equal(r.code, 0, r.stderr);
  const vars = Object.fromEntries([...r.stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
  assert.deepEqual(Object.keys(vars).sort(), ['AWS_ACCESS_KEY_ID', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY']);
  assert.equal(vars.AWS_ENDPOINT_URL_SECRETS_MANAGER, srv.url);
  const client = new sm.SecretsManagerClient({
    region: vars.AWS_REGION, endpoint: vars.AWS_ENDPOINT_URL_SECRETS_MANAGER,
    credentials: { accessKeyId: vars.AWS_ACCESS_KEY_ID!, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY! },
  });
  try {
    assert.deepEqual((await client.send(new sm.ListSecretsCommand({}))).SecretList, []);
  } finally {
    client.destroy();
  }
});
