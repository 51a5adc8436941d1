// The agent under repeated SIGKILL: a ≈2 MB template rendered again and again (its last line is
// the SHA-256 of the rest) while the agent is killed at random moments and started again, 100
// times by default. Prints what the reader saw; the counts of torn reads and surviving temp
// files must be 0 (test/agent/e2e2/kill.test.ts asserts that on 20 kills).
//   node dist/bench/agent-kill.js        BENCH_KILLS (default 100), BENCH_BYTES (default 2 MiB)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from '../test/helpers/server.js';
import { killLoop } from '../test/agent/kill-loop.js';

const kills = Number(process.env.BENCH_KILLS ?? 100);
const bytes = Number(process.env.BENCH_BYTES ?? 2 * 1024 * 1024);
const srv = await startTestServer();
const dir = mkdtempSync(join(tmpdir(), 'bench-agent-kill-'));
try {
  const r = await killLoop({ srv, dir, kills, bytes });
  process.stdout.write([
    `kills                      ${r.kills}`,
    `reads of the destination   ${r.reads}`,
    `versions written / seen    ${r.versionsWritten} / ${r.versionsSeen}`,
    `temp files left by kills   ${r.tempsLeftByKills} (checked gone at ${r.tempChecks} starts)`,
    `torn or bad reads, leftovers ${r.bad.length}${r.bad.length ? `: ${r.bad.slice(0, 5).join('; ')}` : ''}`,
    `time                       ${(r.ms / 1000).toFixed(1)} s`,
  ].join('\n') + '\n');
  process.exitCode = r.bad.length ? 1 : 0;
} finally {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
}
