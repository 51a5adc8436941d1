// Decoded keys held in memory, per mount, least-recently-used first out. Sized by
// `cache-config` (0 = unbounded, as in Vault). Emptied when the server seals, so key
// material lives in memory only while unsealed.
import type { KeyPolicy } from './policy.js';

class KeyCache {
  readonly #mounts = new Map<string, Map<string, KeyPolicy>>();
  readonly #sizes = new Map<string, number>();

  get(mount: string, name: string): KeyPolicy | undefined {
    const m = this.#mounts.get(mount);
    const p = m?.get(name);
    if (m && p) {
      // Re-insert: a Map iterates in insertion order, so the first key is the least recent.
      m.delete(name);
      m.set(name, p);
    }
    return p;
  }

  set(mount: string, name: string, p: KeyPolicy): void {
    let m = this.#mounts.get(mount);
    if (!m) this.#mounts.set(mount, (m = new Map()));
    m.delete(name);
    m.set(name, p);
    this.#trim(mount, m);
  }

  delete(mount: string, name: string): void {
    this.#mounts.get(mount)?.delete(name);
  }

  /** Sets a mount's size limit (0 = unbounded) and evicts down to it. */
  resize(mount: string, size: number): void {
    this.#sizes.set(mount, size);
    const m = this.#mounts.get(mount);
    if (m) this.#trim(mount, m);
  }

  /** The size limit last set for a mount, if any. */
  sizeOf(mount: string): number | undefined {
    return this.#sizes.get(mount);
  }

  /** Forgets one mount's keys and size (another node changed them). */
  forgetMount(mount: string): void {
    this.#mounts.delete(mount);
    this.#sizes.delete(mount);
  }

  /** Forgets every key of every mount (seal). */
  clear(): void {
    this.#mounts.clear();
    this.#sizes.clear();
  }

  #trim(mount: string, m: Map<string, KeyPolicy>): void {
    const limit = this.#sizes.get(mount) ?? 0;
    if (limit === 0) return;
    for (const name of m.keys()) {
      if (m.size <= limit) break;
      m.delete(name);
    }
  }
}

/** The process-wide key cache shared by every transit mount. */
export const keyCache = new KeyCache();
