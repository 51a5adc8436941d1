// A bounded, seeded fuzz run over every declared path: random methods, bodies (deep, wide,
// broken), odd headers and tokens. It asserts no crash, no 5xx but the documented ones, no
// stack trace or internal detail in any answer, and that sys/health still answers between
// batches. A longer run with other seeds: `node dist/bench/fuzz.js [requests] [seed]`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { declaredPaths, requestGenerator } from './generate.js';
import { mountEveryEngine, sendFuzzed, FUZZ_POLICY } from './send.js';

let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(() => srv.close());

test('fuzz: 2,000 seeded requests over every declared path break nothing', async (t) => {
  await mountEveryEngine(srv.api);
  const patterns = declaredPaths(srv.core);
  assert.ok(patterns.length > 50, 'the declared paths were found');
  let slowestHealth = 0;
  for (let batch = 0; batch < 20; batch++) {
    // A fresh policy and token per batch: the run may delete the one or revoke the other.
    await srv.api('PUT', 'sys/policies/acl/fuzzer', { policy: FUZZ_POLICY });
    const fuzzer = (await srv.api('POST', 'auth/token/create', { policies: ['fuzzer'] })).body.auth.client_token as string;
    const limited = (await srv.api('POST', 'auth/token/create', { policies: ['fuzzer'], num_uses: 3 })).body.auth.client_token as string;
    const next = requestGenerator(patterns, [fuzzer, fuzzer, limited], 1000 + batch);
    const problems = await sendFuzzed(srv.url, Array.from({ length: 100 }, next), 8);
    assert.deepEqual(problems, [], `batch ${batch}`);
    const started = performance.now();
    const health = await fetch(`${srv.url}/v1/sys/health`);
    slowestHealth = Math.max(slowestHealth, performance.now() - started);
    assert.equal(health.status, 200, `sys/health after batch ${batch}`);
  }
  // Printed, not asserted (speed is the benchmark's business): the bar is 100 ms.
  t.diagnostic(`slowest sys/health between batches: ${slowestHealth.toFixed(1)} ms`);
  assert.doesNotMatch(srv.log(), /uncaught|unhandled/i);
});
