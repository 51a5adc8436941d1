// Go's predefined template functions (text/template funcs.go), with their argument types and
// error texts. and/or are short-circuited by the evaluator; their bodies here are not called.
import { sprint, sprintf, sprintln } from './fmt.js';
import { GoError, typed } from './signature.js';
import { goStrings, GoStruct, isMap, isStringSlice, isTrue, kindOf, num, str, typeName, unbox } from './values.js';

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid';

function basicKind(v: unknown): Kind | null {
  const k = kindOf(v);
  if (k === 'bool' || k === 'int' || k === 'float' || k === 'string') return k;
  return null;
}

const errBadComparisonType = 'invalid type for comparison';
const errBadComparison = 'incompatible types for comparison';
const errNoComparison = 'missing argument for comparison';

const isNilValue = (v: unknown): boolean => v === undefined || v === null || (v instanceof GoStruct && v.isNil);

function same(k: Kind, a: unknown, b: unknown): boolean {
  switch (k) {
    case 'bool': return a === b;
    case 'int': case 'float': return num(a) === num(b);
    default: return str(a) === str(b);
  }
}

function eq(arg1: unknown, ...arg2: unknown[]): boolean {
  arg1 = unbox(arg1);
  if (arg2.length === 0) throw new GoError(errNoComparison);
  const k1 = basicKind(arg1);
  for (let arg of arg2) {
    arg = unbox(arg);
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (arg1 !== undefined && arg !== undefined) throw new GoError(errBadComparison);
    } else if (k1 !== null) {
      truth = same(k1, arg1, arg);
    } else if (isNilValue(arg1) || isNilValue(arg)) {
      truth = isNilValue(arg) === isNilValue(arg1);
    } else {
      // Maps, slices and structs are not comparable in Go.
      throw new GoError(`non-comparable type ${sprint([arg])}: ${typeName(arg)}`);
    }
    if (truth) return true;
  }
  return false;
}

function lt(arg1: unknown, arg2: unknown): boolean {
  arg1 = unbox(arg1); arg2 = unbox(arg2);
  const k1 = basicKind(arg1);
  if (!k1) throw new GoError(errBadComparisonType);
  const k2 = basicKind(arg2);
  if (!k2) throw new GoError(errBadComparisonType);
  if (k1 !== k2) throw new GoError(errBadComparison);
  switch (k1) {
    case 'bool': throw new GoError(errBadComparisonType);
    case 'int': case 'float': return num(arg1) < num(arg2);
    default: return Buffer.compare(Buffer.from(str(arg1)), Buffer.from(str(arg2))) < 0;
  }
}

const le = (a: unknown, b: unknown): boolean => lt(a, b) || eq(a, b);

function length(item: unknown): number {
  item = unbox(item);
  if (item === null || (item instanceof GoStruct && item.isNil)) throw new GoError('len of nil pointer');
  if (item === undefined) throw new GoError('reflect: call of reflect.Value.Type on zero Value');
  const k = kindOf(item);
  if (k === 'string') return Buffer.byteLength(str(item));
  if (k === 'slice') return (item as unknown[]).length;
  if (k === 'map' && isMap(item)) return Object.keys(item).length;
  throw new GoError(`len of type ${typeName(item instanceof GoStruct ? new GoStruct(item.typeName.replace(/^\*/, ''), [], {}) : item)}`);
}

function indexArg(index: unknown, cap: number): number {
  index = unbox(index);
  if (index === undefined || index === null) throw new GoError('cannot index slice/array with nil');
  if (kindOf(index) !== 'int') throw new GoError(`cannot index slice/array with type ${typeName(index)}`);
  const x = num(index);
  if (x < 0 || x > cap) throw new GoError(`index out of range: ${x}`);
  return x;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  item = unbox(item);
  if (item === undefined) throw new GoError('index of untyped nil');
  for (let ix of indexes) {
    ix = unbox(ix);
    if (item === null || (item instanceof GoStruct && item.isNil)) throw new GoError('index of nil pointer');
    const k = kindOf(item);
    if (k === 'slice' || k === 'string') {
      const isStr = k === 'string';
      const bytes = isStr ? Buffer.from(str(item)) : null;
      const len = isStr ? bytes!.length : (item as unknown[]).length;
      const x = indexArg(ix, len);
      if (x === len) throw new GoError(`index out of range: ${x}`);
      item = isStr ? bytes![x] : (item as unknown[])[x];
      if (item === undefined) item = null;
    } else if (k === 'map' && isMap(item)) {
      if (ix === undefined || ix === null) throw new GoError('value is nil; should be of type string');
      if (kindOf(ix) !== 'string' || typeof ix !== 'string') throw new GoError(`value has type ${typeName(ix)}; should be string`);
      item = Object.hasOwn(item, ix) ? (item[ix] ?? null) : null;
    } else {
      throw new GoError(`can't index item of type ${typeName(item instanceof GoStruct ? new GoStruct(item.typeName.replace(/^\*/, ''), [], {}) : item)}`);
    }
  }
  return item;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  item = unbox(item);
  if (item === undefined) throw new GoError('slice of untyped nil');
  if (indexes.length > 3) throw new GoError(`too many slice indexes: ${indexes.length}`);
  const k = kindOf(item);
  let len: number;
  if (k === 'string') {
    if (indexes.length === 3) throw new GoError('cannot 3-index slice a string');
    len = Buffer.byteLength(str(item));
  } else if (k === 'slice') {
    len = (item as unknown[]).length;
  } else {
    throw new GoError(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, len, len];
  indexes.forEach((ix, i) => { idx[i] = indexArg(ix, len); });
  if (idx[0]! > idx[1]!) throw new GoError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1]! > idx[2]!) throw new GoError(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (k === 'string') return Buffer.from(str(item)).subarray(idx[0], idx[1]).toString();
  const out = (item as unknown[]).slice(idx[0], idx[1]);
  return isStringSlice(item as unknown[]) ? goStrings(out as string[]) : out;
}

function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof unbox(args[0]) === 'string') return unbox(args[0]) as string;
  return sprint(args);
}

const htmlEsc: Record<string, string> = { '\0': '\uFFFD', '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' };
export const htmlEscape = (s: string): string => s.replace(/[\0"'&<>]/g, (c) => htmlEsc[c]!);

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    switch (ch) {
      case '\\': out += '\\\\'; continue;
      case "'": out += "\\'"; continue;
      case '"': out += '\\"'; continue;
      case '<': out += '\\u003C'; continue;
      case '>': out += '\\u003E'; continue;
      case '&': out += '\\u0026'; continue;
      case '=': out += '\\u003D'; continue;
    }
    if (r < 0x20) { out += '\\u' + r.toString(16).toUpperCase().padStart(4, '0'); continue; }
    if (r < 0x80 || /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) { out += ch; continue; }
    out += r < 0x10000 ? '\\u' + r.toString(16).toUpperCase().padStart(4, '0') : ch;
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

const notFn = (arg: unknown): boolean => !isTrue(arg).truth;
const passthrough = (arg0: unknown): unknown => arg0; // and/or: evaluated by the evaluator

export const builtinFuncs: Readonly<Record<string, (...args: unknown[]) => unknown>> = {
  and: typed(['value'], passthrough, 'value'),
  or: typed(['value'], passthrough, 'value'),
  not: typed(['value'], notFn),
  len: typed(['value'], length),
  index: typed(['value'], index, 'value'),
  slice: typed(['value'], slice, 'value'),
  print: typed([], (...a: unknown[]) => sprint(a), 'any'),
  println: typed([], (...a: unknown[]) => sprintln(a), 'any'),
  printf: typed(['string'], (f: string, ...a: unknown[]) => sprintf(f, a), 'any'),
  html: typed([], (...a: unknown[]) => htmlEscape(evalArgs(a)), 'any'),
  js: typed([], (...a: unknown[]) => jsEscape(evalArgs(a)), 'any'),
  urlquery: typed([], (...a: unknown[]) => queryEscape(evalArgs(a)), 'any'),
  eq: typed(['value'], eq, 'value'),
  ne: typed(['value', 'value'], (a: unknown, b: unknown) => !eq(a, b)),
  lt: typed(['value', 'value'], lt),
  le: typed(['value', 'value'], le),
  gt: typed(['value', 'value'], (a: unknown, b: unknown) => !le(a, b)),
  ge: typed(['value', 'value'], (a: unknown, b: unknown) => !lt(a, b)),
};
