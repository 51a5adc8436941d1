// The machine's PostgreSQL (trust auth, database `test`) for storage and HA tests. Each test
// run names its tables after its process id and a counter, and drops them when done.
import pg from 'pg';

/** Where the tests' PostgreSQL listens. */
export const PG_URL = process.env.LOCKBOX_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let counter = 0;

/** A table name no other test run uses. */
export function uniqueTableName(stem: string): string {
  return `lbt_${stem}_${process.pid}_${Date.now().toString(36)}_${++counter}`;
}

/** Drops the named tables (if they exist). */
export async function dropTables(...names: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    // HA nodes add a change-feed table beside the entries table: `<table>_changes`.
    for (const name of names) await client.query(`DROP TABLE IF EXISTS "${name}", "${name}_changes"`);
  } finally {
    await client.end();
  }
}
