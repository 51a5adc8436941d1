// `seal "transit"` and `seal "pkcs11"` blocks: Vault's keys and environment variables (the
// environment wins, as with Vault's seals), required settings, what is refused by name, and
// that no message ever quotes a token or PIN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeSeal, sealBlocksOf } from '../../src/server/seal-config.js';

const fail = (msg: string) => new Error(msg);
const TOKEN = 'hvs.token-canary-5d1e';
const PIN = 'pin-canary-0a9c';
const transit = { address: 'https://vault.example:8200', token: TOKEN, key_name: 'unseal', mount_path: 'transit/' };
const pkcs11 = { lib: '/usr/lib/softhsm/libsofthsm2.so', token_label: 'lockbox', pin: PIN, key_label: 'root' };

test('a transit block in Vault\'s shape', () => {
  const [b] = sealBlocksOf([['transit', { ...transit, namespace: 'ns1/', disable_renewal: 'true', tls_server_name: 'vault', tls_skip_verify: 'false' }]], fail, {});
  assert.deepEqual(b, {
    type: 'transit', disabled: false,
    transit: {
      address: 'https://vault.example:8200', token: TOKEN, keyName: 'unseal', mountPath: 'transit/', namespace: 'ns1/', disableRenewal: true,
      tlsCaCert: undefined, tlsClientCert: undefined, tlsClientKey: undefined, tlsServerName: 'vault', tlsSkipVerify: false,
    },
  });
});

test('transit settings from Vault\'s environment variables, which win over the file', () => {
  const env = { VAULT_ADDR: 'http://127.0.0.1:9200', VAULT_TOKEN: 'from-env', VAULT_TRANSIT_SEAL_KEY_NAME: 'k2', VAULT_TRANSIT_SEAL_MOUNT_PATH: 'seal/', VAULT_TRANSIT_SEAL_DISABLE_RENEWAL: 'true' };
  const [b] = sealBlocksOf([['transit', transit]], fail, env);
  assert.ok(b?.type === 'transit');
  assert.deepEqual([b.transit.address, b.transit.token, b.transit.keyName, b.transit.mountPath, b.transit.disableRenewal], ['http://127.0.0.1:9200', 'from-env', 'k2', 'seal/', true]);
  // VAULT_SEAL_TYPE alone selects the seal, every setting from the environment.
  const [only] = sealBlocksOf([], fail, { ...env, VAULT_SEAL_TYPE: 'transit' });
  assert.equal(only?.type, 'transit');
});

test('a pkcs11 block: slot or token_label, CKM_AES_GCM only, VAULT_HSM_* over the file', () => {
  const [b] = sealBlocksOf([['pkcs11', { ...pkcs11, generate_key: 'true', mechanism: '0x1087' }]], fail, {});
  assert.deepEqual(b, { type: 'pkcs11', disabled: false, pkcs11: { lib: pkcs11.lib, slot: undefined, tokenLabel: 'lockbox', pin: PIN, keyLabel: 'root', mechanism: 0x1087, generateKey: true } });
  const [bySlot] = sealBlocksOf([['pkcs11', { lib: pkcs11.lib, slot: '2305843009213693953', pin: PIN, key_label: 'root' }]], fail, {});
  assert.ok(bySlot?.type === 'pkcs11');
  assert.equal(bySlot.pkcs11.slot, 2305843009213693953n);
  const [env] = sealBlocksOf([['pkcs11', pkcs11]], fail, { VAULT_HSM_PIN: 'env-pin', VAULT_HSM_KEY_LABEL: 'env-key', VAULT_HSM_MECHANISM: '4231' });
  assert.ok(env?.type === 'pkcs11');
  assert.deepEqual([env.pkcs11.pin, env.pkcs11.keyLabel, env.pkcs11.mechanism], ['env-pin', 'env-key', 0x1087]);
});

test('what would be ignored or cannot work is refused by name, never quoting a secret', () => {
  const refuse = (blocks: Array<[string, Record<string, unknown>]>, re: RegExp, env: Record<string, string> = {}) => {
    assert.throws(() => sealBlocksOf(blocks, fail, env), (err: Error) => {
      assert.match(err.message, re);
      assert.ok(!err.message.includes(TOKEN) && !err.message.includes(PIN), err.message);
      return true;
    });
  };
  refuse([['transit', { ...transit, key_id_prefix: 'x' }]], /seal "transit": unsupported setting\(s\) key_id_prefix/);
  refuse([['transit', { ...transit, token: undefined }]], /seal "transit": token is required \(or VAULT_TOKEN\)/);
  refuse([['transit', { ...transit, address: 'vault:8200' }]], /address must start with http:\/\/ or https:\/\//);
  refuse([['pkcs11', { ...pkcs11, hmac_key_label: 'h' }]], /seal "pkcs11": unsupported setting\(s\) hmac_key_label/);
  refuse([['pkcs11', { ...pkcs11, mechanism: '0x0009' }]], /mechanism must be CKM_AES_GCM \(0x1087\)/);
  refuse([['pkcs11', { ...pkcs11, slot: '0' }]], /give slot or token_label, not both/);
  refuse([['pkcs11', { ...pkcs11, token_label: undefined }]], /slot or token_label is required/);
  refuse([['pkcs11', { ...pkcs11, pin: undefined }]], /pin is required \(or VAULT_HSM_PIN\)/);
  refuse([['awskms', {}]], /unknown seal type "awskms" \(supported: shamir, transit, pkcs11\)/);
  refuse([['transit', transit], ['pkcs11', pkcs11]], /only one seal block may be enabled/);
  refuse([['shamir', { secret_shares: 5 }]], /seal "shamir": unsupported setting\(s\) secret_shares/);
});

test('a disabled block marks a migration, and the summary line says so', () => {
  const blocks = sealBlocksOf([['transit', { ...transit, disabled: 'true' }], ['shamir', {}]], fail, {});
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0]?.disabled, true);
  assert.equal(describeSeal(blocks), 'shamir (migrating from transit)');
  assert.equal(describeSeal(sealBlocksOf([['pkcs11', pkcs11]], fail, {})), 'pkcs11');
  assert.equal(describeSeal([]), 'shamir');
});
