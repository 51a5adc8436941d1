// Concurrent writes to one secret: each acknowledged write is kept. Every action that changes
// a secret reads its record and writes it back, so they must take turns per secret.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as sm from '@aws-sdk/client-secrets-manager';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAwsServer, type AwsTestServer } from './setup.js';

let srv: AwsTestServer;
let client: sm.SecretsManagerClient;
// SQLite: a write waits for its commit, so concurrent writes really overlap.
const dir = mkdtempSync(join(tmpdir(), 'aws-sm-race-'));

before(async () => {
  srv = await startAwsServer({ storage: { type: 'sqlite', path: join(dir, 'db.sqlite') } });
  client = new sm.SecretsManagerClient({ region: 'us-east-1', credentials: srv.rootKey, endpoint: srv.url });
});
after(async () => {
  client.destroy();
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('20 concurrent PutSecretValue calls on one secret keep 20 versions, and tags added meanwhile stay', async () => {
  await client.send(new sm.CreateSecretCommand({ Name: 'race', SecretString: 'v0' }));
  const puts = Array.from({ length: 20 }, (_, i) => client.send(new sm.PutSecretValueCommand({ SecretId: 'race', SecretString: `v${i + 1}` })));
  const tags = Array.from({ length: 5 }, (_, i) => client.send(new sm.TagResourceCommand({ SecretId: 'race', Tags: [{ Key: `t${i}`, Value: 'x' }] })));
  const written = await Promise.all(puts);
  await Promise.all(tags);
  const versions = await client.send(new sm.ListSecretVersionIdsCommand({ SecretId: 'race', IncludeDeprecated: true, MaxResults: 100 }));
  const ids = new Set(versions.Versions!.map((v) => v.VersionId));
  for (const w of written) assert.ok(ids.has(w.VersionId), `acknowledged version ${w.VersionId} was lost`);
  assert.equal(ids.size, 21);
  const described = await client.send(new sm.DescribeSecretCommand({ SecretId: 'race' }));
  assert.deepEqual(described.Tags!.map((t) => t.Key).sort(), ['t0', 't1', 't2', 't3', 't4']);
  // The last write to be applied is AWSCURRENT, and exactly one version carries each label.
  const current = await client.send(new sm.GetSecretValueCommand({ SecretId: 'race' }));
  assert.ok(written.some((w) => w.VersionId === current.VersionId));
  const labels = versions.Versions!.flatMap((v) => v.VersionStages ?? []);
  assert.equal(labels.filter((l) => l === 'AWSCURRENT').length, 1);
});
