// Canonical HCL for `lockbox policy fmt`. hcl2-parser (a GopherJS build of hcl2json) gives us
// data, not a syntax tree, so comments would be lost: we split the file into its top-level
// statements ourselves, keep the comment lines above each one, and rebuild each statement
// from its data. A comment inside a block has nowhere safe to go, so we refuse such a file
// rather than silently drop it. The parser returns Go maps, so attributes within a block come
// out sorted by name; top-level statements keep their order.
import { createRequire } from 'node:module';
import { LocalError } from './errors.js';

type Hcl2Parser = { parseToObject(text: string): [unknown, unknown] };
const parser = createRequire(import.meta.url)('hcl2-parser') as Hcl2Parser;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** HCL (or a JSON policy) as data; undefined when the syntax is invalid. */
function parse(text: string): Obj | undefined {
  if (text.trim().startsWith('{')) {
    try {
      const v: unknown = JSON.parse(text);
      return isObj(v) ? v : undefined;
    } catch { /* not JSON: let the HCL parser decide */ }
  }
  try {
    const [value, error] = parser.parseToObject(text);
    return (error === null || error === undefined) && isObj(value) ? value : undefined;
  } catch {
    return undefined; // a GopherJS panic is a syntax error like any other
  }
}

/** One top-level statement and the comment lines ('' = a blank line) above it. */
type Item = { comments: string[]; code: string };

/** Splits HCL into top-level statements, refusing comments that are not on their own line at the top level. */
function splitTopLevel(text: string): { items: Item[]; trailing: string[] } {
  const items: Item[] = [];
  let pending: string[] = [];
  let cur = '';
  let depth = 0;
  let newlines = 0;
  const refuse = () => {
    throw new LocalError('cannot format: a comment inside a block or after code would be lost; move it onto its own line above the block');
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') {
      const end = endOfString(text, i);
      cur += text.slice(i, end + 1);
      i = end;
      continue;
    }
    const lineComment = c === '#' || (c === '/' && text[i + 1] === '/');
    if (lineComment || (c === '/' && text[i + 1] === '*')) {
      if (depth > 0 || cur.trim() !== '') refuse();
      const end = lineComment ? indexOr(text, '\n', i) : indexOr(text, '*/', i) + 2;
      pending.push(text.slice(i, end).trimEnd());
      newlines = 0;
      i = end - 1;
      continue;
    }
    if (c === '{' || c === '[' || c === '(') depth++;
    if (c === '}' || c === ']' || c === ')') depth--;
    if (c === '\n' && depth === 0) {
      if (cur.trim() !== '') {
        items.push({ comments: pending, code: cur });
        pending = [];
      } else if (++newlines === 2 && pending.length > 0 && pending[pending.length - 1] !== '') pending.push('');
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim() !== '') items.push({ comments: pending, code: cur });
  else return { items, trailing: pending.filter((l, i, all) => l !== '' || i < all.length - 1) };
  return { items, trailing: [] };
}

function indexOr(text: string, needle: string, from: number): number {
  const at = text.indexOf(needle, from);
  return at < 0 ? text.length : at;
}

/** Index of the quote closing the string that opens at `start`. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}

/** Block-shaped data (hcl2json writes `a "x" {}` as {a: {x: [{}]}}) as label lists and bodies. */
function asBlocks(v: unknown, labels: string[]): Array<{ labels: string[]; body: Obj }> | undefined {
  if (Array.isArray(v)) return v.length > 0 && v.every(isObj) ? v.map((body) => ({ labels, body })) : undefined;
  if (!isObj(v) || Object.keys(v).length === 0) return undefined;
  const out: Array<{ labels: string[]; body: Obj }> = [];
  for (const [k, inner] of Object.entries(v)) {
    const blocks = asBlocks(inner, [...labels, k]);
    if (!blocks) return undefined;
    out.push(...blocks);
  }
  return out;
}

/** A string literal; `${` and `%{` are escaped again because the parser unescaped them. */
const quote = (s: string) => JSON.stringify(s).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');

function renderValue(v: unknown, indent: number): string {
  if (typeof v === 'string') return quote(v);
  if (Array.isArray(v)) return `[${v.map((x) => renderValue(x, indent)).join(', ')}]`;
  if (isObj(v)) {
    const entries = Object.entries(v);
    if (entries.length === 0) return '{}';
    const pad = ' '.repeat(indent + 2);
    return `{\n${aligned(entries.map(([k, x]) => [quote(k), renderValue(x, indent + 2)]), pad).join('\n')}\n${' '.repeat(indent)}}`;
  }
  return String(v);
}

/** `name = value` lines with the equals signs lined up, as hclfmt does. */
function aligned(attrs: Array<[string, string]>, pad: string): string[] {
  const width = Math.max(...attrs.map(([k]) => k.length));
  return attrs.map(([k, v]) => `${pad}${k.padEnd(width)} = ${v}`);
}

function renderBody(obj: Obj, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  let run: Array<[string, string]> = [];
  const flush = () => {
    if (run.length > 0) lines.push(...aligned(run, pad));
    run = [];
  };
  for (const [key, v] of Object.entries(obj)) {
    const name = /^[A-Za-z_][\w-]*$/.test(key) ? key : quote(key);
    const blocks = asBlocks(v, []);
    if (!blocks) {
      if (run.length === 0 && lines.length > 0) lines.push('');
      run.push([name, renderValue(v, indent)]);
      continue;
    }
    flush();
    for (const b of blocks) {
      if (lines.length > 0) lines.push('');
      lines.push(`${pad}${[name, ...b.labels.map(quote)].join(' ')} {`, ...renderBody(b.body, indent + 2), `${pad}}`);
    }
  }
  flush();
  return lines;
}

/** Reformats policy text as canonical HCL; throws LocalError on a syntax error. */
export function formatHcl(text: string): string {
  const whole = parse(text);
  if (!whole) throw new LocalError('failed to parse policy: invalid HCL or JSON syntax');
  if (text.trim().startsWith('{')) return `${renderBody(whole, 0).join('\n')}\n`; // JSON: no comments to keep
  const { items, trailing } = splitTopLevel(text);
  const parts = items.map((item) => {
    const data = parse(item.code);
    if (!data) throw new LocalError('failed to parse policy: invalid HCL syntax');
    return [...item.comments, ...renderBody(data, 0)].join('\n');
  });
  if (trailing.length > 0) parts.push(trailing.join('\n'));
  return `${parts.join('\n\n')}\n`;
}
