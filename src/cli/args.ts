// Vault-style command-line flags: `-name=value`, `-name value`, `--name=value`, and bare
// boolean flags (`-dev`). Everything else is a positional argument.

/** Parsed flags and positional arguments. */
export type ParsedArgs = {
  positional: string[];
  flags: Map<string, string>;
  /** The value of a flag, undefined when absent. */
  flag(name: string): string | undefined;
  /** All values of a repeatable flag. */
  all(name: string): string[];
};

/** Parses argv; `booleans` lists flags that never take a separate value. */
export function parseArgs(argv: string[], booleans: ReadonlySet<string> = new Set()): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const m = /^--?([A-Za-z][\w-]*)(?:=(.*))?$/s.exec(arg);
    if (!m || arg === '-') {
      positional.push(arg);
      continue;
    }
    const name = m[1] as string;
    let value = m[2];
    if (value === undefined) {
      const next = argv[i + 1];
      value = booleans.has(name) || next === undefined || next.startsWith('-') ? 'true' : (i++, next);
    }
    flags.set(name, value);
    repeated.set(name, [...(repeated.get(name) ?? []), value]);
  }
  return { positional, flags, flag: (n) => flags.get(n), all: (n) => repeated.get(n) ?? [] };
}
