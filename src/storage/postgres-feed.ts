// PostgreSQL's change feed: every batch of an HA node appends one row (its keys) to a changes
// table in the same transaction, and NOTIFYs its revision, which PostgreSQL delivers only on
// commit. Each node LISTENs on one session of its own and, on a notification (or every second,
// in case one was missed), reads the rows after the last revision it has seen. Rows older than
// ten minutes are pruned by the writer; a listener that reconnects forgets everything instead
// of trusting that nothing was pruned before it caught up.
import pg from 'pg';
import { FeedState } from './feed.js';

/** How often a listener polls besides the notifications. */
const POLL_MS = 1000;
/** The writer prunes once per this many revisions. */
const PRUNE_EVERY = 500;

/** The changes table and channel of an entries table. */
export type ChangesNames = { table: string; channel: string };

export function changesDdl(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (revision BIGSERIAL PRIMARY KEY, keys TEXT[] NOT NULL,
    at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())`;
}

/** Inside a batch's transaction: records its keys; the revision it gets. */
export async function recordChange(client: pg.PoolClient, names: ChangesNames, keys: string[]): Promise<number> {
  const inserted = await client.query(`INSERT INTO ${names.table} (keys) VALUES ($1) RETURNING revision`, [keys]);
  const revision = Number((inserted.rows[0] as { revision: string }).revision);
  await client.query('SELECT pg_notify($1, $2)', [names.channel, String(revision)]);
  return revision;
}

/** After a commit: now and then, drops rows no listener still needs. */
export function pruneChanges(pool: pg.Pool, names: ChangesNames, revision: number): void {
  if (revision % PRUNE_EVERY !== 0) return;
  void pool.query(`DELETE FROM ${names.table} WHERE at < clock_timestamp() - interval '10 minutes'`).catch(() => undefined);
}

/** Follows the changes table into `state`; the returned function stops it. */
export async function followChanges(connectionUrl: string, names: ChangesNames, state: FeedState): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let seen = 0;
  let reading: Promise<void> | undefined;
  let again = false;

  const readNew = async (): Promise<void> => {
    const session = client;
    if (!session) return;
    for (;;) {
      const rows = await session.query(
        `SELECT revision, keys FROM ${names.table} WHERE revision > $1 ORDER BY revision LIMIT 1000`, [seen]);
      for (const row of rows.rows as Array<{ revision: string; keys: string[] }>) {
        seen = Number(row.revision);
        state.changed(seen, row.keys);
      }
      if (rows.rows.length < 1000) return;
    }
  };
  // One reader at a time; a notification during a read makes it read once more.
  const poke = (): void => {
    if (reading) { again = true; return; }
    reading = readNew().catch(() => undefined).finally(() => {
      reading = undefined;
      if (again && !stopped) { again = false; poke(); }
    });
  };
  const connect = async (): Promise<void> => {
    const session = new pg.Client({ connectionString: connectionUrl });
    session.on('notification', poke);
    session.on('error', () => undefined);
    session.on('end', () => {
      if (stopped || client !== session) return;
      client = undefined;
      setTimeout(() => void reconnect(), POLL_MS);
    });
    await session.connect();
    await session.query(`LISTEN "${names.channel}"`);
    const top = await session.query(`SELECT coalesce(max(revision), 0) AS top FROM ${names.table}`);
    client = session;
    // What happened before this point is already in the store the node reads from.
    const first = seen === 0;
    seen = Number((top.rows[0] as { top: string }).top);
    state.changed(seen, first ? [] : 'all');
  };
  const reconnect = async (): Promise<void> => {
    if (stopped) return;
    try {
      await connect();
    } catch {
      setTimeout(() => void reconnect(), POLL_MS);
    }
  };
  await connect();
  const timer = setInterval(poke, POLL_MS);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await reading;
    await client?.end().catch(() => undefined);
  };
}
