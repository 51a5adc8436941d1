// The longer fuzz run: the test suite's generator (test/fuzz/) with any seed and count, and
// sys/health timed between batches against the 100 ms bar. Prints findings and
// numbers; never pass/fail.
//   node dist/bench/fuzz.js [requests=20000] [seed=1]
import { startTestServer } from '../test/helpers/server.js';
import { declaredPaths, requestGenerator } from '../test/fuzz/generate.js';
import { FUZZ_POLICY, mountEveryEngine, sendFuzzed } from '../test/fuzz/send.js';

const total = Number(process.argv[2] ?? 20_000);
const seed = Number(process.argv[3] ?? 1);
const srv = await startTestServer();
await mountEveryEngine(srv.api);
const patterns = declaredPaths(srv.core);
const health: number[] = [];
let problems = 0;
for (let batch = 0; batch * 100 < total; batch++) {
  // The run may delete its own policy or revoke its token: both are made afresh each batch.
  await srv.api('PUT', 'sys/policies/acl/fuzzer', { policy: FUZZ_POLICY });
  const fuzzer = (await srv.api('POST', 'auth/token/create', { policies: ['fuzzer'] })).body.auth.client_token as string;
  const next = requestGenerator(patterns, [fuzzer, fuzzer, ''], seed * 100_000 + batch);
  for (const p of await sendFuzzed(srv.url, Array.from({ length: 100 }, next), 8)) {
    problems++;
    console.log(p);
  }
  const t = performance.now();
  const h = await fetch(`${srv.url}/v1/sys/health`);
  await h.arrayBuffer();
  health.push(performance.now() - t);
  if (h.status !== 200) console.log(`sys/health answered ${h.status} after batch ${batch}`);
}
health.sort((a, b) => a - b);
console.log(`${total} requests over ${patterns.length} declared paths, seed ${seed}: ${problems} problems; `
  + `sys/health between batches p50 ${health[Math.floor(health.length / 2)]!.toFixed(1)} ms, max ${health[health.length - 1]!.toFixed(1)} ms `
  + `(${health.filter((x) => x > 100).length} over 100 ms)`);
await srv.close();
