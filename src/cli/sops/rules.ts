// `.sops.yaml`: creation_rules pick the keys and selectors for a new file by its path, as
// sops does. The file is looked for from the working directory upwards; the first rule whose
// path_regex matches (or that has none) applies.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import type { KeyGroup, VaultKey } from './keys.js';
import type { Selectors } from './tree.js';

/** What a rule (or the command line) settles for encrypting one file. */
export type Creation = { groups: KeyGroup[]; shamirThreshold?: number; selectors?: Selectors };

type RawGroup = { hc_vault?: string[]; age?: string[] };
type RawRule = Selectors & {
  path_regex?: string; hc_vault_transit_uri?: string; age?: string; key_groups?: RawGroup[]; shamir_threshold?: number;
};

/** Parses sops's hc_vault key URI: <address>/v1/<engine path>/keys/<key name>. */
export function parseTransitUri(uri: string): VaultKey {
  const m = /^(https?:\/\/[^/]+)\/v1\/(.+)\/keys\/([^/]+)$/.exec(uri.trim());
  if (!m) throw new Error(`invalid hc_vault key URI "${uri}": expected <address>/v1/<engine>/keys/<name>`);
  return { vault_address: m[1] as string, engine_path: m[2] as string, key_name: m[3] as string };
}

const commaList = (s: string | undefined): string[] => (s ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');

/** The nearest .sops.yaml from `from` upwards, if any. */
export function findConfig(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, '.sops.yaml');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The creation rule for `file` in the config at `configPath`, or undefined when none matches. */
export function ruleFor(configPath: string, file: string): Creation | undefined {
  const config = parse(readFileSync(configPath, 'utf8')) as { creation_rules?: RawRule[] } | null;
  // sops matches the path relative to the directory holding .sops.yaml.
  const rel = relative(dirname(configPath), resolve(file));
  const rule = (config?.creation_rules ?? []).find((r) => r.path_regex === undefined || new RegExp(r.path_regex).test(rel));
  if (!rule) return undefined;
  const groups: KeyGroup[] = rule.key_groups
    ? rule.key_groups.map((g) => ({ vault: (g.hc_vault ?? []).map(parseTransitUri), age: g.age ?? [] }))
    : [{ vault: commaList(rule.hc_vault_transit_uri).map(parseTransitUri), age: commaList(rule.age) }];
  const selectors: Selectors = {};
  for (const k of ['unencrypted_suffix', 'encrypted_suffix', 'unencrypted_regex', 'encrypted_regex'] as const) if (rule[k] !== undefined) selectors[k] = rule[k];
  return {
    groups,
    ...(rule.shamir_threshold !== undefined ? { shamirThreshold: rule.shamir_threshold } : {}),
    ...(Object.keys(selectors).length > 0 ? { selectors } : {}),
  };
}
