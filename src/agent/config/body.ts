// Reads one block of a configuration: typed values by key, nested blocks (labelled or not),
// and, at the end, an error for every key nobody asked for, naming its file and line. That is
// stricter than Vault (HCL1 decoding ignores unknown keys), on purpose: a misspelt `mode` or
// `wrap_ttl` must not leave a token readable by everyone or unwrapped.
import { ConfigError, describeWhere, type Entry, type Value, type Where } from './tree.js';

/** A block's body, with the path used in messages ("auto_auth.method.config"). */
export class Body {
  readonly entries: Entry[];
  readonly path: string;
  readonly at: Where;
  /** JSON documents have no labels: `"sink": {"file": {…}}` means `sink "file" {…}`. */
  readonly json: boolean;
  private readonly used = new Set<string>();

  constructor(entries: Entry[], path: string, at: Where, json: boolean) {
    this.entries = entries;
    this.path = path;
    this.at = at;
    this.json = json;
  }

  has(name: string): boolean {
    return this.entries.some((e) => e.name === name);
  }

  /** The last value given for a key (HCL1 keeps the last of repeated scalars). */
  value(name: string): Value | undefined {
    this.used.add(name);
    let found: Value | undefined;
    for (const e of this.entries) if (e.name === name) found = e.value;
    return found;
  }

  /** Where a key was written, for messages. */
  whereOf(name: string): Where {
    return this.entries.find((e) => e.name === name)?.at ?? this.at;
  }

  fail(name: string, reason: string): never {
    throw new ConfigError(`${describeWhere(this.whereOf(name))}: ${reason}`);
  }

  string(name: string): string | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    if (v.kind !== 'literal') this.fail(name, `'${name}' must be a string`);
    return String(v.value);
  }

  /** Go's strconv.ParseBool on strings, as Vault's parseutil.ParseBool reads them. */
  bool(name: string): boolean | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    const b = v.kind === 'literal' ? parseBool(v.value) : undefined;
    if (b === undefined) this.fail(name, `'${name}' must be a boolean`);
    return b;
  }

  int(name: string): number | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    const raw = v.kind === 'literal' ? v.value : undefined;
    const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isInteger(n)) this.fail(name, `'${name}' must be an integer`);
    return n;
  }

  /** A duration in milliseconds: a number is seconds, a string is seconds or Go's units. */
  duration(name: string): number | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    const ms = v.kind === 'literal' ? parseDurationMs(v.value) : undefined;
    if (ms === undefined) this.fail(name, `'${name}' is not a valid duration`);
    return ms;
  }

  /** A list of strings; a single string counts as one (or, with `split`, as comma-separated). */
  strings(name: string, split = false): string[] | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    if (v.kind === 'literal' && typeof v.value === 'string') {
      return split ? v.value.split(',').map((s) => s.trim()).filter((s) => s !== '') : [v.value];
    }
    if (v.kind !== 'list' || v.items.some((i) => i.kind !== 'literal')) this.fail(name, `'${name}' must be a list of strings`);
    return v.items.map((i) => String((i as { value: unknown }).value));
  }

  /**
   * The blocks of one name, each with its label when the kind takes one. Accepted forms:
   * `name "label" {…}`, `name {…}`, `name = {…}`, `name = [{…}, …]`, and in JSON
   * `"name": {"label": {…}}` (when every member is an object, as HCL1's JSON reader flattens).
   */
  blocks(name: string, labelled: boolean): { label?: string; body: Body }[] {
    this.used.add(name);
    const out: { label?: string; body: Body }[] = [];
    const path = this.path === '' ? name : `${this.path}.${name}`;
    const add = (value: Value, label: string | undefined, at: Where) => {
      if (value.kind === 'list') {
        for (const item of value.items) add(item, label, item.at);
        return;
      }
      if (value.kind !== 'object') throw new ConfigError(`${describeWhere(at)}: could not parse "${name}" as an object`);
      const allObjects = value.entries.length > 0 && value.entries.every((e) => e.value.kind === 'object' || (e.value.kind === 'list' && e.value.items.every((i) => i.kind === 'object')));
      if (labelled && label === undefined && this.json && allObjects) {
        for (const e of value.entries) add(e.value, e.name, e.at);
        return;
      }
      out.push({ label, body: new Body(value.entries, path, value.at, this.json) });
    };
    for (const e of this.entries) {
      if (e.name !== name) continue;
      if (e.labels.length > (labelled ? 1 : 0)) {
        throw new ConfigError(`${describeWhere(e.at)}: "${name}" takes ${labelled ? 'at most one label' : 'no label'}, got ${e.labels.length}`);
      }
      add(e.value, e.labels[0], e.at);
    }
    return out;
  }

  /** At most one block of this name. */
  optionalBlock(name: string, message: string): Body | undefined {
    const found = this.blocks(name, false);
    if (found.length > 1) throw new ConfigError(`${describeWhere(this.whereOf(name))}: ${message}`);
    return found[0]?.body;
  }

  /** Refuses every key that was not read. Call after reading all the keys a block has. */
  finish(): void {
    for (const e of this.entries) {
      if (!this.used.has(e.name)) {
        const where = this.path === '' ? '' : ` in "${this.path}"`;
        throw new ConfigError(`${describeWhere(e.at)}: unknown or unsupported field "${e.name}"${where}`);
      }
    }
  }
}

export function parseBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value !== 'string') return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Vault's ParseDurationSecond, to milliseconds: 30, "30", "1m30s", "0.5s", "250ms". */
export function parseDurationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return 0;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)/y;
  let total = 0;
  while (part.lastIndex < text.length) {
    const start = part.lastIndex;
    const m = part.exec(text);
    if (m === null || m.index !== start) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}
