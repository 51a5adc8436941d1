// Policy path patterns: validation, matching, and Vault's priority order between matches.
//   exact     "secret/foo"      the path itself only
//   prefix    "secret/foo*"     any path starting with "secret/foo" (glob only as the last character)
//   segment   "secret/+/teamb"  "+" is exactly one path segment; may also end in a "*" glob

/** A pattern classified the way Vault's ACL stores it. */
export type Pattern = {
  /** The pattern as written: rules with the same key are merged. */
  key: string;
  kind: 'exact' | 'prefix' | 'segment';
  /** The pattern without its trailing "*". */
  base: string;
  isPrefix: boolean;
  /** `base` split on "/" (used by segment patterns). */
  segments: readonly string[];
  /** Index of the first "+" or of the glob: the first priority criterion. */
  firstWildcard: number;
  plusCount: number;
};

/** Why a pattern is unusable, or undefined when it is fine. */
export function patternError(path: string): string | undefined {
  // Vault rejects "+*" outright.
  if (path.includes('+*')) return "invalid use of wildcards ('+*' is forbidden)";
  // Vault documents the glob as supported only as the last character; elsewhere it would be
  // taken literally, which is never what the author meant.
  if (path.slice(0, -1).includes('*')) return 'the glob "*" is only supported as the last character';
  const segments = (path.endsWith('*') ? path.slice(0, -1) : path).split('/');
  if (segments.some((s) => s.includes('+') && s !== '+')) {
    return 'the wildcard "+" must be a whole path segment';
  }
  return undefined;
}

/** Classifies a (valid) pattern. */
export function classifyPattern(path: string): Pattern {
  const isPrefix = path.endsWith('*');
  const base = isPrefix ? path.slice(0, -1) : path;
  const segments = base.split('/');
  const plusCount = segments.filter((s) => s === '+').length;
  if (plusCount > 0) {
    return { key: path, kind: 'segment', base, isPrefix, segments, firstWildcard: base.indexOf('+'), plusCount };
  }
  const kind = isPrefix ? 'prefix' : 'exact';
  return { key: path, kind, base, isPrefix, segments, firstWildcard: base.length, plusCount: 0 };
}

/** Whether a segment pattern matches a request path already split on "/". */
export function segmentsMatch(pattern: Pattern, parts: readonly string[]): boolean {
  const segs = pattern.segments;
  if (parts.length < segs.length) return false;
  if (!pattern.isPrefix && parts.length !== segs.length) return false;
  const last = segs.length - 1;
  return segs.every((seg, i) => {
    const part = parts[i] ?? '';
    // Vault: a trailing glob on a segment pattern prefix-matches the last pattern segment
    // and accepts anything after it.
    return seg === '+' || seg === part || (pattern.isPrefix && i === last && part.startsWith(seg));
  });
}

/**
 * Vault's documented priority between two matching non-exact patterns; positive when `a`
 * applies instead of `b`. In order: the later first wildcard wins; no trailing glob beats a
 * trailing glob; fewer "+" wins; longer wins; lexically greater wins.
 */
export function comparePriority(a: Pattern, b: Pattern): number {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard - b.firstWildcard;
  if (a.isPrefix !== b.isPrefix) return a.isPrefix ? -1 : 1;
  if (a.plusCount !== b.plusCount) return b.plusCount - a.plusCount;
  if (a.base.length !== b.base.length) return a.base.length - b.base.length;
  return a.base < b.base ? -1 : a.base > b.base ? 1 : 0;
}
