// consul-template's pure helper functions, with its argument order (built for pipes: the piped
// value comes last), its Go types and its error texts. Data functions (secret, file, env...)
// are the caller's.
import { createHash } from 'node:crypto';
import { isLosslessNumber, parse as parseLossless } from 'lossless-json';
import { stringify as yamlStringify } from 'yaml';
import { marshal } from './json.js';
import { compile, replaceAll } from './regexp.js';
import { GoError, typed } from './signature.js';
import { quote } from './strconv.js';
import { formatTime, RFC3339 } from '../../util/go-time.js';
import { float, GoFloat, GoStruct, goStrings, isMap, kindOf, num, str, typeName, unbox } from './values.js';

type Fn = (...args: unknown[]) => unknown;

// --- base64, with Go's strict decoder (padding required, \r and \n skipped)
const stdAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const urlAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function b64decode(s: string, alphabet: string, fn: string): string {
  const src = Buffer.from(s, 'utf8');
  const corrupt = (at: number): never => { throw new GoError(`${fn}: illegal base64 data at input byte ${at}`); };
  const out: number[] = [];
  let si = 0;
  const isNL = (b: number | undefined): boolean => b === 0x0a || b === 0x0d;
  while (si < src.length) {
    const q: number[] = [];
    let j = 0;
    let done = false;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) { done = true; break; }
        corrupt(si - j);
      }
      const b = src[si++]!;
      const v = alphabet.indexOf(String.fromCharCode(b));
      if (v >= 0 && b < 0x80) { q.push(v); continue; }
      if (isNL(b)) { j--; continue; }
      if (b !== 0x3d) corrupt(si - 1);
      if (j < 2) corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && isNL(src[si])) si++;
        if (si === src.length) corrupt(src.length);
        if (src[si] !== 0x3d) corrupt(si - 1);
        si++;
      }
      while (si < src.length && isNL(src[si])) si++;
      if (si < src.length) corrupt(si);
      done = true;
      break;
    }
    const bits = q.reduce((acc, v, k) => acc | (v << (18 - 6 * k)), 0);
    if (q.length >= 2) out.push((bits >> 16) & 0xff);
    if (q.length >= 3) out.push((bits >> 8) & 0xff);
    if (q.length === 4) out.push(bits & 0xff);
    if (done) break;
  }
  return Buffer.from(out).toString('utf8');
}

const b64encode = (s: string, url: boolean): string => {
  const b = Buffer.from(s, 'utf8').toString('base64');
  return url ? b.replace(/\+/g, '-').replace(/\//g, '_') : b;
};

// --- in / contains (reflect-based in consul-template: kinds must match)
function inList(l: unknown, v: unknown): boolean {
  l = unbox(l); v = unbox(v);
  const vk = kindOf(v);
  if (Array.isArray(l)) {
    for (const e0 of l) {
      const e = unbox(e0);
      switch (kindOf(e)) {
        case 'int': if (vk === 'int' && num(v) === num(e)) return true; break;
        case 'float': if (vk === 'float' && num(v) === num(e)) return true; break;
        case 'string': if (vk === 'string' && typeName(v) === typeName(e) && str(v) === str(e)) return true; break;
      }
    }
    return false;
  }
  if (kindOf(l) === 'string') return vk === 'string' && typeName(v) === typeName(l) && str(l).includes(str(v));
  return false;
}

const containsSome = (retTrue: boolean, invert: boolean): Fn => typed(['[]interface {}', 'any'], (v: unknown[], l: unknown) => {
  for (const x of v) if (inList(l, x) !== invert) return !retTrue;
  return retTrue;
});

// --- numbers
const intKinds = (v: unknown): boolean => kindOf(v) === 'int';
const floatKinds = (v: unknown): boolean => kindOf(v) === 'float';

function mathDesc(v: unknown): string {
  v = unbox(v);
  if (v === null || v === undefined) return '<invalid reflect.Value> (<nil>)';
  // %q of the value, %T of its type.
  let q: string;
  switch (kindOf(v)) {
    case 'string': q = quote(str(v)); break;
    case 'int': q = `'${String.fromCodePoint(Math.max(0, Math.min(num(v), 0x10ffff)))}'`; break;
    default: q = `%!q(${typeName(v)}=${String(v)})`;
  }
  return `${q} (${typeName(v)})`;
}

function arith(name: string, op: (a: number, b: number) => number, intOp: (a: bigint, b: bigint) => bigint, floats = true): Fn {
  return typed(['any', 'any'], (b: unknown, a: unknown) => {
    a = unbox(a); b = unbox(b);
    const aInt = intKinds(a), aFloat = floatKinds(a) && floats;
    if (!aInt && !aFloat) throw new GoError(`${name}: unknown type for ${mathDesc(a)}`);
    const bInt = intKinds(b), bFloat = floatKinds(b) && floats;
    if (!bInt && !bFloat) throw new GoError(`${name}: unknown type for ${mathDesc(b)}`);
    if (aInt && bInt) {
      const r = intOp(BigInt(num(a)), BigInt(num(b)));
      return Number(BigInt.asIntN(64, r));
    }
    return float(op(num(a), num(b)));
  });
}

const divZero = (): never => { throw new GoError('runtime error: integer divide by zero'); };

function pick(name: string, wantLess: boolean): Fn {
  return typed(['any', 'any'], (b: unknown, a: unknown) => {
    a = unbox(a); b = unbox(b);
    if (!intKinds(a) && !floatKinds(a)) throw new GoError(`${name}: unknown type for ${mathDesc(a)}`);
    if (!intKinds(b) && !floatKinds(b)) throw new GoError(`${name}: unknown type for ${mathDesc(b)}`);
    const aWins = wantLess ? num(a) < num(b) : num(a) > num(b);
    // consul-template returns the winning operand with its own type.
    return aWins ? a : b;
  });
}

// --- strconv-backed parsers
function goSyntax(fn: string, s: string, what = 'invalid syntax'): GoError {
  return new GoError(`${fn}: strconv.${fn === 'parseBool' ? 'ParseBool' : fn === 'parseInt' ? 'ParseInt' : fn === 'parseUint' ? 'ParseUint' : 'ParseFloat'}: parsing ${quote(s)}: ${what}`);
}

function parseIntBase10(s: string, fn: 'parseInt' | 'parseUint'): number {
  if (s === '') return 0;
  const re = fn === 'parseInt' ? /^[+-]?\d+$/ : /^\d+$/;
  if (!re.test(s)) throw goSyntax(fn, s);
  const v = BigInt(s);
  const [lo, hi] = fn === 'parseInt' ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
  if (v < lo || v > hi) throw goSyntax(fn, s, 'value out of range');
  return Number(v);
}

function parseFloatGo(s: string): number | GoFloat {
  if (s === '') return new GoFloat(0);
  const t = s.replace(/_/g, '');
  let v: number | null = null;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) v = Number(t);
  else if (/^[+-]?(inf|infinity)$/i.test(t)) v = t.startsWith('-') ? -Infinity : Infinity;
  else if (/^[+-]?nan$/i.test(t)) v = NaN;
  if (v === null || (s.includes('_') && !/^[+-]?0[xX]/.test(s))) throw goSyntax('parseFloat', s);
  if (!Number.isFinite(v) && !/inf|nan/i.test(t)) throw goSyntax('parseFloat', s, 'value out of range');
  return float(v);
}

const boolWords: Record<string, boolean> = { 1: true, t: true, T: true, TRUE: true, true: true, True: true, 0: false, f: false, F: false, FALSE: false, false: false, False: false };

/** JSON numbers decoded into interface{} are float64. */
function toGoJSON(v: unknown): unknown {
  if (isLosslessNumber(v)) return float(Number(v.value));
  if (Array.isArray(v)) return v.map(toGoJSON);
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toGoJSON(x)]));
  return v;
}

// --- YAML (gopkg.in/yaml.v2 style: sorted keys, sequences not indented under their key)
function toYAMLValue(v: unknown): unknown {
  v = unbox(v);
  if (isLosslessNumber(v)) return /^-?\d+$/.test(v.value) ? (Number.isSafeInteger(Number(v.value)) ? Number(v.value) : v.value) : Number(v.value);
  if (v instanceof GoFloat) return v.v;
  if (Array.isArray(v)) return v.map(toYAMLValue);
  if (v instanceof GoStruct) return v.isNil ? null : Object.fromEntries(v.fieldNames.map((k) => [k.toLowerCase(), toYAMLValue(v.fields![k])]));
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toYAMLValue(x)]));
  return v === undefined ? null : v;
}

// cases.Title(language.Und, cases.NoLower): upper-case the first letter of each word.
function title(s: string): string {
  let out = '';
  let prevWord = false;
  for (const ch of s) {
    const word = /[\p{L}\p{N}_'’]/u.test(ch);
    out += word && !prevWord ? ch.toUpperCase() : ch;
    prevWord = word;
  }
  return out;
}

function goTrim(s: string, cutset: string): string {
  const set = new Set([...cutset]);
  const chars = [...s];
  let a = 0, b = chars.length;
  while (a < b && set.has(chars[a]!)) a++;
  while (b > a && set.has(chars[b - 1]!)) b--;
  return chars.slice(a, b).join('');
}

// Go's strings.TrimSpace trims Unicode White_Space.
const goTrimSpace = (s: string): string => s.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '');

function goSplit(s: string, sep: string): string[] {
  if (sep === '') return [...s];
  return s.split(sep);
}

function goReplaceAll(s: string, from: string, to: string): string {
  if (from === '') {
    const chars = [...s];
    return to + chars.map((c) => c + to).join('');
  }
  return s.split(from).join(to);
}

function indentLines(spaces: number, s: string): string {
  if (spaces < 0) throw new GoError('indent value must be a positive integer');
  const prefix = ' '.repeat(spaces);
  let out = '';
  let sp = true;
  for (const ch of s) {
    if (sp && ch !== '\n') out += prefix;
    out += ch;
    sp = ch === '\n';
  }
  return out;
}

function jsonOf(name: string, v: unknown, escapeHTML: boolean, indent: string): string {
  try { return marshal(v, escapeHTML, indent); } catch (e) { throw new GoError(`${name}: ${(e as Error).message}`); }
}

/** The clock `timestamp` reads (replaceable for tests). */
export const clock = { now: (): Date => new Date() };

function timestamp(...args: string[]): string {
  const now = clock.now();
  const offset = -now.getTimezoneOffset();
  const zone = offset === 0 ? 'UTC' : formatTime(now, '-0700', offset);
  if (args.length === 0) return formatTime(now, RFC3339, offset, zone);
  if (args.length === 1) {
    if (args[0] === 'unix') return String(Math.floor(now.getTime() / 1000));
    return formatTime(now, args[0]!, offset, zone);
  }
  throw new GoError(`timestamp: wrong number of arguments, expected 0 or 1, but got ${args.length}`);
}

export const consulTemplateFuncs: Record<string, Fn> = {
  base64Decode: typed(['string'], (s: string) => b64decode(s, stdAlphabet, 'base64Decode')),
  base64Encode: typed(['string'], (s: string) => b64encode(s, false)),
  base64URLDecode: typed(['string'], (s: string) => b64decode(s, urlAlphabet, 'base64URLDecode')),
  base64URLEncode: typed(['string'], (s: string) => b64encode(s, true)),
  contains: typed(['any', 'any'], (v: unknown, l: unknown) => inList(l, v)),
  containsAll: containsSome(true, true),
  containsAny: containsSome(false, false),
  containsNone: containsSome(true, false),
  containsNotAll: containsSome(false, true),
  in: typed(['any', 'any'], (l: unknown, v: unknown) => inList(l, v)),
  indent: typed(['int', 'string'], indentLines),
  join: typed(['string', '[]string'], (sep: string, a: string[]) => a.join(sep)),
  split: typed(['string', 'string'], (sep: string, s: string) => {
    s = goTrimSpace(s);
    return goStrings(s === '' ? [] : goSplit(s, sep));
  }),
  trim: typed(['string', 'string'], (cutset: string, s: string) => goTrim(s, cutset)),
  trimPrefix: typed(['string', 'string'], (p: string, s: string) => (s.startsWith(p) ? s.slice(p.length) : s)),
  trimSuffix: typed(['string', 'string'], (p: string, s: string) => (p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s)),
  trimSpace: typed(['string'], goTrimSpace),
  toLower: typed(['string'], (s: string) => s.toLowerCase()),
  toUpper: typed(['string'], (s: string) => s.toUpperCase()),
  toTitle: typed(['string'], title),
  replaceAll: typed(['string', 'string', 'string'], (f: string, t: string, s: string) => goReplaceAll(s, f, t)),
  regexMatch: typed(['string', 'string'], (re: string, s: string) => { const r = compile(re); r.lastIndex = 0; return r.test(s); }),
  regexReplaceAll: typed(['string', 'string', 'string'], (re: string, pl: string, s: string) => replaceAll(compile(re), s, pl)),
  parseBool: typed(['string'], (s: string) => {
    if (s === '') return false;
    const v = boolWords[s];
    if (v === undefined) throw goSyntax('parseBool', s);
    return v;
  }),
  parseInt: typed(['string'], (s: string) => parseIntBase10(s, 'parseInt')),
  parseUint: typed(['string'], (s: string) => parseIntBase10(s, 'parseUint')),
  parseFloat: typed(['string'], parseFloatGo),
  parseJSON: typed(['string'], (s: string) => {
    if (s === '') return {};
    try { return toGoJSON(parseLossless(s)); } catch (e) { throw new GoError((e as Error).message); }
  }),
  toJSON: typed(['any'], (v: unknown) => jsonOf('toJSON', v, true, '')),
  toJSONPretty: typed(['any'], (v: unknown) => jsonOf('toJSONPretty', v, true, '  ')),
  toUnescapedJSON: typed(['any'], (v: unknown) => jsonOf('toUnescapedJSON', v, false, '')),
  toUnescapedJSONPretty: typed(['any'], (v: unknown) => jsonOf('toUnescapedJSONPretty', v, false, '  ')),
  toYAML: typed(['any'], (v: unknown) => {
    const y = yamlStringify(toYAMLValue(v), { sortMapEntries: true, indentSeq: false, lineWidth: 0, version: '1.1' });
    return y.trim();
  }),
  sha256Hex: typed(['string'], (s: string) => createHash('sha256').update(s, 'utf8').digest('hex')),
  md5sum: typed(['string'], (s: string) => createHash('md5').update(s, 'utf8').digest('hex')),
  timestamp: typed([], timestamp, 'string'),
  add: arith('add', (a, b) => a + b, (a, b) => a + b),
  subtract: arith('subtract', (a, b) => a - b, (a, b) => a - b),
  multiply: arith('multiply', (a, b) => a * b, (a, b) => a * b),
  divide: arith('divide', (a, b) => a / b, (a, b) => (b === 0n ? divZero() : a / b)),
  modulo: arith('modulo', (a, b) => a % b, (a, b) => (b === 0n ? divZero() : a % b), false),
  minimum: pick('minimum', true),
  maximum: pick('maximum', false),
};
