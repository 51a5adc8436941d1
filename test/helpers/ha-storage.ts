// The shared stores the in-process HA suites run over: PostgreSQL (a table and a lock table of
// their own, dropped afterwards) and etcd (a throw-away server under a unique prefix). Each
// suite registers itself once per backend with `forEachHaBackend`.
import { after } from 'node:test';
import type { StorageConfig } from '../../src/storage/index.js';
import { dropTables, PG_URL, uniqueTableName } from './postgres.js';
import { startEtcd, type TestEtcd } from './etcd.js';

export type SharedStorage = {
  config: StorageConfig;
  cleanup(): Promise<void>;
  /** The PostgreSQL data table (its change feed is `<table>_changes`); absent on etcd. */
  table?: string;
};

export type HaBackend = { name: string; storage: () => Promise<SharedStorage> };

/** Calls `suite` for PostgreSQL and for etcd; `prefix` keeps table names and etcd paths apart per file. */
export function forEachHaBackend(prefix: string, lockTtlMs: number, suite: (backend: HaBackend) => void): void {
  suite({
    name: 'postgresql',
    storage: async () => {
      const table = uniqueTableName(`${prefix}kv`);
      const haTable = uniqueTableName(`${prefix}lock`);
      return {
        config: { type: 'postgresql', connectionUrl: PG_URL, table, haTable, maxParallel: 8, haEnabled: true, lockTtlMs },
        cleanup: () => dropTables(table, haTable),
        table,
      };
    },
  });
  let etcd: TestEtcd | undefined;
  after(() => etcd?.stop());
  suite({
    name: 'etcd',
    storage: async () => {
      etcd = await startEtcd();
      return {
        config: { type: 'etcd', hosts: [etcd.url], path: `/lockbox-${prefix}-${process.pid}/`, haEnabled: true, lockTtlMs },
        cleanup: async () => undefined,
      };
    },
  });
}

/** Polls `probe` every `stepMs` until it returns a value; fails naming `what` after `ms`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000, stepMs = 100): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
