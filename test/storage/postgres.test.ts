// The storage contract on the machine's PostgreSQL, bare and under the barrier and a view.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { openPostgresStorage } from '../../src/storage/postgres.js';
import { BadRequest } from '../../src/util/errors.js';
import { dropTables, PG_URL, uniqueTableName } from '../helpers/postgres.js';
import { storageContract } from './contract.js';
import { barrierAndView } from './stacks.js';

async function fresh() {
  const table = uniqueTableName('kv');
  const storage = await openPostgresStorage({ connectionUrl: PG_URL, table, maxParallel: 8 });
  return { storage, table, close: async () => { await storage.close(); await dropTables(table); } };
}

storageContract('postgresql', fresh);

storageContract('barrier+view over postgresql', async () => {
  const { storage, close } = await fresh();
  return { storage: await barrierAndView(storage), close };
});

test('postgresql: creates its table once, says so, and data survives reopen', async () => {
  const table = uniqueTableName('reopen');
  const created: string[] = [];
  const first = await openPostgresStorage({ connectionUrl: PG_URL, table, onCreated: (t) => created.push(t) });
  await first.put('a/b', Buffer.from('kept'));
  await first.close();
  const second = await openPostgresStorage({ connectionUrl: PG_URL, table, onCreated: (t) => created.push(t) });
  try {
    assert.deepEqual(await second.get('a/b'), Buffer.from('kept'));
    assert.deepEqual(created, [`"${table}"`]);
  } finally {
    await second.close();
    await dropTables(table);
  }
});

test('postgresql: writes issued in one turn commit as one transaction', async () => {
  const { storage, close } = await fresh();
  try {
    const before = storage.commits();
    await Promise.all(Array.from({ length: 300 }, (_, i) => storage.put(`g/${i}`, Buffer.from(String(i)))));
    assert.equal(storage.commits() - before, 1);
    assert.equal((await storage.list('g/')).length, 300);
  } finally {
    await close();
  }
});

test('postgresql: a batch that fails in the database rejects its writers and leaves nothing', async () => {
  const { storage, table, close } = await fresh();
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await storage.put('keep', Buffer.from('1'));
    // A constraint the backend does not know about makes the next batch fail mid-way.
    await admin.query(`ALTER TABLE "${table}" ADD CONSTRAINT no_bad CHECK (key <> 'bad')`);
    const writes = [storage.put('f/1', Buffer.from('1')), storage.put('bad', Buffer.from('x'))];
    for (const w of writes) await assert.rejects(w, { message: 'storage commit failed' });
    assert.deepEqual(await storage.list('f/'), []);
    assert.deepEqual(await storage.get('keep'), Buffer.from('1'));
  } finally {
    await admin.end();
    await close();
  }
});

test('postgresql: a table name that is not a plain identifier is refused', async () => {
  await assert.rejects(openPostgresStorage({ connectionUrl: PG_URL, table: 'x; DROP TABLE y' }), BadRequest);
});
