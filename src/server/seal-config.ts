// The `seal "transit"` and `seal "pkcs11"` blocks, in Vault's shape. As Vault's seals do, an
// environment variable wins over the file, so a token or PIN need not be written down. Every
// key we do not honour is refused by name; messages never quote a value (it may be a secret).
import type { TransitSealSettings } from '../barrier/transit-wrapper.js';
import type { Pkcs11SealSettings } from '../barrier/pkcs11-wrapper.js';
import { parsePkcs11Mechanism } from '../barrier/pkcs11-wrapper.js';

type Block = Record<string, unknown>;
type Fail = (msg: string) => Error;
type Env = Record<string, string | undefined>;

/** One auto seal block; `disabled` marks the seal being migrated away from. */
export type SealBlock =
  | { type: 'transit'; disabled: boolean; transit: TransitSealSettings }
  | { type: 'pkcs11'; disabled: boolean; pkcs11: Pkcs11SealSettings };

const TRANSIT_KEYS: Record<string, string | undefined> = {
  address: 'VAULT_ADDR', token: 'VAULT_TOKEN', key_name: 'VAULT_TRANSIT_SEAL_KEY_NAME', mount_path: 'VAULT_TRANSIT_SEAL_MOUNT_PATH',
  namespace: 'VAULT_NAMESPACE', disable_renewal: 'VAULT_TRANSIT_SEAL_DISABLE_RENEWAL', tls_ca_cert: 'VAULT_CACERT',
  tls_client_cert: 'VAULT_CLIENT_CERT', tls_client_key: 'VAULT_CLIENT_KEY', tls_server_name: 'VAULT_TLS_SERVER_NAME',
  tls_skip_verify: 'VAULT_SKIP_VERIFY', disabled: undefined,
};
const PKCS11_KEYS: Record<string, string | undefined> = {
  lib: 'VAULT_HSM_LIB', slot: 'VAULT_HSM_SLOT', token_label: 'VAULT_HSM_TOKEN_LABEL', pin: 'VAULT_HSM_PIN',
  key_label: 'VAULT_HSM_KEY_LABEL', mechanism: 'VAULT_HSM_MECHANISM', generate_key: 'VAULT_HSM_GENERATE_KEY', disabled: undefined,
};

// Vault's HCL takes booleans as true, "true", 1 or "1".
const truthy = (v: unknown) => v === true || v === 'true' || v === 1 || v === '1';

/** The auto seal blocks of a config (`seal "shamir"` is the default and needs none). */
export function sealBlocksOf(blocks: Array<[string, Block]>, fail: Fail, env: Env = process.env): SealBlock[] {
  // Vault: VAULT_SEAL_TYPE alone selects a seal whose settings all come from the environment.
  const fromEnv = env.VAULT_SEAL_TYPE;
  const all = blocks.length === 0 && fromEnv && fromEnv !== 'shamir' ? [[fromEnv, {}] as [string, Block]] : blocks;
  const out: SealBlock[] = [];
  for (const [type, body] of all) {
    if (type === 'shamir') {
      if (Object.keys(body).length > 0) throw fail(`seal "shamir": unsupported setting(s) ${Object.keys(body).join(', ')}`);
      continue;
    }
    if (type === 'transit') out.push({ type, disabled: truthy(body.disabled), transit: transitOf(settingsOf(type, body, TRANSIT_KEYS, fail, env), fail) });
    else if (type === 'pkcs11') out.push({ type, disabled: truthy(body.disabled), pkcs11: pkcs11Of(settingsOf(type, body, PKCS11_KEYS, fail, env), fail) });
    else throw fail(`unknown seal type "${type}" (supported: shamir, transit, pkcs11)`);
  }
  if (out.filter((b) => !b.disabled).length > 1) throw fail('only one seal block may be enabled; mark the old one disabled = "true" to migrate');
  if (out.filter((b) => b.disabled).length > 1) throw fail('only one seal block may be disabled');
  return out;
}

/** The block's values as strings, the environment winning; unknown keys refused. */
function settingsOf(type: string, body: Block, known: Record<string, string | undefined>, fail: Fail, env: Env): Record<string, string> {
  const unknown = Object.keys(body).filter((k) => !(k in known));
  if (unknown.length > 0) throw fail(`seal "${type}": unsupported setting(s) ${unknown.join(', ')}`);
  const out: Record<string, string> = {};
  for (const [key, envName] of Object.entries(known)) {
    const fromEnv = envName ? env[envName] : undefined;
    const value = fromEnv !== undefined && fromEnv !== '' ? fromEnv : body[key];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'object') throw fail(`seal "${type}": ${key} must be a string`);
    out[key] = String(value);
  }
  return out;
}

function need(type: string, s: Record<string, string>, key: string, env: string | undefined, fail: Fail): string {
  const v = s[key];
  if (v === undefined) throw fail(`seal "${type}": ${key} is required${env ? ` (or ${env})` : ''}`);
  return v;
}

function transitOf(s: Record<string, string>, fail: Fail): TransitSealSettings {
  const req = (key: string) => need('transit', s, key, TRANSIT_KEYS[key], fail);
  const address = req('address');
  if (!/^https?:\/\//.test(address)) throw fail('seal "transit": address must start with http:// or https://');
  return {
    address, token: req('token'), keyName: req('key_name'), mountPath: req('mount_path'), namespace: s.namespace,
    disableRenewal: truthy(s.disable_renewal), tlsCaCert: s.tls_ca_cert, tlsClientCert: s.tls_client_cert,
    tlsClientKey: s.tls_client_key, tlsServerName: s.tls_server_name, tlsSkipVerify: truthy(s.tls_skip_verify),
  };
}

function pkcs11Of(s: Record<string, string>, fail: Fail): Pkcs11SealSettings {
  const req = (key: string) => need('pkcs11', s, key, PKCS11_KEYS[key], fail);
  if (s.slot !== undefined && s.token_label !== undefined) throw fail('seal "pkcs11": give slot or token_label, not both');
  if (s.slot === undefined && s.token_label === undefined) throw fail('seal "pkcs11": slot or token_label is required (or VAULT_HSM_SLOT, VAULT_HSM_TOKEN_LABEL)');
  let slot: bigint | undefined;
  if (s.slot !== undefined) {
    if (!/^(\d+|0x[0-9a-fA-F]+)$/.test(s.slot)) throw fail('seal "pkcs11": slot must be a number');
    slot = BigInt(s.slot);
  }
  const mechanism = parsePkcs11Mechanism(s.mechanism);
  if (mechanism === undefined) throw fail('seal "pkcs11": mechanism must be CKM_AES_GCM (0x1087), the only one supported');
  return {
    lib: req('lib'), slot, tokenLabel: s.token_label, pin: req('pin'), keyLabel: req('key_label'),
    mechanism, generateKey: truthy(s.generate_key),
  };
}

/** The start-up summary's seal line. */
export function describeSeal(blocks: SealBlock[]): string {
  const active = blocks.find((b) => !b.disabled);
  const old = blocks.find((b) => b.disabled);
  const name = active?.type ?? 'shamir';
  return old ? `${name} (migrating from ${old.type})` : name;
}
