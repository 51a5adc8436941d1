// PostgreSQL backend, in the shape of Vault's `storage "postgresql"`. One table of entries
// with a bytewise-ordered key (COLLATE "C": listing walks the primary key's index the way
// SQLite's does), a pool of connections, parameterised statements only. Writes go through
// group commit: every write that arrives while a batch is committing joins the next batch, and
// each batch is one PostgreSQL transaction, so a request's writes land together or not at all.
//
// With ha_enabled the backend also elects the active node (ha.ts): a lock row in `ha_table`
// with a generation and a TTL on the database's clock, plus a fast path — when the holder's
// process dies its database session ends, and a standby takes over before the TTL runs out. Every batch of an active node first locks
// the row FOR SHARE and checks its own generation in the same transaction (fencing), so a node
// that lost the lock cannot write, whatever it believes.
import pg from 'pg';
import { BadRequest } from '../util/errors.js';
import { HaLock, LockLost, type LockHolder, type LockPrimitives, type MemberInfo } from './ha.js';
import { networkedStorage, type NetworkedStorage } from './networked.js';
import { FeedState } from './feed.js';
import { changesDdl, followChanges, pruneChanges, recordChange, type ChangesNames } from './postgres-feed.js';

/** The `storage "postgresql"` settings. */
export type PostgresOptions = {
  connectionUrl: string;
  /** Entries table; created if missing. */
  table?: string;
  /** Pool size (Vault's max_parallel, 128 by default). */
  maxParallel?: number;
  /** Elect one active node through `haTable`. */
  haEnabled?: boolean;
  haTable?: string;
  /** The lock's TTL in ms. */
  lockTtlMs?: number;
  /** Told once per table created. */
  onCreated?: (table: string) => void;
};

/** A PostgreSQL storage; `ha` is present when ha_enabled. */
export type PostgresStorage = NetworkedStorage;

export const DEFAULT_PG_TABLE = 'lockbox_kv_store';
export const DEFAULT_PG_HA_TABLE = 'lockbox_ha_locks';
const LOCK_NAME = 'active';
const MEMBER_PREFIX = 'member/';

/** Opens the backend; tables are created on first use, and the first use is awaited here. */
export async function openPostgresStorage(options: PostgresOptions): Promise<PostgresStorage> {
  const table = quoteTable(options.table ?? DEFAULT_PG_TABLE, 'table');
  // HA nodes share a change feed (standby reads, X-Vault-Index): `<table>_changes`.
  const changesName = `${options.table ?? DEFAULT_PG_TABLE}_changes`;
  const changes: ChangesNames | undefined = options.haEnabled
    ? { table: quoteTable(changesName, 'table (with "_changes")'), channel: changesName.replace('.', '_') } : undefined;
  const haTable = quoteTable(options.haTable ?? DEFAULT_PG_HA_TABLE, 'ha_table');
  const ttlMs = options.lockTtlMs ?? 15_000;
  const pool = new pg.Pool({
    connectionString: options.connectionUrl,
    max: options.maxParallel ?? 128,
    // A session stuck inside a transaction (its process paused) must not hold the lock row's
    // FOR SHARE lock for ever and block a takeover: PostgreSQL ends it after one TTL.
    options: `-c idle_in_transaction_session_timeout=${ttlMs}`,
  });
  // An idle connection dropped by the server is replaced by the pool; without a listener the
  // error event would crash the process.
  pool.on('error', () => undefined);
  try {
    await createTables(pool, options, table, haTable);
    if (changes) await createTable(pool, options, changes.table, changesDdl(changes.table));
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw new BadRequest(`postgresql storage: cannot prepare tables: ${(cause as Error).message}`, { cause });
  }
  const sql = statements(table);
  const lock = options.haEnabled ? await sessionLock(options, haTable, ttlMs) : undefined;
  const feed = changes ? new FeedState() : undefined;
  const stopFeed = changes && feed ? await followChanges(options.connectionUrl, changes, feed) : undefined;

  return networkedStorage({
    ha: lock?.ha,
    feed,
    async get(key) {
      const result = await pool.query(sql.get, [key]);
      return result.rows[0]?.value as Buffer | undefined;
    },
    async scanPage(from, inclusive, max) {
      const result = await pool.query(inclusive ? sql.keysFrom : sql.keysAfter, [from, max]);
      return result.rows.map((row) => row.key as string);
    },
    async applyBatch(ops) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        if (lock) await lock.fenceIn(client);
        for (const { key, value } of ops) {
          if (value === undefined) await client.query(sql.remove, [key]);
          else await client.query(sql.upsert, [key, value]);
        }
        const revision = changes ? await recordChange(client, changes, ops.map((op) => op.key)) : 0;
        await client.query('COMMIT');
        if (changes && feed) {
          feed.committed(revision);
          pruneChanges(pool, changes, revision);
        }
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await stopFeed?.();
      await lock?.close();
      await pool.end();
    },
  });
}

function statements(table: string) {
  return {
    get: `SELECT value FROM ${table} WHERE key = $1`,
    upsert: `INSERT INTO ${table} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    remove: `DELETE FROM ${table} WHERE key = $1`,
    keysFrom: `SELECT key FROM ${table} WHERE key >= $1 ORDER BY key LIMIT $2`,
    keysAfter: `SELECT key FROM ${table} WHERE key > $1 ORDER BY key LIMIT $2`,
  };
}

/** Creates a table unless it exists, and says so. */
async function createTable(pool: pg.Pool, options: PostgresOptions, name: string, ddl: string): Promise<void> {
  const exists = await pool.query('SELECT to_regclass($1) IS NOT NULL AS present', [name]);
  if (exists.rows[0]?.present === true) return;
  // IF NOT EXISTS: two nodes starting together both get here; one creates, neither fails.
  await pool.query(ddl);
  options.onCreated?.(name);
}

async function createTables(pool: pg.Pool, options: PostgresOptions, table: string, haTable: string): Promise<void> {
  const created = (name: string, ddl: string) => createTable(pool, options, name, ddl);
  await created(table, `CREATE TABLE IF NOT EXISTS ${table} (key TEXT COLLATE "C" PRIMARY KEY, value BYTEA NOT NULL)`);
  if (options.haEnabled) {
    await created(haTable, `CREATE TABLE IF NOT EXISTS ${haTable} (
      name TEXT PRIMARY KEY, holder TEXT NOT NULL, generation BIGINT NOT NULL,
      expires_at TIMESTAMPTZ NOT NULL, pid INTEGER NOT NULL, info TEXT NOT NULL)`);
  }
}

// Table names cannot be statement parameters, so they are checked and quoted instead.
function quoteTable(name: string, setting: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(p))) {
    throw new BadRequest(`postgresql storage: ${setting} must be a plain (optionally schema-qualified) name`);
  }
  return parts.map((p) => `"${p}"`).join('.');
}

/** The lock row, the fast path for a dead holder, and the fence check. */
async function sessionLock(options: PostgresOptions, haTable: string, ttlMs: number) {
  // One session of its own for the lock: the row records this session's backend pid, and a
  // standby that sees that pid gone from pg_stat_activity knows the holder's session has ended
  // (its process died or its connection was cut) and need not wait for the TTL. A holder that
  // is merely paused keeps its session, so a standby waits for the TTL, and fencing does the rest.
  const session = new pg.Client({ connectionString: options.connectionUrl });
  let sessionLost = false;
  session.on('error', () => { sessionLost = true; });
  session.on('end', () => { sessionLost = true; });
  await session.connect();
  let me: LockHolder | undefined;
  const interval = (ms: number) => `${ms} milliseconds`;

  const primitives: LockPrimitives = {
    async take(holder, ttl) {
      // A node whose lock session broke stays a standby: a restart gives it a new one.
      if (sessionLost) return undefined;
      me = holder;
      const result = await session.query(
        `INSERT INTO ${haTable} AS h (name, holder, generation, expires_at, pid, info)
           VALUES ($1, $2, 1, clock_timestamp() + $3::interval, pg_backend_pid(), $4)
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, generation = h.generation + 1,
           expires_at = EXCLUDED.expires_at, pid = EXCLUDED.pid, info = EXCLUDED.info
         WHERE h.expires_at < clock_timestamp()
            OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = h.pid)
         RETURNING generation`,
        [LOCK_NAME, holder.nodeId, interval(ttl), JSON.stringify(holder)],
      );
      const row = result.rows[0] as { generation: string } | undefined;
      return row === undefined ? undefined : Number(row.generation);
    },
    async renew(generation, ttl) {
      if (sessionLost || !me) return false;
      const result = await session.query(
        `UPDATE ${haTable} SET expires_at = clock_timestamp() + $4::interval
          WHERE name = $1 AND holder = $2 AND generation = $3 AND expires_at > clock_timestamp()`,
        [LOCK_NAME, me.nodeId, generation, interval(ttl)],
      );
      return result.rowCount === 1;
    },
    async release(generation) {
      if (!me || sessionLost) return;
      await session.query(
        `UPDATE ${haTable} SET expires_at = clock_timestamp() - interval '1 second'
          WHERE name = $1 AND holder = $2 AND generation = $3`,
        [LOCK_NAME, me.nodeId, generation],
      );
    },
    // Members share the lock table under names of their own; the lock is only ever 'active'.
    async announce(member, ttl) {
      await session.query(
        `INSERT INTO ${haTable} AS h (name, holder, generation, expires_at, pid, info)
           VALUES ($1, $2, 0, clock_timestamp() + $3::interval, pg_backend_pid(), $4)
         ON CONFLICT (name) DO UPDATE SET expires_at = EXCLUDED.expires_at, info = EXCLUDED.info`,
        [`${MEMBER_PREFIX}${member.nodeId}`, member.nodeId, interval(ttl), JSON.stringify({ ...member, ttlMs: ttl })],
      );
    },
    async members() {
      const result = await session.query(
        `SELECT info, (extract(epoch FROM expires_at) * 1000)::bigint AS expires FROM ${haTable}
          WHERE starts_with(name, $1) AND expires_at > clock_timestamp() ORDER BY name`, [MEMBER_PREFIX]);
      // The announcement's time: its expiry less the TTL it was given.
      return result.rows.map((row) => {
        const { ttlMs, ...member } = JSON.parse(row.info as string) as MemberInfo & { ttlMs: number };
        return { ...member, lastEcho: Number(row.expires) - ttlMs };
      });
    },
    async holder() {
      const result = await session.query(
        `SELECT info FROM ${haTable} WHERE name = $1 AND expires_at > clock_timestamp()`, [LOCK_NAME]);
      const info = result.rows[0]?.info as string | undefined;
      return info === undefined ? undefined : JSON.parse(info) as LockHolder;
    },
  };
  const ha = new HaLock(primitives, ttlMs);
  return {
    ha,
    /** Inside a batch's transaction: holds the lock row steady and checks this node's generation. */
    async fenceIn(client: pg.PoolClient): Promise<void> {
      const generation = ha.fence.check();
      if (generation === undefined) return;
      const row = await client.query(
        `SELECT 1 FROM ${haTable} WHERE name = $1 AND holder = $2 AND generation = $3
           AND expires_at > clock_timestamp() FOR SHARE`,
        [LOCK_NAME, me?.nodeId, generation],
      );
      if (row.rowCount !== 1) throw new LockLost();
    },
    async close(): Promise<void> {
      await ha.release();
      await session.end().catch(() => undefined);
    },
  };
}

