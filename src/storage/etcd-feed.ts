// etcd's change feed: a watch on the data prefix from the revision the node started at. etcd
// delivers events in revision order and resumes a broken watch from the last revision it
// delivered, so nothing is missed while the history is kept; a watch that fails outright
// (compacted past it) is restarted and the node forgets everything it cached.
import type { Etcd3, Watcher } from 'etcd3';
import { FeedState } from './feed.js';

/** Follows `prefix` into `state`; the returned function stops it. */
export async function followPrefix(client: Etcd3, prefix: string, state: FeedState): Promise<() => Promise<void>> {
  let watcher: Watcher | undefined;
  let stopped = false;
  const start = async (lost: boolean): Promise<void> => {
    // The revision now: everything up to it is already what the node will read.
    const now = Number((await client.kv.range({ key: Buffer.from(prefix) })).header.revision);
    const next = await client.watch().prefix(prefix).startRevision(String(now + 1)).create();
    next.on('data', (res) => {
      let revision = 0;
      const keys: string[] = [];
      for (const event of res.events) {
        keys.push(event.kv.key.toString().slice(prefix.length));
        revision = Math.max(revision, Number(event.kv.mod_revision));
      }
      if (keys.length > 0) state.changed(revision, keys);
    });
    next.on('error', () => {
      if (stopped || watcher !== next) return;
      watcher = undefined;
      void next.cancel().catch(() => undefined);
      const retry = (): void => void start(true).catch(() => setTimeout(retry, 1000));
      retry();
    });
    watcher = next;
    state.changed(now, lost ? 'all' : []);
  };
  await start(false);
  return async () => {
    stopped = true;
    await watcher?.cancel().catch(() => undefined);
  };
}
