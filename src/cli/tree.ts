// The command tree: groups (token, kv, kv metadata…) holding declared commands. From it come
// finding the command a command line names, help text in Vault's layout, "did you mean"
// suggestions and shell completion. Nothing here talks to a server.
import { closest, flagIndex, looksLikeFlag, type FlagGroup, type FlagSpec } from './args.js';

/** What a command declares about itself; the run function is added by command.ts. */
export type CommandSpec = {
  /** What follows the command's name in its usage line: `[options] PATH`. */
  synopsis: string;
  /** One line, shown in the group's list. */
  summary: string;
  /** A paragraph or two for `-h`. */
  description?: string;
  /** Command lines shown in help, without the leading `lockbox `. */
  examples?: string[];
  flags: FlagGroup[];
};

/** A group of commands. */
export type CommandGroup<L extends CommandSpec> = {
  summary: string;
  description?: string;
  subcommands: Record<string, L | CommandGroup<L>>;
};

export function isGroup<L extends CommandSpec>(node: L | CommandGroup<L>): node is CommandGroup<L> {
  return 'subcommands' in node;
}

const HELP_FLAGS = new Set(['-h', '-help', '--help', '--h']);

/** Where a command line leads. */
export type Resolution<L extends CommandSpec> =
  | { kind: 'leaf'; path: string[]; leaf: L; rest: string[]; help: boolean; topFlags: string[] }
  | { kind: 'group'; path: string[]; group: CommandGroup<L>; help: boolean; topFlags: string[] }
  | { kind: 'unknown'; path: string[]; group: CommandGroup<L>; word: string; help: boolean; topFlags: string[] };

/**
 * Walks argv down the tree. Flags met before a (sub)command name are collected as topFlags
 * (Vault refuses them); `-h`/`-help` anywhere before `--` asks for help, as in Vault.
 */
export function resolve<L extends CommandSpec>(argv: readonly string[], root: CommandGroup<L>): Resolution<L> {
  const end = argv.indexOf('--');
  const help = argv.some((a, i) => (end < 0 || i < end) && HELP_FLAGS.has(a));
  const args = argv.filter((a, i) => !((end < 0 || i < end) && HELP_FLAGS.has(a)));
  const path: string[] = [];
  const topFlags: string[] = [];
  let group = root;
  let i = 0;
  for (;;) {
    while (i < args.length && looksLikeFlag(args[i] as string)) topFlags.push(args[i++] as string);
    const word = args[i];
    if (word === undefined || word === '--') return { kind: 'group', path, group, help, topFlags };
    const child = group.subcommands[word];
    if (!child) return { kind: 'unknown', path, group, word, help, topFlags };
    path.push(word);
    i++;
    if (!isGroup(child)) return { kind: 'leaf', path, leaf: child, rest: args.slice(i), help, topFlags };
    group = child;
  }
}

const WIDTH = 78;

/** Words wrapped to `width`, every line indented by `pad` spaces. */
export function wrap(text: string, pad: number, width = WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && pad + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => ' '.repeat(pad) + l).join('\n');
}

const EXAMPLE_KIND: Record<FlagSpec['kind'], string> = {
  bool: '', string: 'string', int: 'int', duration: 'duration', strings: 'string', map: 'key=value',
};

/** One flag's entry: `-name=<kind>` and its usage, with default, aliases and env vars. */
function flagHelp(spec: FlagSpec): string {
  const kind = EXAMPLE_KIND[spec.kind];
  const head = `  -${spec.name}${kind === '' ? '' : `=<${kind}>`}`;
  let usage = spec.usage;
  if (spec.kind === 'strings' || spec.kind === 'map') usage += ' This can be specified multiple times.';
  if (spec.default !== undefined) usage += ` The default is ${spec.default}.`;
  if (spec.aliases?.length) usage += ` Also -${spec.aliases.join(', -')}.`;
  if (spec.env?.length) usage += ` This can also be specified via the ${spec.env.join(' or ')} environment variable${spec.env.length > 1 ? 's' : ''}.`;
  return `${head}\n${wrap(usage, 6)}`;
}

/** The flag groups as Vault prints them: a title, then each flag in name order. */
export function flagsHelp(groups: readonly FlagGroup[]): string {
  return groups
    .filter((g) => g.flags.length > 0)
    .map((g) => `${g.title}:\n\n${[...g.flags].sort((a, b) => (a.name < b.name ? -1 : 1)).map(flagHelp).join('\n\n')}`)
    .join('\n\n');
}

/** `-h` for one command. */
export function leafHelp(path: readonly string[], leaf: CommandSpec): string {
  const parts = [`Usage: lockbox ${[...path, leaf.synopsis].filter((p) => p !== '').join(' ')}`];
  parts.push(wrap(leaf.description ?? leaf.summary, 2));
  if (leaf.examples?.length) parts.push(leaf.examples.map((e) => `      $ lockbox ${e}`).join('\n'));
  const flags = flagsHelp(leaf.flags);
  if (flags !== '') parts.push(flags);
  return `${parts.join('\n\n')}\n`;
}

/** A group's help: usage, its paragraph and its subcommands. */
export function groupHelp<L extends CommandSpec>(path: readonly string[], group: CommandGroup<L>): string {
  const names = Object.keys(group.subcommands).sort();
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map((n) => `    ${n.padEnd(width)}    ${(group.subcommands[n] as L | CommandGroup<L>).summary}`);
  const usage = `Usage: lockbox ${path.join(' ')} <subcommand> [options] [args]`;
  return `${usage}\n\n${wrap(group.description ?? group.summary, 2)}\n\nSubcommands:\n${lines.join('\n')}\n`;
}

/** The top-level usage: the common commands first, then the others, as Vault lists them. */
export function rootHelp<L extends CommandSpec>(root: CommandGroup<L>, common: readonly string[]): string {
  const names = Object.keys(root.subcommands);
  const width = Math.max(...names.map((n) => n.length));
  const row = (n: string) => `    ${n.padEnd(width)}    ${(root.subcommands[n] as L | CommandGroup<L>).summary}`;
  const others = names.filter((n) => !common.includes(n)).sort();
  return `Usage: lockbox <command> [args]\n\nCommon commands:\n${common.filter((n) => names.includes(n)).map(row).join('\n')}\n\n`
    + `Other commands:\n${others.map(row).join('\n')}\n`;
}

/** "Did you mean" lines for an unknown command name, or ''. */
export function suggestion(word: string, names: Iterable<string>): string {
  const near = closest(word, names).slice(0, 3);
  if (near.length === 0) return '';
  return near.length === 1 ? `Did you mean "${near[0]}"?\n` : `Did you mean one of these?\n${near.map((n) => `    ${n}`).join('\n')}\n`;
}

/** Every flag a command accepts. */
export function allFlags(leaf: CommandSpec): FlagSpec[] {
  return leaf.flags.flatMap((g) => g.flags);
}

/**
 * Shell completion, as the `complete -C lockbox lockbox` protocol asks: `line` is the command
 * line up to the cursor (COMP_LINE), the answer is the candidates for its last word.
 */
export function complete<L extends CommandSpec>(line: string, root: CommandGroup<L>): string[] {
  const words = line.split(/\s+/).slice(1); // drop the program name
  const current = words.pop() ?? '';
  const done = words.filter((w) => w !== '');
  const r = resolve(done, root);
  if (r.kind === 'unknown') return [];
  if (r.kind === 'group') {
    if (looksLikeFlag(current) || current === '-') return r.path.length === 0 ? ['-autocomplete-install', '-autocomplete-uninstall', '-help', '-version'].filter((f) => f.startsWith(current)) : [];
    return Object.keys(r.group.subcommands).filter((n) => n.startsWith(current)).sort();
  }
  const index = flagIndex(allFlags(r.leaf));
  // A value for the flag just before: `-format <TAB>`.
  const prev = done[done.length - 1];
  const prevSpec = prev !== undefined && looksLikeFlag(prev) && !prev.includes('=') ? index.get(prev.replace(/^--?/, '')) : undefined;
  if (prevSpec && prevSpec.kind !== 'bool') return (prevSpec.completion ?? []).filter((v) => v.startsWith(current));
  if (!current.startsWith('-')) return [];
  const eq = current.indexOf('=');
  if (eq >= 0) {
    const spec = index.get(current.slice(0, eq).replace(/^--?/, ''));
    const prefix = current.slice(0, eq + 1);
    return (spec?.completion ?? []).map((v) => prefix + v).filter((v) => v.startsWith(current));
  }
  return allFlags(r.leaf).map((f) => `-${f.name}`).filter((f) => f.startsWith(current.replace(/^--/, '-'))).sort();
}
