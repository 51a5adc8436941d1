// Identity templating of ACL paths (`secret/data/users/{{identity.entity.id}}/*`), as Vault's
// ACL mode reads it: a directive is `{{ … }}` with its inside trimmed; a path with a directive
// that cannot be filled (no entity, a missing key, an alias on another mount) is left out of
// the ACL, and `identity.groups.ids` / `.names` expand one path per group.

/** What templates may read about the caller's entity and its groups (direct and inherited). */
export type TemplateIdentity = {
  /** Changes whenever any value below changes: compiled ACLs are cached under it. */
  key: string;
  entity: {
    id: string;
    name: string;
    metadata: Readonly<Record<string, string>>;
    aliases: ReadonlyArray<{ id: string; name: string; mount_accessor: string; metadata: Readonly<Record<string, string>>; custom_metadata: Readonly<Record<string, string>> }>;
  };
  groups: ReadonlyArray<{ id: string; name: string; metadata: Readonly<Record<string, string>> }>;
};

/** Vault's text for a `{{` without its `}}` or the reverse. */
export const UNBALANCED = 'unbalanced templating characters';

/** The literal text and directives of a path, alternating; undefined when unbalanced. */
function split(path: string): { literals: string[]; directives: string[] } | undefined {
  const pieces = path.split('{{');
  const first = pieces[0] as string;
  if (first.includes('}}')) return undefined;
  const literals = [first];
  const directives: string[] = [];
  for (const piece of pieces.slice(1)) {
    const parts = piece.split('}}');
    if (parts.length !== 2) return undefined;
    directives.push((parts[0] as string).trim());
    literals.push(parts[1] as string);
  }
  return { literals, directives };
}

/** Whether the braces of a path pair up (checked when a policy is written). */
export function templateBalanced(path: string): boolean {
  return split(path) !== undefined;
}

/** The concrete paths a templated path stands for, or undefined when it cannot be filled. */
export function renderPath(path: string, identity: TemplateIdentity | undefined): string[] | undefined {
  const parsed = split(path);
  if (!parsed) return undefined;
  let out = [parsed.literals[0] as string];
  for (const [i, directive] of parsed.directives.entries()) {
    const values = resolve(directive, identity);
    if (!values || values.length === 0) return undefined;
    const tail = parsed.literals[i + 1] as string;
    out = out.flatMap((head) => values.map((v) => head + v + tail));
  }
  return out;
}

const nonEmpty = (v: string | undefined): string[] | undefined => (v === undefined || v === '' ? undefined : [v]);

function resolve(directive: string, identity: TemplateIdentity | undefined): string[] | undefined {
  if (!identity) return undefined;
  if (directive.startsWith('identity.entity.')) return entityValue(directive.slice('identity.entity.'.length), identity);
  if (directive.startsWith('identity.groups.')) return groupValue(directive.slice('identity.groups.'.length), identity);
  return undefined;
}

function entityValue(selector: string, { entity }: TemplateIdentity): string[] | undefined {
  if (selector === 'id') return nonEmpty(entity.id);
  if (selector === 'name') return nonEmpty(entity.name);
  if (selector.startsWith('metadata.')) return lookup(entity.metadata, selector.slice('metadata.'.length));
  if (!selector.startsWith('aliases.')) return undefined;
  const rest = selector.slice('aliases.'.length);
  const dot = rest.indexOf('.');
  if (dot < 0) return undefined;
  const alias = entity.aliases.find((a) => a.mount_accessor === rest.slice(0, dot));
  if (!alias) return undefined;
  const field = rest.slice(dot + 1);
  if (field === 'id') return nonEmpty(alias.id);
  if (field === 'name') return nonEmpty(alias.name);
  if (field.startsWith('metadata.')) return lookup(alias.metadata, field.slice('metadata.'.length));
  if (field.startsWith('custom_metadata.')) return lookup(alias.custom_metadata, field.slice('custom_metadata.'.length));
  return undefined;
}

// Vault: a present key with an empty value still fills the directive.
const lookup = (map: Readonly<Record<string, string>>, key: string): string[] | undefined =>
  Object.hasOwn(map, key) ? [map[key] as string] : undefined;

function groupValue(selector: string, { groups }: TemplateIdentity): string[] | undefined {
  if (groups.length === 0) return undefined;
  if (selector === 'ids') return groups.map((g) => g.id);
  if (selector === 'names') return groups.map((g) => g.name);
  const [by, rest] = splitOnce(selector);
  if ((by !== 'ids' && by !== 'names') || rest === undefined) return undefined;
  const [key, field] = splitOnce(rest);
  if (field === undefined) return undefined;
  const group = groups.find((g) => (by === 'ids' ? g.id : g.name) === key);
  if (!group) return undefined;
  if (field === 'id') return [group.id];
  if (field === 'name') return nonEmpty(group.name);
  if (field.startsWith('metadata.')) return lookup(group.metadata, field.slice('metadata.'.length));
  return undefined;
}

function splitOnce(s: string): [string, string | undefined] {
  const dot = s.indexOf('.');
  return dot < 0 ? [s, undefined] : [s.slice(0, dot), s.slice(dot + 1)];
}
