// One syntax tree for both forms Vault Agent reads, HCL1 and JSON, with a file, line and
// column on every key: the decoder needs positions to name the place of an unknown key, and
// util/hcl1's plain-data decoding drops them. JSON gets a small positional parser of its own
// here, because JSON.parse gives no positions.
import { Hcl1Error, parseHcl1, looksLikeJson, type Position } from '../../util/hcl1/index.js';
import type { Item, ValueNode } from '../../util/hcl1/parser.js';

export type Where = { file: string; line: number; column: number };
export type Literal = { kind: 'literal'; value: string | number | boolean; at: Where };
export type ListValue = { kind: 'list'; items: Value[]; at: Where };
export type ObjectValue = { kind: 'object'; entries: Entry[]; at: Where };
export type Value = Literal | ListValue | ObjectValue;
/** `method "approle" { … }` is the entry method with label approle; `mode = 0640` has none. */
export type Entry = { name: string; labels: string[]; value: Value; at: Where };
/** A parsed file: its top-level entries, and whether it was JSON (labels are then implicit). */
export type Document = { entries: Entry[]; json: boolean; file: string };

/** A configuration error that names where it is. */
export class ConfigError extends Error {}

export const describeWhere = (at: Where): string => `${at.file}:${at.line}:${at.column}`;

/** Parses a config file's text (JSON when it starts with "{", else HCL1). */
export function parseDocument(text: string, file: string): Document {
  const json = looksLikeJson(text);
  try {
    return { entries: json ? new JsonReader(text, file).document() : fromHcl(parseHcl1(text), file), json, file };
  } catch (err) {
    if (err instanceof Hcl1Error) throw new ConfigError(`${file}: ${err.message}`);
    throw err;
  }
}

function fromHcl(items: Item[], file: string): Entry[] {
  const where = (pos: Position): Where => ({ file, line: pos.line, column: pos.column });
  const value = (node: ValueNode): Value => {
    if (node.kind === 'literal') return { kind: 'literal', value: node.value, at: where(node.pos) };
    if (node.kind === 'list') return { kind: 'list', items: node.items.map(value), at: where(node.pos) };
    return { kind: 'object', entries: fromHcl(node.items, file), at: where(node.pos) };
  };
  return items.map(({ keys, value: v }) => {
    const [first, ...rest] = keys;
    const head = first as NonNullable<typeof first>; // the parser never yields an item without keys
    return { name: head.name, labels: rest.map((k) => k.name), value: value(v), at: where(head.pos) };
  });
}

/** JSON with positions. Refuses what JSON refuses; null members are dropped (unset). */
class JsonReader {
  private i = 0;
  private readonly text: string;
  private readonly file: string;
  constructor(text: string, file: string) {
    this.text = text;
    this.file = file;
  }

  document(): Entry[] {
    this.space();
    const root = this.value();
    this.space();
    if (this.i < this.text.length) this.fail('unexpected text after the document');
    if (root === null || root.kind !== 'object') throw new ConfigError(`${this.file}: the document must be an object`);
    return root.entries;
  }

  private where(offset = this.i): Where {
    const before = this.text.slice(0, offset).split('\n');
    return { file: this.file, line: before.length, column: (before[before.length - 1] ?? '').length + 1 };
  }

  private fail(reason: string): never {
    throw new ConfigError(`${describeWhere(this.where())}: ${reason}`);
  }

  private space(): void {
    while (/[ \t\n\r]/.test(this.text[this.i] ?? 'x')) this.i++;
  }

  private value(): Value | null {
    this.space();
    const at = this.where();
    const c = this.text[this.i];
    if (c === '{') {
      const entries: Entry[] = [];
      this.members('}', () => {
        this.space();
        const keyAt = this.where();
        const name = this.string();
        this.space();
        if (this.text[this.i] !== ':') this.fail('expected ":"');
        this.i++;
        const v = this.value();
        if (v !== null) entries.push({ name, labels: [], value: v, at: keyAt });
      });
      return { kind: 'object', entries, at };
    }
    if (c === '[') {
      const items: Value[] = [];
      this.members(']', () => {
        const v = this.value();
        if (v !== null) items.push(v);
      });
      return { kind: 'list', items, at };
    }
    if (c === '"') return { kind: 'literal', value: this.string(), at };
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.text.slice(this.i));
    if (!m) this.fail(c === undefined ? 'unexpected end of input' : `unexpected character ${JSON.stringify(c)}`);
    this.i += m[0].length;
    if (m[0] === 'null') return null;
    return { kind: 'literal', value: m[0] === 'true' ? true : m[0] === 'false' ? false : Number(m[0]), at };
  }

  private members(close: string, member: () => void): void {
    this.i++;
    this.space();
    if (this.text[this.i] === close) {
      this.i++;
      return;
    }
    for (;;) {
      member();
      this.space();
      const c = this.text[this.i];
      if (c === ',') this.i++;
      else if (c === close) {
        this.i++;
        return;
      } else this.fail(c === undefined ? 'unexpected end of input' : `expected "," or ${JSON.stringify(close)}`);
    }
  }

  private string(): string {
    if (this.text[this.i] !== '"') this.fail('expected a string');
    const start = this.i;
    this.i++;
    for (;;) {
      const c = this.text[this.i];
      if (c === undefined || c < ' ') this.fail('string not terminated');
      if (c === '"') break;
      this.i += c === '\\' ? 2 : 1;
    }
    this.i++;
    try {
      return JSON.parse(this.text.slice(start, this.i)) as string;
    } catch {
      this.i = start;
      return this.fail('invalid escape in string');
    }
  }
}
