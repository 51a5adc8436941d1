// `lockbox login`: the token is checked with lookup-self and stored in ~/.vault-token,
// which later commands use.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { cliFor, type Cli } from './helpers.js';

let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(async () => { await srv.close(); });

/** A CLI with no token in its environment: only the helper file can supply one. */
function fresh(): Cli {
  return cliFor(srv.url);
}

test('login TOKEN writes the token file (0600) and later commands use it', async () => {
  const cli = fresh();
  try {
    const r = await cli.run(['login', srv.rootToken]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Success!/);
    assert.match(r.stdout, new RegExp(`^token\\s+${srv.rootToken}$`, 'm'));
    assert.match(r.stdout, /^token_duration\s+∞$/m);
    assert.match(r.stdout, /^token_policies\s+\["root"\]$/m);
    const file = join(cli.home, '.vault-token');
    assert.equal(readFileSync(file, 'utf8'), srv.rootToken);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal((await cli.run(['write', 'cubbyhole/after-login', 'ok=yes'])).code, 0);
    const read = await cli.run(['read', '-field=ok', 'cubbyhole/after-login']);
    assert.equal(read.stdout, 'yes', read.stderr);
  } finally {
    cli.cleanup();
  }
});

test('login reads the token from stdin when none is given', async () => {
  const cli = fresh();
  try {
    const r = await cli.run(['login', '-token-only'], { input: `${srv.rootToken}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, srv.rootToken);
    assert.equal(readFileSync(join(cli.home, '.vault-token'), 'utf8'), srv.rootToken);
  } finally {
    cli.cleanup();
  }
});

test('a bad token is refused (exit 2) and nothing is stored', async () => {
  const cli = fresh();
  try {
    const r = await cli.run(['login', 'hvs.not-a-token']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error authenticating: Error making API request\./);
    assert.match(r.stderr, /Code: 403/);
    assert.equal(existsSync(join(cli.home, '.vault-token')), false);
  } finally {
    cli.cleanup();
  }
});

test('-no-store checks the token but does not write the file; -format=json prints the auth block', async () => {
  const cli = fresh();
  try {
    const r = await cli.run(['login', '-no-store', '-format=json', srv.rootToken]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).auth.client_token, srv.rootToken);
    assert.equal(existsSync(join(cli.home, '.vault-token')), false);
  } finally {
    cli.cleanup();
  }
});

test('a token in the environment is warned about, since it wins over the stored one', async () => {
  const cli = fresh();
  try {
    const r = await cli.run(['login', '-no-print', srv.rootToken], { env: { VAULT_TOKEN: srv.rootToken } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /WARNING!.*VAULT_TOKEN/s);
  } finally {
    cli.cleanup();
  }
});
