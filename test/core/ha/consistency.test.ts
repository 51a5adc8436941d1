// X-Vault-Index tokens (consistency.ts) and the change-feed bookkeeping (storage/feed.ts), on
// their own: Vault's WAL-state format, several echoed values, foreign clusters, forgeries, and
// waiting for a revision.
import assert from 'node:assert/strict';
import { createHmac, hkdfSync } from 'node:crypto';
import { test } from 'node:test';
import { IndexTokens, inconsistentMode } from '../../../src/core/consistency.js';
import { FeedState } from '../../../src/storage/feed.js';
import { LockboxError } from '../../../src/util/errors.js';

const salt = Buffer.alloc(32, 7);

function tokensAt(revision: number, cluster = 'cluster-a'): { tokens: IndexTokens; feed: FeedState } {
  const feed = new FeedState();
  feed.committed(revision);
  const tokens = new IndexTokens(feed);
  tokens.unsealed(cluster, salt);
  return { tokens, feed };
}

const status = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof LockboxError ? err.status : -1;
  }
  return 0;
};

test('the index is Vault WAL state: base64 of v1:cluster:local:replicated:hex(hmac-sha256)', () => {
  const { tokens } = tokensAt(42);
  const decoded = Buffer.from(tokens.current()!, 'base64').toString('utf8');
  const [version, cluster, local, replicated, mac] = decoded.split(':');
  assert.deepEqual([version, cluster, local, replicated], ['v1', 'cluster-a', '42', '42']);
  const key = Buffer.from(hkdfSync('sha256', salt, Buffer.alloc(0), 'lockbox x-vault-index', 32));
  assert.equal(mac, createHmac('sha256', key).update('v1:cluster-a:42:42').digest('hex'));
});

test('the required revision is the highest of all echoed values (repeated headers or comma-joined)', () => {
  const { tokens, feed } = tokensAt(5);
  const at5 = tokens.current()!;
  feed.committed(9);
  const at9 = tokens.current()!;
  assert.equal(tokens.required(undefined), undefined);
  assert.equal(tokens.required(at5), 5);
  assert.equal(tokens.required([at9, at5]), 9);
  assert.equal(tokens.required(`${at5}, ${at9}`), 9);
});

test('another cluster\'s index is ignored; a malformed or forged one is a 400', () => {
  const { tokens } = tokensAt(3);
  const other = tokensAt(1000, 'cluster-b').tokens.current()!;
  assert.equal(tokens.required(other), undefined);
  const forged = Buffer.from(Buffer.from(tokens.current()!, 'base64').toString('utf8').replace(':3:3:', ':30:30:')).toString('base64');
  assert.equal(status(() => tokens.required(forged)), 400);
  assert.equal(status(() => tokens.required(Buffer.from('v1:cluster-a:3').toString('base64'))), 400);
  assert.equal(status(() => tokens.required(Buffer.from('v2:cluster-a:3:3:00').toString('base64'))), 400);
  assert.equal(status(() => tokens.required('not base64 at all')), 400);
});

test('sealed, or before the cluster id and salt are known, no index is made and none is checked', () => {
  const feed = new FeedState();
  const tokens = new IndexTokens(feed);
  assert.equal(tokens.ready, false);
  assert.equal(tokens.current(), undefined);
  tokens.unsealed('', salt);
  assert.equal(tokens.ready, false);
  tokens.unsealed('c', salt);
  assert.equal(tokens.ready, true);
  tokens.sealed();
  assert.equal(tokens.current(), undefined);
});

test('X-Vault-Inconsistent: fail by default, forward-active-node, anything else a 400', () => {
  assert.equal(inconsistentMode(undefined), 'fail');
  assert.equal(inconsistentMode('fail'), 'fail');
  assert.equal(inconsistentMode('forward-active-node'), 'forward-active-node');
  assert.equal(status(() => inconsistentMode('later')), 400);
});

test('waiting for a revision: resolves when the feed reaches it, false after the timeout', async () => {
  const feed = new FeedState();
  const seen: Array<readonly string[] | 'all'> = [];
  const stop = feed.subscribe((keys) => seen.push(keys));
  const waiting = feed.waitFor(3, 5000);
  feed.changed(2, ['a']);
  feed.changed(3, ['b', 'c']);
  assert.equal(await waiting, true);
  assert.equal(await feed.waitFor(3, 0), true);
  assert.equal(await feed.waitFor(4, 20), false);
  // Listeners run before waiters wake, and an own commit tells no listener.
  feed.committed(10);
  stop();
  feed.changed(11, 'all');
  assert.deepEqual(seen, [['a'], ['b', 'c']]);
  assert.equal(feed.revision, 11);
});
