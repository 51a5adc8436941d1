// The seal with an auto seal, in process: init with recovery keys, auto-unseal, recovery keys
// after sys/seal and for generate-root's check, a seal that is down, migration between two
// auto seals, and a stored seal that the configuration does not name. The key service here is
// a local AES-GCM key standing in for transit or an HSM (the process tests use the real ones).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Rekey } from '../../src/barrier/rekey.js';
import { ShamirSeal } from '../../src/barrier/seal.js';
import { SealUnavailable, type AutoSealType, type SealWrapper, type WrappedBlob } from '../../src/barrier/wrapper.js';
import { ManualClock } from '../../src/util/clock.js';
import { BadRequest } from '../../src/util/errors.js';
import { FakeStorage } from './fake-storage.js';

class LocalWrapper implements SealWrapper {
  readonly #key = randomBytes(32);
  readonly type: AutoSealType;
  available = true;
  constructor(type: AutoSealType) { this.type = type; }
  describe(): string { return `${this.type} (local)`; }
  async encrypt(plaintext: Buffer): Promise<WrappedBlob> {
    this.#check();
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#key, iv);
    return { ciphertext: Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]).toString('base64'), iv: iv.toString('base64') };
  }
  async decrypt(blob: WrappedBlob): Promise<Buffer> {
    this.#check();
    const data = Buffer.from(blob.ciphertext, 'base64');
    const d = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(blob.iv ?? '', 'base64'));
    d.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]);
  }
  async close(): Promise<void> {}
  #check(): void { if (!this.available) throw new SealUnavailable(`${this.type} seal: down`); }
}

async function autoSealed(wrapper = new LocalWrapper('transit')) {
  const physical = new FakeStorage();
  const clock = new ManualClock();
  const seal = await ShamirSeal.open(physical, clock, { wrapper });
  const { keys, recoveryKeys } = await seal.initialize({ secret_shares: 3, secret_threshold: 2 });
  return { physical, clock, seal, wrapper, keys, recoveryKeys };
}

const k = (keys: Buffer[], i: number) => keys[i] as Buffer;

test('init: recovery keys only, the seal entries out of the barrier\'s reach, auto-unseal opens it', async () => {
  const { seal, keys, recoveryKeys } = await autoSealed();
  assert.deepEqual(keys, []);
  assert.equal(recoveryKeys.length, 3);
  assert.deepEqual(seal.status(), { type: 'transit', initialized: true, sealed: true, t: 2, n: 3, progress: 0, nonce: '', migration: false, recovery_seal: true });
  assert.equal(await seal.autoUnseal(), 'unsealed');
  assert.equal(seal.status().sealed, false);
  for (const path of ['core/hsm/barrier-unseal-keys', 'core/recovery-key', 'core/recovery-config']) {
    await assert.rejects(seal.barrier.get(path), /reserved path/);
  }
  assert.equal(await seal.checkKeyShares([k(recoveryKeys, 0), k(recoveryKeys, 2)]), true);
  const other = await autoSealed();
  assert.equal(await seal.checkKeyShares([k(other.recoveryKeys, 0), k(other.recoveryKeys, 1)]), false);
});

test('after seal, recovery keys unseal (through the seal); wrong ones do not; a seal that is down is said so', async () => {
  const { seal, wrapper, recoveryKeys } = await autoSealed();
  const other = await autoSealed();
  await assert.rejects(seal.unseal(k(other.recoveryKeys, 0)).then(() => seal.unseal(k(other.recoveryKeys, 1))), /invalid key shares/);
  assert.equal(seal.status().sealed, true);
  wrapper.available = false;
  await assert.rejects(seal.autoUnseal(), SealUnavailable);
  await seal.unseal(k(recoveryKeys, 0));
  await assert.rejects(seal.unseal(k(recoveryKeys, 1)), /transit seal: down/);
  wrapper.available = true;
  await seal.unseal(k(recoveryKeys, 1));
  assert.equal((await seal.unseal(k(recoveryKeys, 2))).sealed, false);
  await seal.seal();
  assert.equal(await seal.autoUnseal(), 'unsealed');
});

test('transit to pkcs11: the old seal disabled, recovery keys with migrate; they stay the recovery keys', async () => {
  const { physical, clock, seal: first, wrapper: old, recoveryKeys } = await autoSealed();
  await first.autoUnseal();
  await first.barrier.put('app/secret', Buffer.from('kept'));
  await first.seal();
  const next = new LocalWrapper('pkcs11');
  const migrating = await ShamirSeal.open(physical, clock, { wrapper: next, previous: old });
  assert.deepEqual({ ...migrating.status(), nonce: '' }, { type: 'transit', initialized: true, sealed: true, t: 2, n: 3, progress: 0, nonce: '', migration: true, recovery_seal: true });
  assert.equal(await migrating.autoUnseal(), 'not-auto');
  await assert.rejects(migrating.unseal(k(recoveryKeys, 0)), /migrate option not provided and seal migration is pending/);
  await migrating.unseal(k(recoveryKeys, 0), true);
  const done = await migrating.unseal(k(recoveryKeys, 1), true);
  assert.equal(done.type, 'pkcs11');
  assert.equal(done.migration, false);
  old.available = false; // the old seal is not needed any more
  const after = await ShamirSeal.open(physical, clock, { wrapper: next });
  assert.equal(await after.autoUnseal(), 'unsealed');
  assert.equal((await after.barrier.get('app/secret'))?.toString(), 'kept');
  assert.equal(await after.checkKeyShares([k(recoveryKeys, 1), k(recoveryKeys, 2)]), true);
});

test('a stored auto seal the configuration does not name is refused, never guessed', async () => {
  const { physical, clock, recoveryKeys } = await autoSealed();
  const shamir = await ShamirSeal.open(physical, clock);
  await assert.rejects(shamir.unseal(k(recoveryKeys, 0)), (err: Error) => err instanceof BadRequest && /stored seal is transit but the configured seal is shamir/.test(err.message));
  const wrong = await ShamirSeal.open(physical, clock, { wrapper: new LocalWrapper('pkcs11') });
  await assert.rejects(wrong.autoUnseal(), /stored seal is transit but the configured seal is pkcs11/);
  assert.equal(wrong.status().migration, false);
  // Shamir's own rules hold for the recovery shares too.
  await assert.rejects(ShamirSeal.open(new FakeStorage(), clock, { wrapper: new LocalWrapper('transit') })
    .then((s) => s.initialize({ secret_shares: 3, secret_threshold: 1 })), /secret_threshold must be greater than 1/);
});

test('rekey of the recovery keys (sys/rekey-recovery-key): a threshold of the old ones, then only the new ones work', async () => {
  const { seal, recoveryKeys } = await autoSealed();
  await seal.autoUnseal();
  const rekey = new Rekey(seal, 'recovery');
  const started = rekey.init({ secret_shares: 2, secret_threshold: 2, require_verification: false });
  assert.equal(started.required, 2);
  await rekey.update(k(recoveryKeys, 0), started.nonce);
  const done = await rekey.update(k(recoveryKeys, 2), started.nonce);
  assert.ok('complete' in done && done.complete);
  const fresh = (done as { keys: string[] }).keys.map((h) => Buffer.from(h, 'hex'));
  assert.equal(fresh.length, 2);
  assert.equal(await seal.checkKeyShares(fresh), true);
  assert.equal(await seal.checkKeyShares([k(recoveryKeys, 0), k(recoveryKeys, 1)]), false);
  assert.deepEqual([seal.status().t, seal.status().n], [2, 2]);
  await seal.seal();
  await seal.unseal(k(fresh, 0));
  assert.equal((await seal.unseal(k(fresh, 1))).sealed, false);
  // The root key is the seal's: the barrier's rekey refuses.
  await assert.rejects(seal.replaceRootKey(randomBytes(32), 3, 2), /not supported with an auto seal/);
});
