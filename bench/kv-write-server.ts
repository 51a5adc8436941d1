// The server half of `bench/kv-write.ts`: one Lockbox in this process on SQLite (dev mode,
// file audit device, a policy-bound token, as `npm run bench` has them), which answers the
// parent's IPC requests for its main thread's CPU time and its commit count. Commits are
// counted by watching the replies of the SQLite commit thread from outside, so this file
// runs unchanged on an older build copied beside it (BENCH_BASELINE).
//   node dist/bench/kv-write-server.js <dir>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startServer } from '../src/server/start.js';
import { api } from './processes.js';

// The commit thread answers each commit with `{ ids, ok }`: one per SQLite transaction.
let commits = 0;
let batches = 0;
const emit = Worker.prototype.emit;
Worker.prototype.emit = function (this: Worker, event: string | symbol, ...args: unknown[]) {
  const reply = args[0] as { ids?: unknown; ok?: unknown } | undefined;
  if (event === 'message' && reply && Array.isArray(reply.ids) && reply.ok === true) {
    commits++;
    batches += reply.ids.length;
  }
  return emit.call(this, event, ...args);
} as typeof emit;

/** The main thread's CPU time (user + system) in µs, from /proc (Linux; the main thread's tid is the pid). */
function mainThreadCpuUs(): number {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

const dir = process.argv[2] as string;
const server = await startServer({
  dev: true, storage: { type: 'sqlite', path: join(dir, `kv-write-${process.pid}.db`) }, listener: { address: '127.0.0.1:0' },
  logSink: () => {}, ui: false,
});
const root = server.rootToken;
await api(server.url, root, 'PUT', 'sys/audit/file', { type: 'file', options: { file_path: join(dir, `audit-${process.pid}.log`) } });
await api(server.url, root, 'PUT', 'sys/policies/acl/bench', { policy: 'path "secret/*" { capabilities = ["create", "read", "update"] }' });
const token = (await api(server.url, root, 'POST', 'auth/token/create', { policies: ['bench'] })).auth.client_token as string;
await api(server.url, token, 'POST', 'secret/data/hot', { data: { v: 'x' } });

/**
 * 32 writers calling core.handle in a loop for `seconds` with the root token: no HTTP and no
 * ACL around the write (the file audit device still records it).
 */
async function drive(scenario: 'distinct' | 'hot', seconds: number): Promise<{ writes: number; cpuUs: number; commits: number }> {
  const start = { cpu: mainThreadCpuUs(), commits };
  const deadline = Date.now() + seconds * 1000;
  let writes = 0;
  let next = 0;
  const writer = async () => {
    while (Date.now() < deadline) {
      const n = next++;
      await server.core.handle({
        id: `bench-${n}`, operation: 'update', path: scenario === 'hot' ? 'secret/data/hot' : `secret/data/core/${process.pid}/${n}`,
        data: { data: { v: 'x' } }, query: {}, headers: {}, clientToken: root, remoteAddress: '127.0.0.1',
      } as Parameters<typeof server.core.handle>[0]);
      writes++;
    }
  };
  await Promise.all(Array.from({ length: 32 }, writer));
  return { writes, cpuUs: mainThreadCpuUs() - start.cpu, commits: commits - start.commits };
}

process.on('message', (message: unknown) => {
  if (message === 'stats') process.send?.({ cpuUs: mainThreadCpuUs(), commits, batches });
  const asked = message as { drive?: 'distinct' | 'hot'; seconds?: number };
  if (asked.drive !== undefined) void drive(asked.drive, asked.seconds ?? 4).then((r) => process.send?.(r));
  if (message === 'stop') void server.close().then(() => process.exit(0));
});
console.log(`ready ${JSON.stringify({ url: server.url, token })}`);
