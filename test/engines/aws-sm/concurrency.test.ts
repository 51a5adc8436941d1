// Concurrent writes to one secret: each acknowledged write is kept. Every action that changes
// a secret reads its record and writes it back, so they must take turns per secret; so must a
// rotation's own updates of the record, between the calls of its rotation function.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import * as sm from '@aws-sdk/client-secrets-manager';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../../src/util/clock.js';
import { call, startAwsServer, type AwsTestServer } from './setup.js';
import { startHook, type StepEvent } from './rotation/helpers.js';

// Real time until the last test, which moves it on to a rotation window (and signs with it).
const clock = new ManualClock(Date.now());
let srv: AwsTestServer;
let client: sm.SecretsManagerClient;
// SQLite: a write waits for its commit, so concurrent writes really overlap.
const dir = mkdtempSync(join(tmpdir(), 'aws-sm-race-'));
// A rotation function as an HTTP service; what each step does is set by the test.
let hook: Server;
let hookHost = '';
let onStep: (event: StepEvent) => Promise<number> = async () => 500;

before(async () => {
  ({ hook, host: hookHost } = await startHook((event) => onStep(event)));
  srv = await startAwsServer({ storage: { type: 'sqlite', path: join(dir, 'db.sqlite') }, awsSmWebhookHosts: [hookHost], clock });
  client = new sm.SecretsManagerClient({ region: 'us-east-1', credentials: srv.rootKey, endpoint: srv.url });
});
after(async () => {
  client.destroy();
  await srv.close();
  await new Promise((r) => hook.close(r));
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

test('PutSecretValue calls during RotateSecret: no version or label is lost, and the rotation ends as AWS documents', async () => {
  await client.send(new sm.CreateSecretCommand({ Name: 'spin', SecretString: 'v0' }));
  // Writes the rotation function starts and does not wait for: they overlap the rotation's
  // own updates of the record after each step. Each has a label of its own.
  const labelled: Array<{ label: string; value: string; put: Promise<sm.PutSecretValueCommandOutput> }> = [];
  const startLabelled = (step: string) => {
    for (let i = 0; i < 4; i++) {
      const label = `${step}-${i}`;
      const value = `side ${label}`;
      labelled.push({ label, value, put: client.send(new sm.PutSecretValueCommand({ SecretId: 'spin', SecretString: value, VersionStages: [label] })) });
    }
  };
  // Plain writes (each moves AWSCURRENT) sent while RotateSecret starts.
  let plain: Array<Promise<sm.PutSecretValueCommandOutput>> = [];
  onStep = async ({ SecretId: id, ClientRequestToken: token, Step: step }) => {
    startLabelled(step);
    if (step === 'createSecret') {
      const put = await call(srv, 'PutSecretValue', { SecretId: id, ClientRequestToken: token, SecretString: 'rotated', VersionStages: ['AWSPENDING'] });
      return put.status;
    }
    if (step !== 'finishSecret') return 200;
    // AWS's templates: move AWSCURRENT from the version that has it to the new one.
    await Promise.all(plain);
    const d = (await call(srv, 'DescribeSecret', { SecretId: id })).body as { VersionIdsToStages: Record<string, string[]> };
    const currentId = Object.keys(d.VersionIdsToStages).find((v) => d.VersionIdsToStages[v]!.includes('AWSCURRENT'));
    return (await call(srv, 'UpdateSecretVersionStage', { SecretId: id, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: currentId })).status;
  };
  const rotation = client.send(new sm.RotateSecretCommand({ SecretId: 'spin', RotationLambdaARN: `lockbox:webhook:http://${hookHost}/rotate` }));
  plain = Array.from({ length: 8 }, (_, i) => client.send(new sm.PutSecretValueCommand({ SecretId: 'spin', SecretString: `plain ${i}` })));
  const rotated = await rotation;
  const plainIds = (await Promise.all(plain)).map((w) => w.VersionId!);
  const sideIds = await Promise.all(labelled.map((l) => l.put.then((w) => w.VersionId!)));
  assert.equal(labelled.length, 16, 'every step ran once: the rotation kept its state');

  const listed = await client.send(new sm.ListSecretVersionIdsCommand({ SecretId: 'spin', IncludeDeprecated: true, MaxResults: 100 }));
  const stagesOf = new Map(listed.Versions!.map((v) => [v.VersionId!, v.VersionStages ?? []]));
  for (const id of [...plainIds, ...sideIds, rotated.VersionId!]) assert.ok(stagesOf.has(id), `acknowledged version ${id} was lost`);
  assert.equal(stagesOf.size, 1 + plainIds.length + sideIds.length + 1);
  labelled.forEach((l, i) => assert.deepEqual(stagesOf.get(sideIds[i]!), [l.label], `label ${l.label} was lost`));
  // finishSecret moved AWSCURRENT to the rotation's version and AWSPREVIOUS to the version it
  // left (the last plain write); AWSPENDING is gone once the rotation is complete.
  assert.deepEqual(stagesOf.get(rotated.VersionId!), ['AWSCURRENT']);
  const all = [...stagesOf.values()].flat();
  assert.equal(all.filter((l) => l === 'AWSCURRENT').length, 1);
  assert.equal(all.filter((l) => l === 'AWSPENDING').length, 0);
  const previous = [...stagesOf].filter(([, st]) => st.includes('AWSPREVIOUS')).map(([id]) => id);
  assert.equal(previous.length, 1);
  assert.ok(plainIds.includes(previous[0]!), 'AWSPREVIOUS is on a version a plain write made');
  assert.equal((await client.send(new sm.GetSecretValueCommand({ SecretId: 'spin' }))).SecretString, 'rotated');
  for (const [i, l] of labelled.entries()) {
    assert.equal((await client.send(new sm.GetSecretValueCommand({ SecretId: 'spin', VersionId: sideIds[i] }))).SecretString, l.value);
  }
  const described = await client.send(new sm.DescribeSecretCommand({ SecretId: 'spin' }));
  assert.equal(described.RotationEnabled, true);
  assert.ok(described.LastRotatedDate instanceof Date, 'the rotation was recorded as complete');
  // Nothing of the rotation is left pending.
  await assert.rejects(client.send(new sm.GetSecretValueCommand({ SecretId: 'spin', VersionStage: 'AWSPENDING' })), sm.ResourceNotFoundException);
});

test('PutSecretValue calls while the scheduler starts and runs a due rotation: every version is kept', async () => {
  const must = async (action: string, members: unknown) => {
    const r = await call(srv, action, members);
    assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await must('CreateSecret', { Name: 'due', ClientRequestToken: randomUUID(), SecretString: 'v0' });
  let token = '';
  let current = '';
  onStep = async ({ SecretId: id, ClientRequestToken: t, Step: step }) => {
    if (step === 'createSecret') {
      token = t;
      return (await call(srv, 'PutSecretValue', { SecretId: id, ClientRequestToken: t, SecretString: 'scheduled', VersionStages: ['AWSPENDING'] })).status;
    }
    if (step !== 'finishSecret') return 200;
    return (await call(srv, 'UpdateSecretVersionStage', { SecretId: id, VersionStage: 'AWSCURRENT', MoveToVersionId: t, RemoveFromVersionId: current })).status;
  };
  // RotateImmediately false only tests the function; the first window opens 4 hours on.
  await must('RotateSecret', { SecretId: 'due', ClientRequestToken: randomUUID(), RotationLambdaARN: `lockbox:webhook:http://${hookHost}/rotate`, RotationRules: { ScheduleExpression: 'rate(4 hours)' }, RotateImmediately: false });
  clock.advance(5 * 3600_000);
  // Labelled writes (AWSCURRENT stays where it is) overlap the scheduler's start of the rotation.
  current = (await must('GetSecretValue', { SecretId: 'due' })).VersionId as string;
  const writes = Array.from({ length: 8 }, (_, i) => must('PutSecretValue', { SecretId: 'due', ClientRequestToken: randomUUID(), SecretString: `w${i}`, VersionStages: [`w${i}`] }));
  await srv.core.runPeriodicWork();
  const ids = (await Promise.all(writes)).map((w) => w.VersionId as string);
  const d = await must('DescribeSecret', { SecretId: 'due' }) as { VersionIdsToStages: Record<string, string[]>; LastRotatedDate?: number };
  ids.forEach((id, i) => assert.deepEqual(d.VersionIdsToStages[id], [`w${i}`], `acknowledged version w${i} or its label was lost`));
  assert.ok(token !== '', 'the scheduler started a rotation');
  assert.deepEqual(d.VersionIdsToStages[token], ['AWSCURRENT']);
  assert.deepEqual(d.VersionIdsToStages[current], ['AWSPREVIOUS']);
  assert.equal(Object.keys(d.VersionIdsToStages).length, 2 + ids.length);
  assert.ok(d.LastRotatedDate !== undefined && d.LastRotatedDate * 1000 >= clock.now() - 1000, 'the rotation was recorded as complete');
});
