// ACL policies as stored through the barrier, and the compiled ACL of each policy set, cached
// in memory and dropped whenever a policy changes (the hot path compiles nothing).
import { BadRequest } from '../util/errors.js';
import type { Storage } from '../storage/storage.js';
import { WRAPPING_POLICY } from './wrapping.js';
import {
  compileAcl, isTemplated, parsePolicy, rootPolicy, defaultPolicyText, DEFAULT_POLICY_NAME, ROOT_POLICY_NAME,
  type Acl, type Policy, type TemplateIdentity,
} from '../policy/index.js';

/** Policy texts under `sys/policy/<name>`, and compiled ACLs by policy set. */
export class PolicyStore {
  readonly #view: Storage;
  readonly #policies = new Map<string, Policy | null>();
  readonly #acls = new Map<string, Acl>();
  /** Policy sets with templated paths, and their ACLs compiled per entity (by its template key). */
  readonly #templated = new Set<string>();
  readonly #entityAcls = new Map<string, Acl>();

  constructor(view: Storage) {
    this.#view = view;
  }

  /** Writes the built-in `default` policy on a new server. */
  async bootstrap(): Promise<void> {
    if (!(await this.#view.get(DEFAULT_POLICY_NAME))) await this.put(DEFAULT_POLICY_NAME, defaultPolicyText);
  }

  /** A policy by name (names are case-insensitive, as in Vault). */
  async get(name: string): Promise<Policy | undefined> {
    const key = name.toLowerCase();
    if (key === ROOT_POLICY_NAME) return rootPolicy;
    let policy = this.#policies.get(key);
    if (policy === undefined) {
      const raw = await this.#view.get(key);
      policy = raw ? parsePolicy(key, raw.toString('utf8')) : null;
      this.#policies.set(key, policy);
    }
    return policy ?? undefined;
  }

  /** Parses, then stores, a policy; a text that does not parse changes nothing. */
  async put(name: string, text: string): Promise<void> {
    const key = name.toLowerCase();
    if (key === ROOT_POLICY_NAME) throw new BadRequest('cannot update "root" policy');
    // The wrapping tokens' policy is core's own: a stored one would give them more than unwrapping.
    if (key === WRAPPING_POLICY) throw new BadRequest(`cannot update "${WRAPPING_POLICY}" policy`);
    const policy = parsePolicy(key, text);
    await this.#view.put(key, Buffer.from(text));
    this.#changed(key, policy);
  }

  /** Removes a policy; the built-ins cannot be removed. */
  async delete(name: string): Promise<void> {
    const key = name.toLowerCase();
    if (key === ROOT_POLICY_NAME) throw new BadRequest('cannot delete "root" policy');
    if (key === DEFAULT_POLICY_NAME) throw new BadRequest('cannot delete "default" policy');
    await this.#view.delete(key);
    this.#changed(key, null);
  }

  /** Every stored policy name, plus `root`, sorted. */
  async list(): Promise<string[]> {
    const names = (await this.#view.list('')).filter((k) => !k.endsWith('/'));
    return [...new Set([...names, ROOT_POLICY_NAME])].sort();
  }

  /** `acl` when its answer is already compiled in memory; undefined when it must load policies. */
  aclNow(names: readonly string[], identity?: TemplateIdentity): Acl | undefined {
    const key = this.#keyOf(names);
    const acl = this.#acls.get(key);
    if (acl === undefined || !identity || !this.#templated.has(key)) return acl;
    return this.#entityAcls.get(`${key}\0${identity.key}`);
  }

  /**
   * The compiled ACL for a token's policy names; unknown names grant nothing. With an entity,
   * templated paths are filled from it; a set without templates shares one ACL for everyone.
   */
  async acl(names: readonly string[], identity?: TemplateIdentity): Promise<Acl> {
    const known = this.aclNow(names, identity);
    if (known !== undefined) return known;
    const key = this.#keyOf(names);
    let acl = this.#acls.get(key);
    if (!acl) {
      const policies = await this.#load(names);
      acl = compileAcl(policies);
      this.#acls.set(key, acl);
      if (policies.some((p) => p.paths.some((r) => isTemplated(r.path)))) this.#templated.add(key);
    }
    if (!identity || !this.#templated.has(key)) return acl;
    const entityKey = `${key}\0${identity.key}`;
    let filled = this.#entityAcls.get(entityKey);
    if (!filled) {
      filled = compileAcl(await this.#load(names), identity);
      // Bounded: a key goes stale whenever identity data changes, so old ones are never reused.
      if (this.#entityAcls.size >= 4096) this.#entityAcls.clear();
      this.#entityAcls.set(entityKey, filled);
    }
    return filled;
  }

  /**
   * The cache key of a set of names. A token's policy list is the same array on every request
   * (and asked about twice per request), so its sorted form is remembered by array, checked
   * against a copy: an array changed since is keyed afresh.
   */
  readonly #keys = new WeakMap<readonly string[], { copy: string[]; key: string }>();

  #keyOf(names: readonly string[]): string {
    const known = this.#keys.get(names);
    if (known && known.copy.length === names.length && known.copy.every((n, i) => n === names[i])) return known.key;
    const key = [...names].sort().join('\n');
    this.#keys.set(names, { copy: [...names], key });
    return key;
  }

  async #load(names: readonly string[]): Promise<Policy[]> {
    const policies: Policy[] = [];
    for (const name of names) {
      const p = await this.get(name);
      if (p) policies.push(p);
    }
    return policies;
  }

  /** Forgets a policy another node changed (a standby following the change feed). */
  invalidate(name: string): void {
    const key = name.toLowerCase();
    this.#policies.delete(key);
    this.#acls.clear();
    this.#templated.clear();
    this.#entityAcls.clear();
  }

  #changed(key: string, policy: Policy | null): void {
    this.#policies.set(key, policy);
    this.#acls.clear();
    this.#templated.clear();
    this.#entityAcls.clear();
  }
}
