// `lockbox auth`: list and tune the token method; enable, move and disable another method.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { useCliServer } from './helpers.js';

const suite = useCliServer();

test('list shows the token method', async () => {
  const r = await suite.cli.run(['auth', 'list']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Path\s+Type\s+Accessor\s+Description$/m);
  assert.match(r.stdout, /^token\/\s+token\s+\S+/m);
  assert.equal(JSON.parse((await suite.cli.run(['auth', 'list', '-format=json'])).stdout)['token/'].type, 'token');
});

test('tune changes the token method\'s TTLs', async () => {
  const r = await suite.cli.run(['auth', 'tune', '-default-lease-ttl=1h', '-max-lease-ttl=4h', 'token']);
  assert.deepEqual([r.code, r.stdout], [0, 'Success! Tuned the auth method at: token/\n'], r.stderr);
  const tuned = await suite.srv.api('GET', 'sys/auth/token/tune');
  assert.equal(tuned.body.data.default_lease_ttl, 3600);
  assert.equal(tuned.body.data.max_lease_ttl, 14400);
});

