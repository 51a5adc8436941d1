// The PKCS#11 auto seal: the root key is encrypted with an AES-256 key that never leaves an
// HSM (or SoftHSM), with CKM_AES_GCM and a fresh 96-bit IV per encryption. The key is found by
// label on the token chosen by slot or token label, and generated there (non-extractable)
// when generate_key is set and none exists. A failure drops the session and the library, so
// the next attempt starts clean (a token plugged back in is found). Errors carry the PKCS#11
// return code name, never the PIN.
import { randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { SealUnavailable, type SealWrapper, type WrappedBlob } from './wrapper.js';

/** The `seal "pkcs11"` settings, after the environment has been applied. */
export type Pkcs11SealSettings = {
  lib: string;
  slot?: bigint;
  tokenLabel?: string;
  pin: string;
  keyLabel: string;
  mechanism: number;
  generateKey: boolean;
};

const CKM_AES_GCM = 0x1087;
const IV_BYTES = 12;
const TAG_BITS = 128;

/** CKM_AES_GCM by name, hex or decimal (the default when unset); undefined for anything else. */
export function parsePkcs11Mechanism(text: string | undefined): number | undefined {
  if (text === undefined || text === '' || text === 'CKM_AES_GCM') return CKM_AES_GCM;
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  return n === CKM_AES_GCM ? n : undefined;
}

type Connection = { module: pkcs11js.PKCS11; session: pkcs11js.Handle; key: pkcs11js.Handle };

export class Pkcs11Wrapper implements SealWrapper {
  readonly type = 'pkcs11' as const;
  readonly #s: Pkcs11SealSettings;
  #conn: Connection | undefined;

  constructor(settings: Pkcs11SealSettings) {
    this.#s = settings;
  }

  describe(): string {
    const where = this.#s.tokenLabel !== undefined ? `token_label: "${this.#s.tokenLabel}"` : `slot: "${String(this.#s.slot)}"`;
    return `pkcs11 (lib: "${this.#s.lib}", ${where}, key_label: "${this.#s.keyLabel}", mechanism: "0x${this.#s.mechanism.toString(16)}")`;
  }

  async encrypt(plaintext: Buffer): Promise<WrappedBlob> {
    return this.#use('encrypt', ({ module, session, key }) => {
      const iv = randomBytes(IV_BYTES);
      module.C_EncryptInit(session, this.#mechanism(iv), key);
      const out = module.C_Encrypt(session, plaintext, Buffer.alloc(plaintext.length + TAG_BITS / 8));
      return { ciphertext: Buffer.from(out).toString('base64'), iv: iv.toString('base64'), key_id: this.#s.keyLabel };
    });
  }

  async decrypt(blob: WrappedBlob): Promise<Buffer> {
    if (!blob.iv) throw this.#unavailable('decrypt', 'the stored blob has no IV');
    const iv = Buffer.from(blob.iv, 'base64');
    const data = Buffer.from(blob.ciphertext, 'base64');
    return this.#use('decrypt', ({ module, session, key }) => {
      module.C_DecryptInit(session, this.#mechanism(iv), key);
      return Buffer.from(module.C_Decrypt(session, data, Buffer.alloc(data.length)));
    });
  }

  async close(): Promise<void> {
    this.#disconnect();
  }

  #mechanism(iv: Buffer): pkcs11js.Mechanism {
    return { mechanism: this.#s.mechanism, parameter: { type: pkcs11js.CK_PARAMS_AES_GCM, iv, ivBits: IV_BYTES * 8, tagBits: TAG_BITS } as pkcs11js.AesGCM };
  }

  #use<T>(op: string, fn: (c: Connection) => T): T {
    try {
      this.#conn ??= this.#connect();
      return fn(this.#conn);
    } catch (err) {
      this.#disconnect();
      if (err instanceof SealUnavailable) throw err;
      throw this.#unavailable(op, codeOf(err));
    }
  }

  #connect(): Connection {
    const module = new pkcs11js.PKCS11();
    try {
      module.load(this.#s.lib);
    } catch {
      throw this.#unavailable('load', `cannot load the library ${this.#s.lib}`);
    }
    try {
      module.C_Initialize();
      const slot = this.#findSlot(module);
      const session = module.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      try {
        module.C_Login(session, pkcs11js.CKU_USER, this.#s.pin);
      } catch (err) {
        if (codeOf(err) !== 'CKR_USER_ALREADY_LOGGED_IN') throw err;
      }
      return { module, session, key: this.#findKey(module, session) };
    } catch (err) {
      try { module.C_Finalize(); } catch { /* it may not have initialised */ }
      module.close();
      throw err;
    }
  }

  #findSlot(module: pkcs11js.PKCS11): pkcs11js.Handle {
    const slots = module.C_GetSlotList(true);
    const found = slots.find((slot) => this.#s.tokenLabel !== undefined
      ? module.C_GetTokenInfo(slot).label.trimEnd() === this.#s.tokenLabel
      : slot.readBigUInt64LE(0) === this.#s.slot);
    if (!found) {
      throw this.#unavailable('connect', this.#s.tokenLabel !== undefined
        ? `no token labelled "${this.#s.tokenLabel}"` : `no token in slot ${String(this.#s.slot)}`);
    }
    return found;
  }

  #findKey(module: pkcs11js.PKCS11, session: pkcs11js.Handle): pkcs11js.Handle {
    const label = this.#s.keyLabel;
    module.C_FindObjectsInit(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY }, { type: pkcs11js.CKA_LABEL, value: label },
    ]);
    let keys: pkcs11js.Handle[];
    try { keys = module.C_FindObjects(session, 2); } finally { module.C_FindObjectsFinal(session); }
    if (keys.length > 1) throw this.#unavailable('connect', `more than one key is labelled "${label}"`);
    if (keys[0]) return keys[0];
    if (!this.#s.generateKey) throw this.#unavailable('connect', `no key labelled "${label}" (set generate_key to create one)`);
    // As Vault generates it: AES-256, on the token, private, sensitive, never extractable.
    return module.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY }, { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_VALUE_LEN, value: 32 }, { type: pkcs11js.CKA_LABEL, value: label }, { type: pkcs11js.CKA_ID, value: randomBytes(16) },
      { type: pkcs11js.CKA_TOKEN, value: true }, { type: pkcs11js.CKA_PRIVATE, value: true }, { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false }, { type: pkcs11js.CKA_ENCRYPT, value: true }, { type: pkcs11js.CKA_DECRYPT, value: true },
    ]);
  }

  #disconnect(): void {
    const c = this.#conn;
    this.#conn = undefined;
    if (!c) return;
    for (const step of [() => c.module.C_Logout(c.session), () => c.module.C_CloseSession(c.session), () => c.module.C_Finalize(), () => c.module.close()]) {
      try { step(); } catch { /* a broken session may refuse each step; the next connect starts fresh */ }
    }
  }

  #unavailable(op: string, reason: string): SealUnavailable {
    return new SealUnavailable(`pkcs11 seal (${op}, key "${this.#s.keyLabel}"): ${reason}`);
  }
}

/** The CKR_* name of a PKCS#11 failure; its message is the library's, so nothing else is kept. */
function codeOf(err: unknown): string {
  const m = /\bCKR_[A-Z_]+/.exec(err instanceof Error ? err.message : '');
  return m ? m[0] : 'PKCS#11 call failed';
}
