// Vault's simple glob (go-glob): each `*` stands for any run of characters, newlines included;
// everything else is literal. Used by token-role policies, bound claims, Kubernetes names, PKI
// names and URIs, and database allowed_roles. (Policy parameter globs are another rule:
// policy/params.ts.) Matched by searching for the literal parts left to right, not by a
// RegExp: no pattern can make it backtrack.

/** Whether `value` matches `pattern`. */
export function globMatch(pattern: string, value: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === value;
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (!value.startsWith(first) || value.length < first.length + last.length) return false;
  let at = first.length;
  for (const middle of parts.slice(1, -1)) {
    const found = value.indexOf(middle, at);
    if (found === -1 || found + middle.length > value.length - last.length) return false;
    at = found + middle.length;
  }
  return value.endsWith(last);
}
