// Vault's policyutil.ParsePolicies (without adding `default`), which the one-setting policy
// paths (userpass users/:username/policies, approle role/:role_name/policies) apply where the
// role or user writes keep the names as given: trimmed, lower-cased, unique and sorted.
export const parsedPolicies = (names: string[]): string[] =>
  [...new Set(names.map((p) => p.trim().toLowerCase()).filter((p) => p !== ''))].sort();
