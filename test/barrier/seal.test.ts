import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShamirSeal } from '../../src/barrier/seal.js';
import { ManualClock } from '../../src/util/clock.js';
import { BadRequest, NotInitialized, Sealed } from '../../src/util/errors.js';
import { FakeStorage } from './fake-storage.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function initialized(n = 5, t = 3) {
  const physical = new FakeStorage();
  const clock = new ManualClock();
  const seal = await ShamirSeal.open(physical, clock);
  const { keys } = await seal.initialize({ secret_shares: n, secret_threshold: t });
  return { physical, clock, seal, keys };
}

const at = (keys: Buffer[], i: number): Buffer => keys[i] as Buffer;

test('a fresh store is uninitialised and sealed; unseal says so', async () => {
  const seal = await ShamirSeal.open(new FakeStorage(), new ManualClock());
  assert.deepEqual(seal.status(), { type: 'shamir', initialized: false, sealed: true, t: 0, n: 0, progress: 0, nonce: '', migration: false, recovery_seal: false });
  await assert.rejects(seal.unseal(Buffer.alloc(33)), NotInitialized);
});

test('init 5/3 returns five distinct keys and leaves the server sealed', async () => {
  const { seal, keys, physical } = await initialized();
  assert.equal(keys.length, 5);
  assert.equal(new Set(keys.map((k) => k.toString('hex'))).size, 5);
  assert.deepEqual(seal.status(), { type: 'shamir', initialized: true, sealed: true, t: 3, n: 5, progress: 0, nonce: '', migration: false, recovery_seal: false });
  assert.deepEqual(JSON.parse((physical.raw('core/seal-config') as Buffer).toString()),
    { type: 'shamir', secret_shares: 5, secret_threshold: 3 });
  await assert.rejects(seal.barrier.get('x'), Sealed);
});

test('any 3 of 5 shares, in any order, unseal', async () => {
  const subsets = [[0, 1, 2], [4, 3, 2], [1, 3, 4], [2, 0, 4], [3, 1, 0]];
  const { physical, clock, keys, seal: first } = await initialized();
  await first.unseal(at(keys, 0)); await first.unseal(at(keys, 1)); await first.unseal(at(keys, 2));
  await first.barrier.put('kv/x', Buffer.from('hello'));
  for (const subset of subsets) {
    const seal = await ShamirSeal.open(physical, clock);
    let status = seal.status();
    for (const [step, i] of subset.entries()) {
      status = await seal.unseal(at(keys, i));
      if (step < 2) {
        assert.deepEqual([status.sealed, status.progress], [true, step + 1], `subset ${subset}`);
        assert.match(status.nonce, UUID);
      }
    }
    assert.deepEqual([status.sealed, status.progress, status.nonce], [false, 0, ''], `subset ${subset}`);
    assert.deepEqual(await seal.barrier.get('kv/x'), Buffer.from('hello'));
  }
});

test('the nonce stays the same through one attempt', async () => {
  const { seal, keys } = await initialized();
  const a = await seal.unseal(at(keys, 0));
  const b = await seal.unseal(at(keys, 1));
  assert.equal(a.nonce, b.nonce);
});

test('a share given twice in one attempt is refused and does not count', async () => {
  const { seal, keys } = await initialized();
  await seal.unseal(at(keys, 1));
  await assert.rejects(seal.unseal(Buffer.from(at(keys, 1))), { name: 'BadRequest', message: 'this key share has already been provided' });
  assert.equal(seal.status().progress, 1);
  await seal.unseal(at(keys, 2));
  assert.equal((await seal.unseal(at(keys, 3))).sealed, false);
});

test('a share from another init fails at the threshold, resets progress, and reveals nothing', async () => {
  const { seal, keys } = await initialized();
  const other = await initialized();
  await seal.unseal(at(keys, 0));
  await seal.unseal(at(keys, 1));
  const err = await seal.unseal(at(other.keys, 0)).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof BadRequest);
  assert.equal(err.message, 'Error unsealing: invalid key shares');
  assert.deepEqual([seal.status().sealed, seal.status().progress, seal.status().nonce], [true, 0, '']);
  // A clean attempt afterwards still works.
  for (const i of [2, 3]) await seal.unseal(at(keys, i));
  assert.equal((await seal.unseal(at(keys, 4))).sealed, false);
});

test('a key of the wrong length is refused without counting', async () => {
  const { seal, keys } = await initialized();
  await assert.rejects(seal.unseal(Buffer.alloc(5)), BadRequest);
  await assert.rejects(seal.unseal(at(keys, 0).subarray(0, 32)), BadRequest);
  assert.equal(seal.status().progress, 0);
});

test('resetUnseal clears progress and nonce', async () => {
  const { seal, keys } = await initialized();
  await seal.unseal(at(keys, 0));
  await seal.unseal(at(keys, 1));
  assert.deepEqual(seal.resetUnseal(), { type: 'shamir', initialized: true, sealed: true, t: 3, n: 5, progress: 0, nonce: '', migration: false, recovery_seal: false });
  // The same shares may be given again after a reset.
  await seal.unseal(at(keys, 0));
  await seal.unseal(at(keys, 1));
  assert.equal((await seal.unseal(at(keys, 2))).sealed, false);
});

test('unseal when already unsealed just returns the status', async () => {
  const { seal, keys } = await initialized(1, 1);
  await seal.unseal(at(keys, 0));
  assert.deepEqual(await seal.unseal(Buffer.alloc(32)), { type: 'shamir', initialized: true, sealed: false, t: 1, n: 1, progress: 0, nonce: '', migration: false, recovery_seal: false });
});

test('seal makes the barrier refuse; a restart over the same store unseals and reads the data', async () => {
  const { physical, clock, seal, keys } = await initialized();
  for (const i of [4, 0, 2]) await seal.unseal(at(keys, i));
  const canary = Buffer.from('canary-plaintext-7c1e');
  await seal.barrier.put('logical/abc/secret', canary);
  await seal.barrier.rotate();
  await seal.barrier.put('logical/abc/later', Buffer.from('after rotate'));
  await seal.seal();
  assert.equal(seal.status().sealed, true);
  await assert.rejects(seal.barrier.get('logical/abc/secret'), Sealed);
  await assert.rejects(seal.barrier.put('logical/abc/x', Buffer.from('x')), Sealed);
  await assert.rejects(seal.barrier.list('logical/'), Sealed);
  assert.equal(physical.allBytes().indexOf(canary), -1);

  const restarted = await ShamirSeal.open(physical, clock);
  assert.deepEqual([restarted.status().initialized, restarted.status().sealed], [true, true]);
  for (const i of [1, 3, 0]) await restarted.unseal(at(keys, i));
  assert.deepEqual(await restarted.barrier.get('logical/abc/secret'), canary);
  assert.deepEqual(await restarted.barrier.get('logical/abc/later'), Buffer.from('after rotate'));
  assert.equal(restarted.barrier.keyStatus().term, 2);
});

test('1/1: the single key is the 32-byte root key and unseals alone', async () => {
  const { seal, keys, physical } = await initialized(1, 1);
  assert.equal(keys.length, 1);
  assert.equal(at(keys, 0).length, 32);
  assert.equal(physical.allBytes().indexOf(at(keys, 0)), -1, 'the root key reached storage');
  const status = await seal.unseal(at(keys, 0));
  assert.deepEqual([status.sealed, status.t, status.n], [false, 1, 1]);
});

test('1/1 with a wrong key fails and stays sealed', async () => {
  const { seal } = await initialized(1, 1);
  await assert.rejects(seal.unseal(Buffer.alloc(32, 7)), { message: 'Error unsealing: invalid key shares' });
  assert.equal(seal.status().sealed, true);
});

test('invalid init parameters are refused and nothing is written', async () => {
  const physical = new FakeStorage();
  const seal = await ShamirSeal.open(physical, new ManualClock());
  const bad: Array<[number, number]> = [[0, 0], [3, 0], [0, 1], [2, 3], [256, 3], [5, 1], [2.5, 2], [NaN, 1]];
  for (const [n, t] of bad) {
    await assert.rejects(seal.initialize({ secret_shares: n, secret_threshold: t }), BadRequest, `${n}/${t}`);
  }
  assert.deepEqual(await physical.list(''), []);
  assert.equal(seal.status().initialized, false);
});

test('the boundaries are accepted: 255 shares, threshold equal to shares', async () => {
  const { keys } = await initialized(255, 255);
  assert.equal(keys.length, 255);
  const two = await initialized(2, 2);
  await two.seal.unseal(at(two.keys, 1));
  assert.equal((await two.seal.unseal(at(two.keys, 0))).sealed, false);
});

test('a second init is refused, also from another handle on the same store', async () => {
  const { physical, clock, seal } = await initialized();
  const expected = { name: 'BadRequest', message: 'Vault is already initialized' };
  await assert.rejects(seal.initialize({ secret_shares: 1, secret_threshold: 1 }), expected);
  const stale = await ShamirSeal.open(new FakeStorage(), clock);
  const other = await ShamirSeal.open(physical, clock);
  await assert.rejects(other.initialize({ secret_shares: 1, secret_threshold: 1 }), expected);
  assert.equal(stale.status().initialized, false);
});

test('unseal and seal listeners run, and a failing unseal listener leaves the server sealed', async () => {
  const { seal, keys } = await initialized(1, 1);
  const events: string[] = [];
  seal.on('unseal', () => { events.push('unseal'); });
  const off = seal.on('seal', async () => { events.push(`seal, barrier open: ${!seal.barrier.sealed}`); });
  await seal.unseal(at(keys, 0));
  await seal.seal();
  assert.deepEqual(events, ['unseal', 'seal, barrier open: true']);
  off();
  seal.on('unseal', () => { throw new Error('mount failed'); });
  await assert.rejects(seal.unseal(at(keys, 0)), /mount failed/);
  assert.equal(seal.status().sealed, true);
});

test('concurrent last shares unseal exactly once', async () => {
  const { seal, keys } = await initialized();
  await seal.unseal(at(keys, 0));
  await seal.unseal(at(keys, 1));
  let unseals = 0;
  seal.on('unseal', () => { unseals += 1; });
  const results = await Promise.all([seal.unseal(at(keys, 2)), seal.unseal(at(keys, 3))]);
  assert.deepEqual(results.map((r) => r.sealed), [false, false]);
  assert.equal(unseals, 1);
});
