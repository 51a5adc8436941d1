// Password policies (sys/policies/password): HCL with a `length` and `rule "charset"` blocks,
// parsed once and used by every engine that generates passwords. Generation draws each
// character uniformly from the union of the charsets with node:crypto's randomInt and keeps
// the first draw that meets every rule's min-chars, so every valid password is equally likely.
import { randomInt } from 'node:crypto';
import { BadRequest } from '../util/errors.js';
import type { Storage } from '../storage/storage.js';
import { decodeHcl1OrJson } from '../util/hcl1/index.js';

/** A parsed policy. */
export type PasswordPolicy = { length: number; rules: Array<{ charset: string; minChars: number }> };

/** Generates a password from the named policy; '' is Vault's default policy. */
export type PasswordGenerator = (policyName: string) => Promise<string>;

/** Vault's default: 20 characters with a lowercase letter, an uppercase letter, a digit and a '-'. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  length: 20,
  rules: [
    { charset: 'abcdefghijklmnopqrstuvwxyz', minChars: 1 }, { charset: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', minChars: 1 },
    { charset: '0123456789', minChars: 1 }, { charset: '-', minChars: 1 },
  ],
};

const MAX_ATTEMPTS = 10_000;

/** Parses and checks policy text; throws BadRequest with Vault's kind of message. */
export function parsePasswordPolicy(text: string): PasswordPolicy {
  let doc: { length?: unknown; rule?: { charset?: Array<Record<string, unknown>> } };
  try {
    doc = decodeHcl1OrJson(text) as typeof doc;
  } catch {
    throw new BadRequest('unable to parse policy: invalid HCL');
  }
  const length = doc.length;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 4 || length > 100) {
    throw new BadRequest('unable to parse policy: length must be an integer from 4 to 100');
  }
  const rules = (doc.rule?.charset ?? []).map((r) => {
    const charset = r.charset;
    const minChars = r['min-chars'] ?? 0;
    if (typeof charset !== 'string' || charset === '') throw new BadRequest('unable to parse policy: a charset rule needs a non-empty charset');
    if (typeof minChars !== 'number' || !Number.isInteger(minChars) || minChars < 0) throw new BadRequest('unable to parse policy: min-chars must be a non-negative integer');
    return { charset: [...new Set(charset)].join(''), minChars };
  });
  if (rules.length === 0) throw new BadRequest('unable to parse policy: at least one charset rule is required');
  if (rules.reduce((n, r) => n + r.minChars, 0) > length) throw new BadRequest('unable to parse policy: the rules ask for more characters than length');
  return { length, rules };
}

/** A password meeting `policy`; throws when no draw does (rules that can hardly be met). */
export function generateFromPolicy(policy: PasswordPolicy): string {
  const all = [...new Set(policy.rules.flatMap((r) => [...r.charset]))];
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const chars = Array.from({ length: policy.length }, () => all[randomInt(all.length)] as string);
    if (policy.rules.every((r) => chars.filter((c) => r.charset.includes(c)).length >= r.minChars)) return chars.join('');
  }
  throw new BadRequest('unable to generate password: the policy\'s rules could not be met');
}

/** Stored policies, as the text they were written with (under sys/password-policy/). */
export class PasswordPolicyStore {
  readonly #storage: Storage;
  constructor(storage: Storage) { this.#storage = storage; }

  /** The policy text, or undefined. */
  async get(name: string): Promise<string | undefined> {
    return (await this.#storage.get(name))?.toString('utf8');
  }

  /** Stores a policy after checking that it parses and can generate a password. */
  async put(name: string, text: string): Promise<void> {
    generateFromPolicy(parsePasswordPolicy(text));
    await this.#storage.put(name, Buffer.from(text));
  }

  delete(name: string): Promise<void> { return this.#storage.delete(name); }
  list(): Promise<string[]> { return this.#storage.list(''); }

  /** A password from the named policy ('' = the default); an unknown name is a 400. */
  readonly generate: PasswordGenerator = async (name) => {
    if (name === '') return generateFromPolicy(DEFAULT_PASSWORD_POLICY);
    const text = await this.get(name);
    if (text === undefined) throw new BadRequest(`unable to generate password: password policy "${name}" not found`);
    return generateFromPolicy(parsePasswordPolicy(text));
  };
}
