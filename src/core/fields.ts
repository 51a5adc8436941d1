// Field declarations: what a path accepts, how each value is parsed from JSON or a URL, and
// its default. Parsing follows Vault's weak decoding: "3" is an int, 3 is a string, "a,b" is
// a string list — clients such as Terraform send numbers as strings and vice versa.
import { BadRequest } from '../util/errors.js';
import { parseDurationSeconds } from '../util/duration.js';

/** What every field declaration carries. */
type FieldBase<T> = {
  kind: string;
  description: string;
  default?: T;
  required?: boolean;
  /** Never logged, never echoed in help examples. */
  sensitive?: boolean;
  /**
   * The handler reads only the parsed form (policy names: trimmed, lower-cased), so the ACL's
   * allowed/denied parameters are checked against that form too, never against the spelling
   * sent: `["NOSUDO"]` must meet a rule about `nosudo`.
   */
  aclSeesParsed?: boolean;
  /** Parses one raw value; throws a message (not an error) when it does not fit. */
  parse(raw: unknown): T;
};

/** A declared field producing values of type T. */
export type Field<T> = FieldBase<T>;

/** The declared fields of a path. */
export type Fields = Record<string, Field<unknown>>;

/** The parsed values a handler receives for its declared fields. */
export type FieldValues<F extends Fields> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

type Options<T> = { description: string; default?: T; required?: boolean; sensitive?: boolean; aclSeesParsed?: boolean };

// Every declaration has the same properties in the same order, whatever options it was given:
// parseFields reads them for every field of every request, and declarations of a dozen shapes
// made those reads megamorphic.
function declare<T>(kind: string, parse: (raw: unknown) => T, options: Options<T>): Field<T> {
  const { description, default: declaredDefault, required, sensitive, aclSeesParsed, ...rest } = options;
  return { kind, parse, description, default: declaredDefault, required: required === true, sensitive: sensitive === true, aclSeesParsed: aclSeesParsed === true, ...rest };
}

function toStr(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  throw 'expected a string';
}

function toInt(raw: unknown): number {
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw 'expected an integer';
  return n;
}

// Go's strconv.ParseBool spellings, which Vault's weak decoding accepts: hvac sends Python's
// True/False in query strings (`sys/health?standbyok=True`).
const TRUE_TEXT = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_TEXT = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False', '']);

function toBool(raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  if (raw === 1 || (typeof raw === 'string' && TRUE_TEXT.has(raw))) return true;
  if (raw === 0 || (typeof raw === 'string' && FALSE_TEXT.has(raw))) return false;
  throw 'expected a boolean';
}

function toStrings(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(toStr);
  if (typeof raw === 'string') return raw === '' ? [] : raw.split(',').map((s) => s.trim());
  throw 'expected a list of strings or a comma-separated string';
}

// Vault's TypeCommaIntSlice: [1, "2"], 3 and "1,2" all parse.
function toInts(raw: unknown): number[] {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? (raw.trim() === '' ? [] : raw.split(',')) : [raw];
  return items.map(toInt);
}

// Vault treats policy names case-insensitively and ignores surrounding blanks and empty names.
function toPolicyNames(raw: unknown): string[] {
  return toStrings(raw).map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
}

function toStringMap(raw: unknown): Record<string, string> {
  if (raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw 'expected an object of strings';
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) out[k] = toStr(v);
  return out;
}

// Vault's TypeStringSlice (not the comma kind): a single string is one item, whatever it holds
// (a SQL statement with commas stays whole); "" is none.
function toStringList(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(toStr);
  if (typeof raw === 'string') return raw === '' ? [] : [raw];
  throw 'expected a string or a list of strings';
}

// Vault's TypeKVPairs: an object of strings, or `key=value` strings (one, or a list) split at
// the first "=", as the CLI sends them (`claim_mappings=email=email`); "" is none.
function toKeyValues(raw: unknown): Record<string, string> {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) return toStringMap(raw);
  const pairs = Array.isArray(raw) ? raw : raw === '' ? [] : [raw];
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    if (typeof pair !== 'string') throw 'expected an object of strings or key=value pairs';
    const at = pair.indexOf('=');
    if (at <= 0) throw `invalid key pair ${JSON.stringify(pair)}`;
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

function toObject(raw: unknown): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw 'expected a JSON object';
  return raw as Record<string, unknown>;
}

function toDuration(raw: unknown): number {
  const n = parseDurationSeconds(raw);
  if (n === undefined) throw 'expected a duration such as "30s", "1h" or a number of seconds';
  return n;
}

// Vault's TypeSignedDurationSecond: a duration that may be negative ("-1s", -1).
function toSignedDuration(raw: unknown): number {
  if (typeof raw === 'number' && raw < 0) return -toDuration(-raw);
  if (typeof raw === 'string' && raw.trim().startsWith('-')) return -toDuration(raw.trim().slice(1));
  return toDuration(raw);
}

/** Constructors for field declarations. */
export const field = {
  string: (o: Options<string>) => declare('string', toStr, o),
  int: (o: Options<number>) => declare('int', toInt, o),
  bool: (o: Options<boolean>) => declare('bool', toBool, o),
  /** Seconds; accepts 3600, "3600" and "1h". */
  duration: (o: Options<number>) => declare('duration', toDuration, o),
  /** Seconds, possibly negative; accepts -1, "-1s" and "1h". */
  signedDuration: (o: Options<number>) => declare('duration', toSignedDuration, o),
  strings: (o: Options<string[]>) => declare('strings', toStrings, o),
  /** Policy names from a list or "a,b": trimmed and lower-cased, which is also what the ACL checks. */
  policies: (o: Options<string[]>) => declare('strings', toPolicyNames, { ...o, aclSeesParsed: true }),
  /** Integers from a list or a comma-separated string (Vault's TypeCommaIntSlice). */
  ints: (o: Options<number[]>) => declare('ints', toInts, o),
  /** Vault's TypeStringSlice: a list, or one string as one item (never split at commas). */
  stringList: (o: Options<string[]>) => declare('strings', toStringList, o),
  stringMap: (o: Options<Record<string, string>>) => declare('map', toStringMap, o),
  /** Vault's TypeKVPairs: an object of strings, or `key=value` strings. */
  keyValues: (o: Options<Record<string, string>>) => declare('map', toKeyValues, o),
  object: (o: Options<Record<string, unknown>>) => declare('object', toObject, o),
  /** Any JSON value, passed through unparsed. */
  any: (o: Options<unknown>) => declare('any', (raw) => raw, o),
  /** A segment of the URL (`:name`); required. */
  name: (o: Omit<Options<string>, 'default'>) => declare('name', toStr, { ...o, required: true }),
};

/** Zero values used when a field has no declared default, as Vault's framework does. */
const ZERO: Record<string, unknown> = { string: '', name: '', int: 0, bool: false, duration: 0 };

function zeroOf(f: Field<unknown>): unknown {
  if (f.kind in ZERO) return ZERO[f.kind];
  if (f.kind === 'strings' || f.kind === 'ints') return [];
  if (f.kind === 'map') return {};
  return undefined;
}

/**
 * Parses `input` against `fields`. Returns the values (defaults filled in), the names the
 * caller actually sent, and the input keys that are not fields (reported as warnings).
 * Required fields are enforced for writes only: a read of the same path needs none of them.
 */
export function parseFields<F extends Fields>(fields: F, input: Record<string, unknown>, enforceRequired = true) {
  const values: Record<string, unknown> = {};
  const sent = new Set<string>();
  for (const [name, f] of declared(fields).entries) {
    const raw = input[name];
    // Vault decodes a JSON null like an absent value (hvac sends `"config": null` when mounting).
    if (raw === undefined || (raw === null && f.kind !== 'any')) {
      if (f.required && enforceRequired) throw new BadRequest(`missing required field "${name}"`);
      const declaredDefault = f.default;
      // Declared defaults are shared by every request: hand out copies of objects, never the
      // original (zero values are made fresh for each request already).
      values[name] = declaredDefault === undefined || declaredDefault === null ? zeroOf(f)
        : typeof declaredDefault === 'object' ? structuredClone(declaredDefault) : declaredDefault;
      continue;
    }
    try {
      values[name] = f.parse(raw);
    } catch (problem) {
      // Never echo the value: it may be a secret.
      const why = typeof problem === 'string' ? problem : 'invalid value';
      throw new BadRequest(`error converting input for field "${name}": ${why}`);
    }
    sent.add(name);
  }
  // No list is made for the usual request, which sends only declared fields.
  let unknown: string[] = NO_NAMES;
  for (const k in input) {
    if (k in fields) continue;
    if (unknown === NO_NAMES) unknown = [k];
    else unknown.push(k);
  }
  return { values: values as FieldValues<F>, sent, unknown };
}

const NO_NAMES: string[] = Object.freeze([]) as unknown as string[];

/** A path's field declarations as requests walk them: listed once, not on every request. */
type Declared = { entries: [string, Field<unknown>][]; aclSeesParsed: [string, Field<unknown>][] };

/** Declarations are made once per path and never changed, so they can be listed once. */
const listed = new WeakMap<Fields, Declared>();

function declared(fields: Fields): Declared {
  let known = listed.get(fields);
  if (known === undefined) {
    const entries = Object.entries(fields);
    known = { entries, aclSeesParsed: entries.filter(([, f]) => f.aclSeesParsed) };
    listed.set(fields, known);
  }
  return known;
}

/**
 * Refuses a write that left out a required field, as `parseFields` does when it enforces them:
 * for input that already parsed without enforcing, the first required field not sent is the
 * one `parseFields` would have named.
 */
export function checkRequired(fields: Fields, sent: ReadonlySet<string>): void {
  for (const [name, f] of declared(fields).entries) {
    if (f.required && !sent.has(name)) throw new BadRequest(`missing required field "${name}"`);
  }
}

/** The subset of `values` whose names were sent: Vault's "omitted fields keep their value". */
export function onlySent<T extends Record<string, unknown>>(values: T, sent: Set<string>): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([k]) => sent.has(k))) as Partial<T>;
}

/**
 * The request's data as the ACL's parameter rules must see it: fields marked `aclSeesParsed`
 * in their parsed form, everything else as sent. A value that does not parse stays as sent;
 * the handler refuses it with a 400 anyway.
 */
export function parametersForAcl(fields: Fields, data: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [name, f] of declared(fields).aclSeesParsed) {
    const raw = data[name];
    if (raw === undefined || raw === null) continue;
    try {
      (out ??= { ...data })[name] = f.parse(raw);
    } catch {
      // left as sent
    }
  }
  return out ?? data;
}
