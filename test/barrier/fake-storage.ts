// A tiny Map-based Storage for the barrier tests, so they do not wait on the real backends.
// Transactions buffer their writes in a child layer and merge them into the parent on success.
import type { ListOptions, Storage } from '../../src/storage/storage.js';

const bytewise = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** One layer of writes over an optional parent; `undefined` in `writes` marks a delete. */
class Layer implements Storage {
  readonly writes = new Map<string, Buffer | undefined>();
  readonly #parent: Layer | undefined;

  constructor(parent?: Layer) { this.#parent = parent; }

  async get(key: string): Promise<Buffer | undefined> {
    const v = this.#lookup(key);
    return v === undefined ? undefined : Buffer.from(v);
  }
  async put(key: string, value: Buffer): Promise<void> { this.writes.set(key, Buffer.from(value)); }
  async delete(key: string): Promise<void> {
    if (this.#parent) this.writes.set(key, undefined);
    else this.writes.delete(key);
  }
  async list(prefix: string, options: ListOptions = {}): Promise<string[]> {
    const children = new Set<string>();
    for (const key of this.keys()) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      children.add(slash === -1 ? rest : rest.slice(0, slash + 1));
    }
    let out = [...children].sort(bytewise);
    if (options.after !== undefined) out = out.filter((c) => bytewise(c, options.after as string) > 0);
    return options.limit ? out.slice(0, options.limit) : out;
  }
  async transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T> {
    const tx = new Layer(this);
    const result = await fn(tx); // a throw leaves `tx` behind, unmerged: a rollback
    for (const [k, v] of tx.writes) {
      if (v === undefined) await this.delete(k);
      else this.writes.set(k, v);
    }
    return result;
  }
  /** Every live key visible from this layer. */
  keys(): Set<string> {
    const all = this.#parent ? this.#parent.keys() : new Set<string>();
    for (const [k, v] of this.writes) {
      if (v === undefined) all.delete(k);
      else all.add(k);
    }
    return all;
  }
  #lookup(key: string): Buffer | undefined {
    if (this.writes.has(key)) return this.writes.get(key);
    // Not `?.#lookup`: an optional chain may not contain a private name (TS18030).
    return this.#parent === undefined ? undefined : this.#parent.#lookup(key);
  }
}

/** The in-memory physical store; `raw` exposes the stored bytes for assertions. */
export class FakeStorage extends Layer {
  /** The bytes stored at `key`, uncopied. */
  raw(key: string): Buffer | undefined { return this.writes.get(key); }
  /** Every stored value, concatenated: for "this never appears on disk" checks. */
  allBytes(): Buffer { return Buffer.concat([...this.writes.values()].filter((v) => v !== undefined)); }
}
