// The process a crash test kills: `populate <db> <state>` stores a burst of tokens due in ten
// minutes (plain ones, and parents with a child) and writes the unseal key and the token values
// to <state>; `burst <db> <state>` reopens the database, jumps its clock past the expiry, starts
// the expiration manager's pass and prints `committed` when the first bulk transaction is
// committed, then keeps going until it is killed (or finishes: `done`).
import { readFileSync, writeFileSync } from 'node:fs';
import { startServer } from '../../src/server/start.js';
import { newTokenValue } from '../../src/core/tokens/store.js';
import type { Clock } from '../../src/util/clock.js';

const [mode, path, statePath] = process.argv.slice(2);
const TTL_MS = 10 * 60_000;

/** What populate leaves for the test and for the burst (the unseal key in base64). */
export type CrashState = { key: string; plain: Array<{ token: string; accessor: string }>; parents: Array<{ token: string; child: string }> };

class JumpClock implements Clock {
  offset = 0;
  now(): number { return Date.now() + this.offset; }
}

async function populate(count: number): Promise<void> {
  const clock = new JumpClock();
  const server = await startServer({ storage: { type: 'sqlite', path: path! }, listener: { address: '127.0.0.1:0' }, logSink: () => {}, clock });
  const { keys } = await server.core.initialize(1, 1);
  await server.core.seal.unseal(keys[0]!);
  const { tokens } = server.core.unsealed;
  const create = (parent: string) => {
    const now = clock.now();
    const token = newTokenValue();
    return tokens.create(token, {
      parent, policies: ['default'], path: 'auth/token/create', meta: null, display_name: 'token', num_uses: 0,
      creation_time: Math.floor(now / 1000), ttl: TTL_MS / 1000, explicit_max_ttl: 0, period: 0, renewable: true,
      type: 'service', entity_id: '', role: '', expire_at: now + TTL_MS, issued_at: now,
    }).then((entry) => ({ token, entry }));
  };
  const state: CrashState = { key: keys[0]!.toString('base64'), plain: [], parents: [] };
  for (let done = 0; done < count; done += 1000) {
    const made = await Promise.all(Array.from({ length: Math.min(1000, count - done) }, () => create('')));
    for (const { token, entry } of made) state.plain.push({ token, accessor: entry.accessor });
  }
  for (let i = 0; i < 20; i++) {
    const parent = await create('');
    const child = await create(parent.entry.id);
    state.parents.push({ token: parent.token, child: child.token });
  }
  await server.close();
  writeFileSync(statePath!, JSON.stringify(state));
}

async function burst(): Promise<void> {
  const state = JSON.parse(readFileSync(statePath!, 'utf8')) as CrashState;
  const clock = new JumpClock();
  const server = await startServer({ storage: { type: 'sqlite', path: path! }, listener: { address: '127.0.0.1:0' }, logSink: () => {}, clock });
  await server.core.seal.unseal(Buffer.from(state.key, 'base64'));
  const { expiration } = server.core.unsealed;
  const bulk = expiration.bulkTokens!;
  let told = false;
  expiration.bulkTokens = async (items, submitted) => {
    const outcome = await bulk(items, submitted);
    // The first transaction is committed; the rest of the burst is still to come.
    if (!told) process.stdout.write('committed\n');
    told = true;
    return outcome;
  };
  clock.offset = TTL_MS + 60_000;
  await expiration.tick();
  process.stdout.write('done\n');
  await server.close();
}

if (mode === 'populate') await populate(Number(process.argv[5] ?? 20_000));
else if (mode === 'burst') await burst();
