// Declared command-line flags, parsed the way Vault's CLI (Go's flag package) reads them:
// `-name=value`, `-name value`, `--name=value`, bare booleans (`-dev`, `-dev=false`), `--` ends
// the flags. Every flag a command accepts is declared once (name, kind, default, usage, env
// vars, completion); parsing, validation, help and completion all read that declaration, so a
// mistyped flag is refused instead of silently ignored.
import { parseDurationSeconds } from '../util/duration.js';

/** How a flag's value is read. `strings` and `map` may be repeated; the others keep the last value. */
export type FlagKind = 'bool' | 'string' | 'int' | 'duration' | 'strings' | 'map';

/** One declared flag. */
export type FlagSpec = {
  name: string;
  kind: FlagKind;
  /** What it does, in a sentence or two (help wraps it). */
  usage: string;
  /** The default as shown in help; the command applies it (absent flags read as undefined). */
  default?: string;
  /** Environment variables that set the same thing, first one wins. */
  env?: string[];
  /** Other names for the same flag (`-f` for `-force`). */
  aliases?: string[];
  /** Values offered by shell completion. */
  completion?: string[];
};

/** Flags shown under one heading in help, as Vault groups them. */
export type FlagGroup = { title: string; flags: FlagSpec[] };

/** A bad command line: exit code 1 with the message alone, as Go's flag package words it. */
export class FlagError extends Error {}

/** Parsed flags and positional arguments. */
export type ParsedArgs = {
  positional: string[];
  /** The last value of each flag given, under its declared name. */
  flags: Map<string, string>;
  /** The value of a flag, undefined when absent. */
  flag(name: string): string | undefined;
  /** All values of a repeatable flag. */
  all(name: string): string[];
  /** Whether a boolean flag was given and true (`-x`, `-x=true`). */
  on(name: string): boolean;
};

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool, which the flag package uses for boolean flags. */
export function parseBool(value: string): boolean | undefined {
  return TRUE.has(value) ? true : FALSE.has(value) ? false : undefined;
}

/** Checks a value against its kind; returns it normalised (booleans as true/false). */
function checkValue(spec: FlagSpec, value: string): string {
  const bad = (reason: string) => new FlagError(`invalid value "${value}" for flag -${spec.name}: ${reason}`);
  switch (spec.kind) {
    case 'bool': {
      const b = parseBool(value);
      if (b === undefined) throw new FlagError(`invalid boolean value "${value}" for -${spec.name}: parse error`);
      return String(b);
    }
    case 'int':
      if (!/^[+-]?\d+$/.test(value)) throw bad('parse error');
      return value;
    case 'duration':
      if (parseDurationSeconds(value) === undefined) throw bad(`time: invalid duration "${value}"`);
      return value;
    default:
      return value;
  }
}

/** Flags by every name they answer to. */
export function flagIndex(specs: readonly FlagSpec[]): Map<string, FlagSpec> {
  const index = new Map<string, FlagSpec>();
  for (const spec of specs) for (const name of [spec.name, ...(spec.aliases ?? [])]) index.set(name, spec);
  return index;
}

/** True for `-x`, `--x`, `-x=v`: an argument Go's flag package would read as a flag. */
export function looksLikeFlag(arg: string): boolean {
  return arg.length > 1 && arg.startsWith('-') && arg !== '--';
}

/**
 * Parses argv against the declared flags. Unlike Go's flag package, flags may also follow
 * positional arguments (Lockbox always allowed that, and it refuses unknown ones anywhere).
 * A value-taking flag without `=` takes the next argument whatever it is, as Go does.
 */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const index = flagIndex(specs);
  const positional: string[] = [];
  const flags = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!looksLikeFlag(arg)) {
      positional.push(arg);
      continue;
    }
    const body = arg.slice(arg.startsWith('--') ? 2 : 1);
    if (body === '' || body.startsWith('-') || body.startsWith('=')) throw new FlagError(`bad flag syntax: ${arg}`);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const spec = index.get(name);
    if (!spec) throw new FlagError(`flag provided but not defined: -${name}`);
    let value: string;
    if (eq >= 0) value = body.slice(eq + 1);
    else if (spec.kind === 'bool') value = 'true';
    else if (i + 1 < argv.length) value = argv[++i] as string;
    else throw new FlagError(`flag needs an argument: -${name}`);
    value = checkValue(spec, value);
    flags.set(spec.name, value);
    repeated.set(spec.name, [...(repeated.get(spec.name) ?? []), value]);
  }
  return {
    positional,
    flags,
    flag: (n) => flags.get(n),
    all: (n) => repeated.get(n) ?? [],
    on: (n) => flags.get(n) === 'true',
  };
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] as number;
}

/** The candidates closest to a mistyped word (at most two edits, or a shared prefix), best first. */
export function closest(word: string, candidates: Iterable<string>): string[] {
  const scored = [...candidates]
    .map((c) => ({ c, d: c.startsWith(word) || word.startsWith(c) ? Math.min(1, distance(word, c)) : distance(word, c) }))
    .filter(({ d }) => d <= 2)
    .sort((x, y) => x.d - y.d || (x.c < y.c ? -1 : 1));
  return scored.map(({ c }) => c);
}
