// The encryption barrier: a Storage that encrypts every value it stores in the physical
// backend underneath, and refuses everything while sealed. Keys (paths) are not secret, so
// list and delete pass through; each value is bound to its path so entries cannot be swapped.
import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../util/clock.js';
import { telemetry } from '../util/telemetry.js';
import { BadRequest, DecryptFailed, Internal, Sealed } from '../util/errors.js';
import type { ListOptions, Storage } from '../storage/storage.js';
import { ciphertextTerm, decrypt, encrypt } from './aead.js';
import { Keyring } from './keyring.js';
import { serial } from './serial.js';
import { AUTO_SEAL_PATHS, type Entry } from './auto-seal.js';

/** Where the keyring lives, encrypted under the root key. */
export const KEYRING_PATH = 'core/keyring';
/** Where the seal keeps its configuration, in plaintext (it must be readable while sealed). */
export const SEAL_CONFIG_PATH = 'core/seal-config';
// Neither may be read or written through the barrier: a barrier write there would brick unseal.
const RESERVED = new Set([KEYRING_PATH, SEAL_CONFIG_PATH, ...AUTO_SEAL_PATHS]);
// Term 0 is never a data term; it labels the one blob encrypted under the root key.
const ROOT_TERM = 0;

/** Vault's sys/key-status answer. */
export type KeyStatus = { term: number; install_time: string; encryptions: number };
/** What a rotation installed. */
export type RotateResult = { term: number; install_time: string };

/** The keyring encrypted under the root key, as stored at KEYRING_PATH. */
export function encryptKeyring(rootKey: Buffer, keyring: Keyring): Buffer {
  const plain = keyring.serialize();
  try { return encrypt(rootKey, ROOT_TERM, plain, KEYRING_PATH); } finally { plain.fill(0); }
}

/** Opens what `encryptKeyring` wrote; DecryptFailed if `rootKey` is not the one it was sealed with. */
export function decryptKeyring(rootKey: Buffer, blob: Buffer): Keyring {
  if (ciphertextTerm(blob) !== ROOT_TERM) throw new DecryptFailed();
  const plain = decrypt(rootKey, blob, KEYRING_PATH);
  try { return Keyring.parse(plain); } finally { plain.fill(0); }
}

type Unsealed = { rootKey: Buffer; keyring: Keyring };

/** How many decoded values `getDecoded` keeps (then it starts over). */
const DECODED_ENTRIES = 10_000;

/** The lengths of the reserved paths: a length is known without flattening a built-up key, its hash is not. */
const RESERVED_LENGTHS = new Set([...RESERVED].map((key) => key.length));

function checkKey(key: string): void {
  if (RESERVED_LENGTHS.has(key.length) && RESERVED.has(key)) throw new BadRequest(`cannot access reserved path ${key}`);
}

/** The encrypting Storage over a physical backend; sealed until `unseal` is given the root key. */
export class Barrier implements Storage {
  readonly #physical: Storage;
  readonly #clock: Clock;
  readonly #serial = serial();
  readonly #top: Storage;
  #state: Unsealed | undefined;
  #encryptions = 0;

  /** A sealed barrier over `physical`. */
  constructor(physical: Storage, clock: Clock) {
    this.#physical = physical;
    this.#clock = clock;
    this.#top = this.#view(physical);
    this.stage = this.#top.stage;
  }

  /** Stages a transaction (Storage.stage) where the physical backend can; its writes are encrypted before they are buffered. */
  readonly stage: Storage['stage'];

  /** True until `unseal` succeeds, and again after `seal`. */
  get sealed(): boolean { return this.#state === undefined; }

  /** Decrypts the stored keyring with `rootKey` and starts serving; DecryptFailed if the key is wrong. */
  unseal(rootKey: Buffer): Promise<void> {
    const copy = Buffer.from(rootKey); // the caller may wipe its buffer while we wait in the queue
    return this.#serial(async () => {
      try {
        const blob = await this.#physical.get(KEYRING_PATH);
        if (blob === undefined) throw new Internal('barrier keyring is missing');
        const keyring = decryptKeyring(copy, blob);
        this.seal();
        this.#state = { rootKey: Buffer.from(copy), keyring };
        this.#encryptions = 0;
      } finally {
        copy.fill(0);
      }
    });
  }

  /** Forgets the root key and keyring; every call fails with Sealed until the next unseal. */
  seal(): void {
    const state = this.#state;
    this.#state = undefined;
    this.#decoded.clear();
    state?.keyring.wipe();
    state?.rootKey.fill(0);
  }

  /**
   * Re-reads the keyring from storage with the root key already held. For a node of an HA
   * cluster that becomes active: the previous active node may have rotated the keyring since
   * this node unsealed, and its copy must not be trusted.
   */
  reload(): Promise<void> {
    return this.#serial(async () => {
      const state = this.#unsealed();
      const blob = await this.#physical.get(KEYRING_PATH);
      if (blob === undefined) throw new Internal('barrier keyring is missing');
      const fresh = decryptKeyring(state.rootKey, blob);
      if (this.#state !== state) { fresh.wipe(); throw new Sealed(); }
      const old = state.keyring;
      state.keyring = fresh;
      this.#decoded.clear();
      old.wipe();
    });
  }

  /** Installs a new data key as the next term and persists the keyring; old terms stay readable. */
  rotate(): Promise<RotateResult> {
    // Serialised: two overlapping rotations would each persist a different key under one term.
    return this.#serial(async () => {
      const state = this.#unsealed();
      const next = state.keyring.clone();
      const installed = next.rotate(this.#clock.now());
      // Persist first, switch second: nothing is written under a term the disk does not know.
      await this.#physical.put(KEYRING_PATH, encryptKeyring(state.rootKey, next));
      if (this.#state !== state) { next.wipe(); throw new Sealed(); }
      const old = state.keyring;
      state.keyring = next;
      old.wipe(); // safe: reads and writes use a keyring only synchronously, never across an await
      this.#encryptions = 0;
      return { term: installed.term, install_time: new Date(installed.installTime).toISOString() };
    });
  }

  /** Whether `rootKey` is the one this barrier was unsealed with; false while sealed. */
  isRootKey(rootKey: Buffer): boolean {
    const current = this.#state?.rootKey;
    return current !== undefined && current.length === rootKey.length && timingSafeEqual(current, rootKey);
  }

  /**
   * Re-encrypts the keyring under a new root key and stores it, with the seal's own entries
   * (written, or removed when undefined), in one physical transaction; then switches to the new key.
   */
  replaceRootKey(rootKey: Buffer, entries: Entry[]): Promise<void> {
    const copy = Buffer.from(rootKey);
    return this.#serial(async () => {
      const state = this.#unsealed();
      try {
        const blob = encryptKeyring(copy, state.keyring);
        await this.#physical.transaction(async (tx) => {
          await tx.put(KEYRING_PATH, blob);
          for (const [path, value] of entries) await (value ? tx.put(path, value) : tx.delete(path));
        });
      } catch (err) {
        copy.fill(0);
        throw err;
      }
      if (this.#state !== state) { copy.fill(0); throw new Sealed(); }
      state.rootKey.fill(0);
      state.rootKey = copy;
    });
  }

  /** The active term, its install time (RFC 3339) and the encryptions made with it since unseal. */
  keyStatus(): KeyStatus {
    const { active } = this.#unsealed().keyring;
    return {
      term: active.term,
      install_time: new Date(active.installTime).toISOString(),
      encryptions: this.#encryptions,
    };
  }

  /** The decrypted value at `key`, or undefined. */
  get(key: string): Promise<Buffer | undefined> { return this.#top.get(key); }

  /**
   * Values decoded from entries that hold nothing secret, each with the ciphertext it was
   * decrypted from. Bounded; emptied on seal and reload.
   */
  readonly #decoded = new Map<string, { blob: Buffer; value: unknown }>();

  /**
   * The value at `key` through `decode`, decrypted and decoded only when the stored
   * ciphertext differs from the one the remembered value came from: the same bytes at the same
   * path under the same keyring open to the same plaintext, so nothing else needs to tell
   * this cache about writes (other nodes' included). The decoded value is kept in plaintext:
   * only for entries without secrets (KV metadata), never for secret data, which is decrypted
   * on every read. Callers share the value and must not change it.
   */
  async getDecoded<T>(key: string, decode: (plain: Buffer) => T): Promise<T | undefined> {
    const started = telemetry.barrier.get.start();
    try {
      this.#unsealed();
      checkKey(key);
      const blob = await this.#physical.get(key);
      if (blob === undefined) {
        this.#decoded.delete(key);
        return undefined;
      }
      const known = this.#decoded.get(key);
      const { keyring } = this.#unsealed(); // re-read: the barrier may have sealed meanwhile
      if (known !== undefined && known.blob.equals(blob)) return known.value as T;
      const found = keyring.term(ciphertextTerm(blob));
      if (found === undefined) throw new DecryptFailed();
      const value = decode(decrypt(found.key, blob, key));
      if (this.#decoded.size >= DECODED_ENTRIES) this.#decoded.clear();
      this.#decoded.set(key, { blob, value });
      return value;
    } finally {
      telemetry.barrier.get.stop(started);
    }
  }
  /**
   * Whether `key` holds an entry, without decrypting it: what a create-or-update check needs.
   * An entry that would not decrypt still counts; reading it fails as it would have.
   */
  has(key: string): Promise<boolean> {
    // Not async: the answer is the physical layer's own promise (a refusal still rejects).
    try {
      this.#unsealed();
      checkKey(key);
      const physical = this.#physical;
      return physical.has ? physical.has(key) : physical.get(key).then((blob) => blob !== undefined);
    } catch (err) {
      return Promise.reject(err);
    }
  }
  /** Encrypts `value` with the active term and stores it at `key`. */
  put(key: string, value: Buffer): Promise<void> { return this.#top.put(key, value); }
  /** Removes `key`. */
  delete(key: string): Promise<void> { return this.#top.delete(key); }
  /** The direct children of `prefix`, straight from the physical backend. */
  list(prefix: string, options?: ListOptions): Promise<string[]> { return this.#top.list(prefix, options); }
  /** Runs `fn` in a physical transaction; its writes are encrypted before they are buffered. */
  transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T> { return this.#top.transaction(fn); }

  #unsealed(): Unsealed {
    if (this.#state === undefined) throw new Sealed();
    return this.#state;
  }

  /** What the encrypting views need of the barrier: made once, shared by every view. */
  readonly #core: ViewCore = {
    unsealed: () => this.#unsealed(),
    encrypted: () => { this.#encryptions += 1; },
    view: (inner) => this.#view(inner),
  };

  // One encrypting face for the physical store and for each transaction opened on it. Every
  // method re-checks the seal, so a transaction still running when the barrier seals fails.
  #view(inner: Storage): Storage {
    return new EncryptingView(inner, this.#core);
  }
}

type ViewCore = { unsealed(): Unsealed; encrypted(): void; view(inner: Storage): Storage };

/**
 * The barrier's face over one storage (the physical one, or a transaction of it). A class:
 * every staged write opens a transaction and so one of these, and its methods are shared.
 * Timings are taken inline (`start`/`stop`) rather than through `time`, which would wrap each
 * call in a closure and a promise of its own.
 */
class EncryptingView implements Storage {
  readonly #inner: Storage;
  readonly #core: ViewCore;
  readonly stage?: Storage['stage'];

  constructor(inner: Storage, core: ViewCore) {
    this.#inner = inner;
    this.#core = core;
    if (inner.stage) {
      this.stage = async (fn, after) => {
        core.unsealed();
        return inner.stage!((tx) => fn(core.view(tx)), after);
      };
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    const started = telemetry.barrier.get.start();
    try {
      this.#core.unsealed();
      checkKey(key);
      const blob = await this.#inner.get(key);
      if (blob === undefined) return undefined;
      const keyring = this.#core.unsealed().keyring; // re-read: the barrier may have sealed meanwhile
      const found = keyring.term(ciphertextTerm(blob));
      if (found === undefined) throw new DecryptFailed();
      return decrypt(found.key, blob, key);
    } finally {
      telemetry.barrier.get.stop(started);
    }
  }

  async put(key: string, value: Buffer): Promise<void> {
    const started = telemetry.barrier.put.start();
    try {
      const { keyring } = this.#core.unsealed();
      checkKey(key);
      const { term, key: dataKey } = keyring.active;
      const blob = encrypt(dataKey, term, value, key);
      this.#core.encrypted();
      await this.#inner.put(key, blob);
    } finally {
      telemetry.barrier.put.stop(started);
    }
  }

  async delete(key: string): Promise<void> {
    const started = telemetry.barrier.delete.start();
    try {
      this.#core.unsealed();
      checkKey(key);
      await this.#inner.delete(key);
    } finally {
      telemetry.barrier.delete.stop(started);
    }
  }

  async list(prefix: string, options?: ListOptions): Promise<string[]> {
    const started = telemetry.barrier.list.start();
    try {
      this.#core.unsealed();
      return await this.#inner.list(prefix, options);
    } finally {
      telemetry.barrier.list.stop(started);
    }
  }

  async transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T> {
    this.#core.unsealed();
    const core = this.#core;
    return this.#inner.transaction((tx) => fn(core.view(tx)));
  }
}
