// The identity store's records as they are stored (JSON under the identity mount's view) and
// kept in memory. Field names are Vault's; times are RFC 3339 strings.

/** An entity alias: who a login is on one auth mount. */
export type Alias = {
  id: string;
  canonical_id: string;
  mount_accessor: string;
  name: string;
  /** Written by logins (the method's alias metadata). */
  metadata: Record<string, string>;
  /** Written by operators through identity/entity-alias. */
  custom_metadata: Record<string, string>;
  merged_from_canonical_ids: string[];
  creation_time: string;
  last_update_time: string;
};

/** An entity: one person or machine across auth mounts. */
export type Entity = {
  id: string;
  name: string;
  metadata: Record<string, string>;
  policies: string[];
  disabled: boolean;
  aliases: Alias[];
  merged_entity_ids: string[];
  creation_time: string;
  last_update_time: string;
};

/** A group alias: the name a login's group claim carries on one auth mount. */
export type GroupAlias = {
  id: string;
  canonical_id: string;
  mount_accessor: string;
  name: string;
  merged_from_canonical_ids: string[];
  creation_time: string;
  last_update_time: string;
};

/** Vault's two kinds of group: members set by operators, or by logins through an alias. */
export type GroupType = 'internal' | 'external';

/** A group. Nesting is stored on the member: `parent_group_ids`, as Vault stores it. */
export type Group = {
  id: string;
  name: string;
  type: GroupType;
  policies: string[];
  metadata: Record<string, string>;
  member_entity_ids: string[];
  parent_group_ids: string[];
  alias: GroupAlias | null;
  modify_index: number;
  creation_time: string;
  last_update_time: string;
};

/** What a mount accessor names, for alias validation and the `mount_path`/`mount_type` shown. */
export type MountRef = { path: string; type: string; local: boolean };

/** Resolves a mount accessor against the live mount table. */
export type MountLookup = (accessor: string) => MountRef | undefined;
