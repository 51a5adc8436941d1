// What every command receives, how a group picks its subcommand, and the argument
// conventions Vault's commands share (key=value data, k=v flag maps, stdin, hidden prompts).
import { readFileSync } from 'node:fs';
import type { ParsedArgs } from './args.js';
import type { CommandGroup, CommandSpec } from './tree.js';
import type { Client, ClientOptions } from './client.js';
import type { Format } from './output.js';
import { LocalError, UsageError } from './errors.js';

/** A command's inputs: arguments after its name, the output format, and a lazily built client. */
export type Context = {
  args: ParsedArgs;
  format: Format;
  options: ClientOptions;
  client(): Client;
};

/** A declared command: its synopsis, help and flags (tree.ts), and what it does. */
export type Subcommand = CommandSpec & {
  run(ctx: Context): Promise<number>;
  /** Takes `-format=raw` (the body as the server sent it); only `read` does, as in Vault. */
  rawOutput?: boolean;
};

/** A group of commands (token, kv, kv metadata…). */
export type Group = CommandGroup<Subcommand>;

/** The positional arguments, checked against Vault's "expected N" rules. */
export function expectArgs(args: ParsedArgs, min: number, max = min): string[] {
  const got = args.positional.length;
  if (got < min) throw new UsageError(`Not enough arguments (expected ${min === max ? min : `at least ${min}`}, got ${got})`);
  if (got > max) throw new UsageError(`Too many arguments (expected ${min === max ? max : `at most ${max}`}, got ${got})`);
  return args.positional;
}

/** Prefixes an API or connection error with what was being done ("Error reading x: …"). */
export async function attempt<T>(what: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof Error && !(err instanceof LocalError)) err.message = `Error ${what}: ${err.message}`;
    throw err;
  }
}

/** Vault's path clean-up: no surrounding spaces or slashes. */
export function sanitizePath(path: string): string {
  return path.trim().replace(/^\/+/, '').replace(/\/+$/, '');
}

/** `path/`: how mount paths are written and shown. */
export function ensureTrailingSlash(path: string): string {
  const p = sanitizePath(path);
  return p === '' ? p : `${p}/`;
}

/** Everything on stdin, as text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function readFileText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new LocalError(`error reading file "${file}"`);
  }
}

function jsonObject(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new LocalError(`failed to parse JSON from ${source}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LocalError(`the JSON from ${source} must be an object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Vault's data arguments: `key=value`, `key=@file`, `key=-` (stdin), a lone `-` (a JSON object
 * on stdin) or `@file.json`. A key given twice becomes a list, as in Vault's kv builder.
 */
export async function parseData(items: string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const add = (k: string, v: unknown) => {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  };
  for (const item of items) {
    if (item === '-') {
      Object.assign(out, jsonObject(await readStdin(), 'stdin'));
      continue;
    }
    if (item.startsWith('@') && !item.includes('=')) {
      Object.assign(out, jsonObject(readFileText(item.slice(1)), item.slice(1)));
      continue;
    }
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid key/value pair "${item}": format must be key=value`);
    const key = item.slice(0, eq);
    const raw = item.slice(eq + 1);
    if (raw === '-') add(key, await readStdin());
    else if (raw.startsWith('@')) add(key, readFileText(raw.slice(1)));
    else add(key, raw);
  }
  return out;
}

/** A repeatable `-flag k=v` as a map (`-options`, `-metadata`, `-custom-metadata`). */
export function flagMap(args: ParsedArgs, name: string): Record<string, string> | undefined {
  const values = args.all(name);
  if (values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid -${name} "${v}": format must be key=value`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

/** A repeatable list flag; Vault also splits each value on commas. */
export function flagList(args: ParsedArgs, name: string): string[] {
  return args.all(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** An integer flag, or undefined when absent. */
export function intFlag(args: ParsedArgs, name: string): number | undefined {
  const v = args.flag(name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw new UsageError(`invalid value "${v}" for flag -${name}: expected an integer`);
  return Number(v);
}

/** A boolean flag (`-x`, `-x=true`, `-x=false`), or undefined when absent. */
export function boolFlag(args: ParsedArgs, name: string): boolean | undefined {
  const v = args.flag(name);
  if (v === undefined) return undefined;
  if (/^(true|1|t)$/i.test(v)) return true;
  if (/^(false|0|f)$/i.test(v)) return false;
  throw new UsageError(`invalid boolean value "${v}" for flag -${name}`);
}

/**
 * A secret typed at the terminal without echo. Raw mode hands us each key press, so we collect
 * the characters ourselves; Ctrl-C must still abort.
 */
export function promptHidden(label: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(label);
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new LocalError('interrupted'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** A secret argument: given, `-` for stdin, a hidden prompt on a terminal, else piped stdin. */
export async function secretInput(arg: string | undefined, label: string): Promise<string> {
  if (arg !== undefined && arg !== '-') return arg;
  if (arg === undefined && process.stdin.isTTY) return (await promptHidden(label)).trim();
  return (await readStdin()).trim();
}
