// Finding "sys/health?activecode=101": every *code parameter must be a status between 200 and
// 599; a 1xx would break the connection's framing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(() => srv.close());

for (const param of ['activecode', 'standbycode', 'sealedcode', 'uninitcode', 'drsecondarycode', 'performancestandbycode']) {
  for (const code of [101, 199, 600, 999]) {
    test(`sys/health codes: ${param}=${code} is refused with 400`, async () => {
      const r = await srv.api('GET', `sys/health?${param}=${code}`);
      assert.equal(r.status, 400);
    });
  }
}

test('sys/health codes: 200-599 are honoured', async () => {
  assert.equal((await srv.api('GET', 'sys/health?activecode=299')).status, 299);
  assert.equal((await srv.api('GET', 'sys/health?activecode=599')).status, 599);
});
