// Versions and staging labels: token retries, label moves, AWSPREVIOUS bookkeeping,
// IncludeDeprecated, pruning past 100 versions, and the deletion window with its purge,
// all with an injected clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/util/clock.js';
import { call, startAwsServer, type AwsTestServer } from './setup.js';

const clock = new ManualClock(Date.UTC(2026, 10, 25, 12));
let srv: AwsTestServer;
before(async () => { srv = await startAwsServer({ clock }); });
after(async () => { await srv.close(); });

const token = (n: number) => `token-${String(n).padStart(26, '0')}`;
const ok = async (action: string, members: unknown) => {
  const r = await call(srv, action, members, srv.rootKey);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};

test('the same token and value is a retry; the same token with another value is refused', async () => {
  const first = await ok('CreateSecret', { Name: 'lab/retry', SecretString: 'a', ClientRequestToken: token(1) });
  const again = await ok('CreateSecret', { Name: 'lab/retry', SecretString: 'a', ClientRequestToken: token(1) });
  assert.equal(again.VersionId, first.VersionId);
  await ok('PutSecretValue', { SecretId: 'lab/retry', SecretString: 'b', ClientRequestToken: token(2) });
  const retry = await ok('PutSecretValue', { SecretId: 'lab/retry', SecretString: 'b', ClientRequestToken: token(2) });
  assert.deepEqual(retry.VersionStages, ['AWSCURRENT']);
  const clash = await call(srv, 'PutSecretValue', { SecretId: 'lab/retry', SecretString: 'c', ClientRequestToken: token(2) });
  assert.deepEqual([clash.status, clash.body.__type], [400, 'ResourceExistsException']);
  const versions = await ok('ListSecretVersionIds', { SecretId: 'lab/retry' });
  assert.equal(versions.Versions.length, 2);
});

test('AWSCURRENT moves with each write, AWSPREVIOUS follows it, old versions become deprecated', async () => {
  await ok('CreateSecret', { Name: 'lab/moves', SecretString: 'v1', ClientRequestToken: token(11) });
  await ok('PutSecretValue', { SecretId: 'lab/moves', SecretString: 'v2', ClientRequestToken: token(12) });
  await ok('PutSecretValue', { SecretId: 'lab/moves', SecretString: 'v3', ClientRequestToken: token(13) });
  const d = await ok('DescribeSecret', { SecretId: 'lab/moves' });
  assert.deepEqual(d.VersionIdsToStages, { [token(12)]: ['AWSPREVIOUS'], [token(13)]: ['AWSCURRENT'] });
  const visible = await ok('ListSecretVersionIds', { SecretId: 'lab/moves' });
  assert.deepEqual(visible.Versions.map((v: { VersionId: string }) => v.VersionId), [token(12), token(13)]);
  const all = await ok('ListSecretVersionIds', { SecretId: 'lab/moves', IncludeDeprecated: true });
  assert.deepEqual(all.Versions.map((v: { VersionId: string }) => v.VersionId), [token(11), token(12), token(13)]);
  assert.equal('VersionStages' in all.Versions[0], false);
  // A deprecated version is still read by its id; it has no labels, so no VersionStages.
  const deprecated = await ok('GetSecretValue', { SecretId: 'lab/moves', VersionId: token(11) });
  assert.equal(deprecated.VersionId, token(11));
  assert.equal('VersionStages' in deprecated, false);
});

test('a custom label leaves AWSCURRENT alone and moves when reused', async () => {
  await ok('CreateSecret', { Name: 'lab/custom', SecretString: 'v1', ClientRequestToken: token(21) });
  await ok('PutSecretValue', { SecretId: 'lab/custom', SecretString: 'v2', ClientRequestToken: token(22), VersionStages: ['blue'] });
  await ok('PutSecretValue', { SecretId: 'lab/custom', SecretString: 'v3', ClientRequestToken: token(23), VersionStages: ['blue'] });
  const d = await ok('DescribeSecret', { SecretId: 'lab/custom' });
  assert.deepEqual(d.VersionIdsToStages, { [token(21)]: ['AWSCURRENT'], [token(23)]: ['blue'] });
});

test('a secret created without a value has no versions; its first value becomes AWSCURRENT', async () => {
  const created = await ok('CreateSecret', { Name: 'lab/empty' });
  assert.equal('VersionId' in created, false);
  // AWS answers only the members that have a value: no versions, no VersionIdsToStages.
  assert.equal('VersionIdsToStages' in (await ok('DescribeSecret', { SecretId: 'lab/empty' })), false);
  await ok('PutSecretValue', { SecretId: 'lab/empty', SecretString: 'x', ClientRequestToken: token(31), VersionStages: ['custom'] });
  assert.deepEqual((await ok('DescribeSecret', { SecretId: 'lab/empty' })).VersionIdsToStages, { [token(31)]: ['custom', 'AWSCURRENT'] });
});

test('past 100 versions the oldest unlabelled ones older than a day are pruned, else LimitExceeded', async () => {
  await ok('CreateSecret', { Name: 'lab/many', SecretString: 'v0', ClientRequestToken: token(1000) });
  for (let i = 1; i < 100; i++) await ok('PutSecretValue', { SecretId: 'lab/many', SecretString: `v${i}`, ClientRequestToken: token(1000 + i) });
  const refused = await call(srv, 'PutSecretValue', { SecretId: 'lab/many', SecretString: 'v100', ClientRequestToken: token(1100) });
  assert.deepEqual([refused.status, refused.body.__type], [400, 'LimitExceededException']);
  clock.advance(25 * 3600_000);
  try {
    await ok('PutSecretValue', { SecretId: 'lab/many', SecretString: 'v100', ClientRequestToken: token(1100) });
    const all = await ok('ListSecretVersionIds', { SecretId: 'lab/many', IncludeDeprecated: true, MaxResults: 100 });
    assert.equal(all.Versions.length, 100);
    assert.equal(all.Versions[0].VersionId, token(1001));
    const gone = await call(srv, 'GetSecretValue', { SecretId: 'lab/many', VersionId: token(1000) });
    assert.equal(gone.body.__type, 'ResourceNotFoundException');
  } finally {
    clock.advance(-25 * 3600_000);
  }
});

test('a secret pending deletion is described, hidden from ListSecrets, restorable, then purged', async () => {
  await ok('CreateSecret', { Name: 'lab/window', SecretString: 'x', ClientRequestToken: token(41) });
  const del = await ok('DeleteSecret', { SecretId: 'lab/window', RecoveryWindowInDays: 7 });
  assert.equal(del.DeletionDate, clock.now() / 1000 + 7 * 86400);
  assert.equal(typeof (await ok('DescribeSecret', { SecretId: 'lab/window' })).DeletedDate, 'number');
  const names = async (extra: object) => (await ok('ListSecrets', { Filters: [{ Key: 'name', Values: ['lab/window'] }], ...extra })).SecretList.map((s: { Name: string }) => s.Name);
  assert.deepEqual(await names({}), []);
  assert.deepEqual(await names({ IncludePlannedDeletion: true }), ['lab/window']);
  await ok('RestoreSecret', { SecretId: 'lab/window' });
  assert.deepEqual(await names({}), ['lab/window']);
  await ok('DeleteSecret', { SecretId: 'lab/window', RecoveryWindowInDays: 7 });
  clock.advance(6 * 86400_000);
  await srv.core.runPeriodicWork();
  assert.deepEqual(await names({ IncludePlannedDeletion: true }), ['lab/window'], 'purged before its window ended');
  clock.advance(86400_000 + 1000);
  try {
    await srv.core.runPeriodicWork();
    const after = await call(srv, 'DescribeSecret', { SecretId: 'lab/window' });
    assert.equal(after.body.__type, 'ResourceNotFoundException');
    // A recreated name is a new secret with a new ARN suffix.
    const again = await ok('CreateSecret', { Name: 'lab/window', SecretString: 'y', ClientRequestToken: token(42) });
    assert.notEqual(again.ARN, del.ARN);
  } finally {
    clock.advance(-(7 * 86400_000 + 1000));
  }
});
