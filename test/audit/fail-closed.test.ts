// Fail closed: when no enabled device can record a request, the request does not happen and
// the caller gets a 500; once a device can write again, requests go through again.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { reopenAll } from '../../src/audit/index.js';
import { canChattr, chattr, enableFile, recordsFor, tempDir } from './helpers.js';

const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `fn` against a fresh server, so its devices are the only ones. */
async function withServer(fn: (srv: TestServer) => Promise<void>): Promise<void> {
  const srv = await startTestServer();
  try {
    await fn(srv);
  } finally {
    await srv.close();
  }
}

test('the only device made unwritable: 500, the write does not happen; fixed: requests succeed again', { skip: !canChattr() && 'chattr +i not available' }, () =>
  withServer(async (srv) => {
    const file = join(dir, 'immutable.log');
    await enableFile(srv, 'file', file);
    chattr('+i', file);
    try {
      const refused = await srv.api('PUT', 'cubbyhole/blocked', { v: 'x' });
      assert.equal(refused.status, 500);
      assert.deepEqual(refused.body.errors, ['internal error']);
      assert.equal((await srv.api('GET', 'sys/mounts')).status, 500, 'reads are refused too');
    } finally {
      chattr('-i', file);
    }
    assert.equal((await srv.api('GET', 'cubbyhole/blocked')).status, 404, 'the refused write happened');
    assert.equal((await srv.api('PUT', 'cubbyhole/blocked', { v: 'x' })).status, 204);
    assert.equal((await srv.api('GET', 'cubbyhole/blocked')).status, 200);
    assert.equal(recordsFor(file, 'cubbyhole/blocked', 'request').length, 3, 'only the requests that ran were recorded');
    assert.match(srv.log(), /audit device failed to record/);
  }));

test('after rotation a SIGHUP reopen writes to the new file at the same path', () =>
  withServer(async (srv) => {
    const file = join(dir, 'rotate.log');
    await enableFile(srv, 'file', file);
    await srv.api('PUT', 'cubbyhole/before', { v: '1' });
    renameSync(file, `${file}.1`);
    await srv.api('PUT', 'cubbyhole/between', { v: '1' });
    await reopenAll(srv.core);
    await srv.api('PUT', 'cubbyhole/after', { v: '1' });
    assert.equal(recordsFor(`${file}.1`, 'cubbyhole/between').length, 2, 'until SIGHUP the old file is written');
    assert.equal(recordsFor(file, 'cubbyhole/after').length, 2);
    assert.equal(recordsFor(file, 'cubbyhole/between').length, 0);
  }));

test('a reopen that fails (directory gone) fails requests closed until the directory is back', () =>
  withServer(async (srv) => {
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const file = join(logs, 'audit.log');
    await enableFile(srv, 'file', file);
    renameSync(logs, join(dir, 'logs.old'));
    await reopenAll(srv.core);
    assert.equal((await srv.api('PUT', 'cubbyhole/lost', { v: '1' })).status, 500);
    mkdirSync(logs);
    assert.equal((await srv.api('PUT', 'cubbyhole/found', { v: '1' })).status, 204);
    assert.equal((await srv.api('GET', 'cubbyhole/lost')).status, 404);
    assert.equal(recordsFor(file, 'cubbyhole/found').length, 2);
  }));

test('one device recording is enough: a broken second device does not fail requests', () =>
  withServer(async (srv) => {
    const good = join(dir, 'good.log');
    const badDir = join(dir, 'bad');
    mkdirSync(badDir);
    await enableFile(srv, 'good', good);
    await enableFile(srv, 'bad', join(badDir, 'audit.log'));
    rmSync(badDir, { recursive: true });
    await reopenAll(srv.core);
    assert.equal((await srv.api('PUT', 'cubbyhole/one', { v: '1' })).status, 204);
    assert.equal(recordsFor(good, 'cubbyhole/one').length, 2);
    assert.ok(readFileSync(good).length > 0);
  }));
