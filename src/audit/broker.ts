// The audit broker core calls for every request and response. It fans each record out to all
// enabled devices; Vault's rule: one device recording it is enough, none means the request
// fails (core turns our throw into a 500 and skips the handler).
import { randomUUID } from 'node:crypto';
import { BadRequest, Internal } from '../util/errors.js';
import type { AuditBroker, AuditInput } from '../core/audit.js';
import type { Core } from '../core/core.js';
import { normaliseMountPath } from '../core/mounts.js';
import { openDevice, type AuditDevice } from './devices/index.js';
import { encodeLine } from './encode.js';
import { hasherFor, hmacOf, newSalt, type Hasher } from './hash.js';
import { parseFormatOptions, type FormatOptions } from './options.js';
import { buildRecord, type AuditKind } from './record.js';
import { JsonLines } from './line.js';
import { deleteSalt, loadSalt, loadTable, saveSalt, saveTable, type AuditEntry } from './table.js';

/**
 * An enabled device with what it needs to format records. `seen` remembers, per request, the
 * HMACs already computed: the token and accessor appear four times in a request/response pair.
 */
type Live = {
  entry: AuditEntry; salt: Buffer; hash: Hasher; format: FormatOptions; device: AuditDevice;
  seen: WeakMap<object, Map<string, string>>;
  /**
   * HMACs of callers' tokens and accessors across requests: the same token comes back on every
   * request, and an HMAC costs more than the rest of a record. Bounded; never holds data values.
   */
  credentials: Map<string, string>;
  /** The JSON-format writer (undefined for JSONx, which renders the built record). */
  json: JsonLines | undefined;
};

/** How many caller credentials a device remembers the HMAC of. */
const CREDENTIAL_CACHE = 4096;

/** `d`'s hasher for one request, computing each distinct value once. */
function hasherOf(d: Live, input: AuditInput): Hasher {
  let seen = d.seen.get(input.request);
  if (!seen) d.seen.set(input.request, (seen = new Map()));
  const memo = seen;
  const isCredential = (v: string) => v === input.request.clientToken || v === input.caller?.accessor;
  return (value) => {
    let h = memo.get(value) ?? (isCredential(value) ? d.credentials.get(value) : undefined);
    if (h === undefined) {
      h = d.hash(value);
      if (isCredential(value)) {
        if (d.credentials.size >= CREDENTIAL_CACHE) d.credentials.clear();
        d.credentials.set(value, h);
      }
    }
    memo.set(value, h);
    return h;
  };
}

/** What `sys/audit/:path` accepts to enable a device. */
export type EnableRequest = Pick<AuditEntry, 'type' | 'description' | 'options' | 'local'>;

/** A device that could not be opened at unseal: every write tries again, so fixing the target heals it. */
function retrying(entry: AuditEntry): AuditDevice {
  let inner: Promise<AuditDevice> | undefined;
  const get = () => (inner ??= openDevice(entry.type, entry.options).catch((err: unknown) => {
    inner = undefined;
    throw err;
  }));
  return {
    write: async (line) => (await get()).write(line),
    reopen: async () => { await (await get()).reopen(); },
    close: async () => { await (await inner?.catch(() => undefined))?.close(); },
  };
}

/** The audit devices of one server, and the broker core logs through. */
export class AuditDevices implements AuditBroker {
  readonly #core: Core;
  /** Replaced, never mutated, so a record in flight keeps the set it started with. */
  #live: readonly Live[] = [];
  /** The table read after the last unseal, once started; undefined after unload. */
  #loaded: Promise<void> | undefined;
  /** idle: never loaded; ready: devices open; closed: unloaded for a seal. */
  #phase: 'idle' | 'ready' | 'closed' = 'idle';
  #serial: Promise<unknown> = Promise.resolve();

  constructor(core: Core) {
    this.#core = core;
  }

  /** True when devices are enabled, or when the table has not been read since unseal yet. */
  enabled(): boolean {
    return this.#phase !== 'ready' || this.#live.length > 0;
  }

  /** Records a request on every device; throws when none recorded it. */
  logRequest(input: AuditInput): Promise<void> {
    return this.#log('request', input);
  }

  /** Records a response on every device; throws when none recorded it. */
  logResponse(input: AuditInput): Promise<void> {
    return this.#log('response', input);
  }

  async #log(kind: AuditKind, input: AuditInput): Promise<void> {
    if (this.#phase !== 'ready') await this.#beforeReady();
    const live = this.#live;
    if (live.length === 0) return;
    const now = this.#core.clock.now();
    // One device (the usual case) is awaited alone, without the array and Promise.all.
    const recorded = live.length === 1 ? await this.#record(live[0] as Live, kind, input, now)
      : (await Promise.all(live.map((d) => this.#record(d, kind, input, now)))).includes(true);
    if (!recorded) throw new Internal(`no audit device could record the ${kind}`);
  }

  /** A record that comes while devices are not open. */
  async #beforeReady(): Promise<void> {
    // Sealed: the one answer still going out is sys/seal's own, and no device is open to take it.
    if (this.#core.seal.barrier.sealed) return;
    // Between our seal hook and the barrier closing, nothing may run unaudited.
    if (this.#phase === 'closed') throw new Internal('audit devices are closed for sealing');
    // A request can arrive between unseal and our unseal hook: load first rather than skip it.
    await this.load();
  }

  async #record(d: Live, kind: AuditKind, input: AuditInput, now: number): Promise<boolean> {
    try {
      // Made on first use: a record whose parts all come from the memos hashes nothing.
      let memo: Hasher | undefined;
      const hash: Hasher = (value) => (memo ??= hasherOf(d, input))(value);
      await d.device.write(d.json ? d.json.line(kind, input, hash, now) : encodeLine(buildRecord(kind, input, d.format, hash, now), d.format));
      return true;
    } catch (err) {
      this.#core.log.error('audit device failed to record', { device: d.entry.path, kind, error: err });
      return false;
    }
  }

  /** Runs table changes one at a time. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(fn, fn);
    this.#serial = run.catch(() => undefined);
    return run;
  }

  /** Reads the table and opens every device (after unseal); idempotent until the next unload. */
  load(): Promise<void> {
    this.#loaded ??= this.#exclusive(async () => {
      const barrier = this.#core.barrier;
      const entries = await loadTable(barrier);
      this.#live = await Promise.all(entries.map(async (entry) => {
        let salt = await loadSalt(barrier, entry.uuid);
        if (!salt) await saveSalt(barrier, entry.uuid, (salt = newSalt()));
        return this.#opened(entry, salt, await this.#openForUnseal(entry));
      }));
      this.#phase = 'ready';
    }).catch((err: unknown) => {
      this.#loaded = undefined;
      throw err;
    });
    return this.#loaded;
  }

  async #openForUnseal(entry: AuditEntry): Promise<AuditDevice> {
    try {
      return await openDevice(entry.type, entry.options);
    } catch (err) {
      // Unseal goes on; requests fail closed until the target can be written again.
      this.#core.log.error('audit device could not be opened', { device: entry.path, error: err });
      return retrying(entry);
    }
  }

  #opened(entry: AuditEntry, salt: Buffer, device: AuditDevice): Live {
    const format = parseFormatOptions(entry.options);
    const hmac = hasherFor(salt);
    // Empty strings are common in responses (a live KV version's deletion_time) and reveal nothing.
    const empty = hmac('');
    return {
      entry, salt, hash: (v) => (v === '' ? empty : hmac(v)), format, device, seen: new WeakMap(), credentials: new Map(),
      json: format.format === 'json' ? new JsonLines(format) : undefined,
    };
  }

  /** Closes every device (before seal, at shutdown); the next unseal loads them again. */
  unload(): Promise<void> {
    return this.#exclusive(async () => {
      const live = this.#live;
      this.#live = [];
      this.#loaded = undefined;
      this.#phase = 'closed';
      await Promise.allSettled(live.map((d) => d.device.close()));
    });
  }

  /** The enabled devices, in the order they were enabled. */
  list(): AuditEntry[] {
    return this.#live.map((d) => d.entry);
  }

  /** Enables a device at `path`; 400 when the path clashes or the device cannot be opened. */
  async enable(path: string, req: EnableRequest): Promise<void> {
    await this.load();
    const at = normaliseMountPath(path);
    await this.#exclusive(async () => {
      // Vault: no device path may be a prefix of another.
      if (this.#live.some((d) => d.entry.path.startsWith(at) || at.startsWith(d.entry.path))) {
        throw new BadRequest('path already in use');
      }
      parseFormatOptions(req.options); // bad common options are a 400 before anything is opened
      const device = await openDevice(req.type, req.options);
      const entry: AuditEntry = { path: at, ...req, uuid: randomUUID() };
      const salt = newSalt();
      try {
        await this.#core.barrier.transaction(async (tx) => {
          await saveSalt(tx, entry.uuid, salt);
          await saveTable(tx, [...this.#live.map((d) => d.entry), entry]);
        });
      } catch (err) {
        await device.close();
        throw err;
      }
      this.#live = [...this.#live, this.#opened(entry, salt, device)];
    });
  }

  /** Disables the device at `path`; disabling one that does not exist is not an error (Vault). */
  async disable(path: string): Promise<void> {
    await this.load();
    const at = normaliseMountPath(path);
    await this.#exclusive(async () => {
      const gone = this.#live.find((d) => d.entry.path === at);
      if (!gone) return;
      const rest = this.#live.filter((d) => d !== gone);
      await this.#core.barrier.transaction(async (tx) => {
        await saveTable(tx, rest.map((d) => d.entry));
        await deleteSalt(tx, gone.entry.uuid);
      });
      this.#live = rest;
      await gone.device.close();
    });
  }

  /** The HMAC the device at `path` would log for `input` (sys/audit-hash). */
  async hash(path: string, input: string): Promise<string> {
    await this.load();
    const at = normaliseMountPath(path);
    const d = this.#live.find((l) => l.entry.path === at);
    if (!d) throw new BadRequest(`unknown audit backend "${at}"`);
    return hmacOf(d.salt, input);
  }

  /** Reopens every device's file or connection (SIGHUP); failures are logged, not thrown. */
  async reopenAll(): Promise<void> {
    await Promise.all(this.#live.map(async (d) => {
      try {
        await d.device.reopen();
      } catch (err) {
        this.#core.log.error('audit device could not be reopened', { device: d.entry.path, error: err });
      }
    }));
  }
}
