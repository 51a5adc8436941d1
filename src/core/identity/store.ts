// The identity store's state: every entity and group in memory, with the indexes that make a
// login's alias look-up a map access (never a scan), loaded once per unseal from the barrier.
// All writes go through `change()`: one at a time (a single queue), built on copies, made
// durable in one storage transaction, and only then applied to memory and the indexes.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Storage } from '../../storage/storage.js';
import type { Clock } from '../../util/clock.js';
import { KeyedLock } from '../../util/keyed-lock.js';
import type { Entity, Group, MountLookup } from './records.js';

const ENTITY = 'entity/';
const GROUP = 'group/';

/** The key of an alias by its factors: one alias per (mount accessor, name). */
export const factorKey = (accessor: string, name: string) => `${accessor}\n${name}`;

/** Vault's names are case-insensitive by default. */
const nameKey = (name: string) => name.toLowerCase();

const clone = <T>(v: T): T => structuredClone(v);

/** A set of record changes made on copies; `IdentityState.change` commits them together. */
export class Change {
  readonly entities = new Map<string, Entity | null>();
  readonly groups = new Map<string, Group | null>();
  readonly #state: IdentityState;
  constructor(state: IdentityState) { this.#state = state; }

  /** A writable copy of an entity (the one changed here already, if any). */
  entity(id: string): Entity | undefined {
    const here = this.entities.get(id);
    if (here !== undefined) return here ?? undefined;
    const stored = this.#state.entities.get(id);
    if (!stored) return undefined;
    const copy = clone(stored);
    this.entities.set(id, copy);
    return copy;
  }

  group(id: string): Group | undefined {
    const here = this.groups.get(id);
    if (here !== undefined) return here ?? undefined;
    const stored = this.#state.groups.get(id);
    if (!stored) return undefined;
    const copy = clone(stored);
    this.groups.set(id, copy);
    return copy;
  }

  putEntity(e: Entity): void { this.entities.set(e.id, e); }
  deleteEntity(id: string): void { this.entities.set(id, null); }
  putGroup(g: Group): void { g.modify_index += 1; this.groups.set(g.id, g); }
  deleteGroup(id: string): void { this.groups.set(id, null); }
}

/** The live identity data of one unsealed server. */
export class IdentityState {
  readonly entities = new Map<string, Entity>();
  readonly groups = new Map<string, Group>();
  readonly #entityByName = new Map<string, string>();
  /** Merged-away entity id → the id of the entity it now lives in. */
  readonly #merged = new Map<string, string>();
  /** Alias id → entity id; (accessor, name) → alias id. */
  readonly #aliasOwner = new Map<string, string>();
  readonly #aliasByFactors = new Map<string, string>();
  readonly #groupByName = new Map<string, string>();
  readonly #groupAliasOwner = new Map<string, string>();
  readonly #groupAliasByFactors = new Map<string, string>();
  /** Entity id → the groups that list it directly; group id → the groups that list it as a parent. */
  readonly #groupsOfEntity = new Map<string, Set<string>>();
  readonly #childGroups = new Map<string, Set<string>>();
  readonly #lock = new KeyedLock();
  /** Counts committed changes: what was derived from the data (policies, ACLs) is keyed by it. */
  generation = 0;

  readonly view: Storage;
  readonly clock: Clock;
  readonly mounts: MountLookup;
  constructor(view: Storage, clock: Clock, mounts: MountLookup) {
    this.view = view;
    this.clock = clock;
    this.mounts = mounts;
  }

  /** Reads every record from storage (once per unseal). */
  async load(): Promise<void> {
    for (const key of await this.view.list(ENTITY)) {
      const raw = await this.view.get(ENTITY + key);
      if (raw) this.#indexEntity(JSON.parse(raw.toString('utf8')) as Entity);
    }
    for (const key of await this.view.list(GROUP)) {
      const raw = await this.view.get(GROUP + key);
      if (raw) this.#indexGroup(JSON.parse(raw.toString('utf8')) as Group);
    }
  }

  /** Runs one write: `fn` edits a Change; it is persisted in one transaction, then applied. */
  change<T>(fn: (c: Change) => T | Promise<T>): Promise<T> {
    return this.#lock.run('identity', async () => {
      const c = new Change(this);
      const result = await fn(c);
      if (c.entities.size === 0 && c.groups.size === 0) return result;
      await this.view.transaction(async (tx) => {
        for (const [id, e] of c.entities) await (e ? tx.put(ENTITY + id, json(e)) : tx.delete(ENTITY + id));
        for (const [id, g] of c.groups) await (g ? tx.put(GROUP + id, json(g)) : tx.delete(GROUP + id));
      });
      // Everything old leaves the indexes before anything new enters: a merge moves an alias,
      // id and all, from one entity to another within one change.
      for (const id of c.entities.keys()) this.#unindexEntity(id);
      for (const id of c.groups.keys()) this.#unindexGroup(id);
      for (const e of c.entities.values()) if (e) this.#indexEntity(e);
      for (const g of c.groups.values()) if (g) this.#indexGroup(g);
      this.generation += 1;
      return result;
    });
  }

  /** Now, as Vault prints record times. */
  now(): string { return new Date(this.clock.now()).toISOString(); }

  /** A new record id (a UUID, as Vault's). */
  newId(): string { return randomUUID(); }

  /** Vault's generated names: `entity_<8 hex>` / `group_<8 hex>`, never one in use. */
  newName(kind: 'entity' | 'group'): string {
    for (;;) {
      const name = `${kind}_${randomBytes(4).toString('hex')}`;
      if (!(kind === 'entity' ? this.entityByName(name) : this.groupByName(name))) return name;
    }
  }

  entityByName(name: string): Entity | undefined {
    const id = this.#entityByName.get(nameKey(name));
    return id === undefined ? undefined : this.entities.get(id);
  }

  /** The entity an id names now: itself, or the entity it was merged into. */
  resolveEntity(id: string): Entity | undefined {
    return this.entities.get(id) ?? this.entities.get(this.#merged.get(id) ?? '');
  }

  entityOfAlias(aliasId: string): Entity | undefined {
    return this.entities.get(this.#aliasOwner.get(aliasId) ?? '');
  }

  /** The alias with this (mount accessor, name), and its entity. */
  aliasByFactors(accessor: string, name: string) {
    const id = this.#aliasByFactors.get(factorKey(accessor, name));
    const entity = id === undefined ? undefined : this.entityOfAlias(id);
    const alias = entity?.aliases.find((a) => a.id === id);
    return alias && entity ? { alias, entity } : undefined;
  }

  groupByName(name: string): Group | undefined {
    const id = this.#groupByName.get(nameKey(name));
    return id === undefined ? undefined : this.groups.get(id);
  }

  groupOfAlias(aliasId: string): Group | undefined {
    return this.groups.get(this.#groupAliasOwner.get(aliasId) ?? '');
  }

  groupByAliasFactors(accessor: string, name: string): Group | undefined {
    return this.groupOfAlias(this.#groupAliasByFactors.get(factorKey(accessor, name)) ?? '');
  }

  /** The groups that list an entity directly. */
  directGroups(entityId: string): Group[] {
    return [...(this.#groupsOfEntity.get(entityId) ?? [])].map((id) => this.groups.get(id)).filter((g): g is Group => g !== undefined);
  }

  /** The groups that list `groupId` as a parent (its member groups). */
  memberGroups(groupId: string): Group[] {
    return [...(this.#childGroups.get(groupId) ?? [])].map((id) => this.groups.get(id)).filter((g): g is Group => g !== undefined);
  }

  /** Vault's direct and inherited groups of an entity: inherited ones are the parents, transitively. */
  groupsOf(entityId: string): { direct: Group[]; inherited: Group[] } {
    const direct = this.directGroups(entityId);
    const seen = new Set(direct.map((g) => g.id));
    const inherited: Group[] = [];
    const queue = [...direct];
    for (let g = queue.shift(); g; g = queue.shift()) {
      for (const parentId of g.parent_group_ids) {
        const parent = this.groups.get(parentId);
        if (!parent || seen.has(parentId)) continue;
        seen.add(parentId);
        inherited.push(parent);
        queue.push(parent);
      }
    }
    return { direct, inherited };
  }

  #indexEntity(e: Entity): void {
    this.entities.set(e.id, e);
    this.#entityByName.set(nameKey(e.name), e.id);
    for (const merged of e.merged_entity_ids) this.#merged.set(merged, e.id);
    for (const a of e.aliases) {
      this.#aliasOwner.set(a.id, e.id);
      this.#aliasByFactors.set(factorKey(a.mount_accessor, a.name), a.id);
    }
  }

  #unindexEntity(id: string): void {
    const e = this.entities.get(id);
    if (!e) return;
    this.entities.delete(id);
    if (this.#entityByName.get(nameKey(e.name)) === id) this.#entityByName.delete(nameKey(e.name));
    for (const a of e.aliases) {
      if (this.#aliasOwner.get(a.id) === id) this.#aliasOwner.delete(a.id);
      const key = factorKey(a.mount_accessor, a.name);
      if (this.#aliasByFactors.get(key) === a.id) this.#aliasByFactors.delete(key);
    }
    // Merged ids keep pointing here until the survivor itself is re-indexed or deleted.
    for (const [from, to] of this.#merged) if (to === id) this.#merged.delete(from);
  }

  #indexGroup(g: Group): void {
    this.groups.set(g.id, g);
    this.#groupByName.set(nameKey(g.name), g.id);
    if (g.alias) {
      this.#groupAliasOwner.set(g.alias.id, g.id);
      this.#groupAliasByFactors.set(factorKey(g.alias.mount_accessor, g.alias.name), g.alias.id);
    }
    for (const e of g.member_entity_ids) addTo(this.#groupsOfEntity, e, g.id);
    for (const p of g.parent_group_ids) addTo(this.#childGroups, p, g.id);
  }

  #unindexGroup(id: string): void {
    const g = this.groups.get(id);
    if (!g) return;
    this.groups.delete(id);
    if (this.#groupByName.get(nameKey(g.name)) === id) this.#groupByName.delete(nameKey(g.name));
    if (g.alias) {
      this.#groupAliasOwner.delete(g.alias.id);
      const key = factorKey(g.alias.mount_accessor, g.alias.name);
      if (this.#groupAliasByFactors.get(key) === g.alias.id) this.#groupAliasByFactors.delete(key);
    }
    for (const e of g.member_entity_ids) this.#groupsOfEntity.get(e)?.delete(id);
    for (const p of g.parent_group_ids) this.#childGroups.get(p)?.delete(id);
  }
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}
