// Vault's deprecated spellings of the token fields on roles that had them before the token_*
// set (kubernetes and jwt roles): `num_uses`, `ttl`, `max_ttl`, `period`, `bound_cidrs`, and
// `policies` (declared with the token fields themselves). A deprecated name sets its token_*
// field when that one is not sent, and is shown back on read while it is what set the value
// (Vault's tokenutil.UpgradeValue); sending the token_* name clears it.
import { field } from '../core/fields.js';
import type { TokenParams } from '../core/tokens/params.js';

const TARGETS = {
  num_uses: 'token_num_uses', ttl: 'token_ttl', max_ttl: 'token_max_ttl', period: 'token_period', bound_cidrs: 'token_bound_cidrs', policies: 'token_policies',
} as const satisfies Record<string, keyof TokenParams>;

type LegacyName = keyof typeof TARGETS;

/** The deprecated fields a role path declares besides `tokenFields` (which has `policies`). */
export const legacyTokenFields = {
  num_uses: field.int({ description: 'Deprecated: use token_num_uses.' }),
  ttl: field.duration({ description: 'Deprecated: use token_ttl.' }),
  max_ttl: field.duration({ description: 'Deprecated: use token_max_ttl.' }),
  period: field.duration({ description: 'Deprecated: use token_period.' }),
  bound_cidrs: field.strings({ description: 'Deprecated: use token_bound_cidrs.' }),
};

const isLegacy = (k: string): k is LegacyName => k in TARGETS;

/**
 * The values and sent names to hand to applyTokenFields, with each deprecated name standing in
 * for its token_* field when that was not sent, and the deprecated names to keep showing.
 */
export function withLegacyTokenFields<V extends object>(values: V, sent: ReadonlySet<string>, shown: readonly string[]): { values: V; sent: Set<string>; legacy: string[] } {
  const out = { ...values } as Record<string, unknown>;
  const outSent = new Set(sent);
  const used = (Object.keys(TARGETS) as LegacyName[]).filter((k) => sent.has(k) && !sent.has(TARGETS[k]));
  for (const k of used) {
    out[TARGETS[k]] = out[k];
    outSent.add(TARGETS[k]);
  }
  const kept = shown.filter((k) => isLegacy(k) && !sent.has(TARGETS[k]));
  return { values: out as V, sent: outSent, legacy: [...new Set([...kept, ...used])] };
}

const isSet = (v: unknown) => (Array.isArray(v) ? v.length > 0 : v !== 0);

/** The deprecated names a read shows, each with its token_* field's value; as Vault, only when set (non-zero, non-empty). */
export function legacyTokenData(legacy: readonly string[] | undefined, token: TokenParams): Record<string, unknown> {
  return Object.fromEntries((legacy ?? []).filter(isLegacy).map((k) => [k, token[TARGETS[k]]]).filter(([, v]) => isSet(v)));
}
