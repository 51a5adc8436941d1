// Go's encoding/json Marshal / MarshalIndent for template values: sorted map keys, Go's string
// escaping (<, > and & as \u003c \u003e \u0026 unless HTML escaping is off), Go's float text.
import { formatFloat } from './strconv.js';
import { GoError } from './signature.js';
import { GoStruct, isMap, kindOf, num, sortedKeys, str, typeName, unbox } from './values.js';
import { isLosslessNumber } from 'lossless-json';

const hex = '0123456789abcdef';

export function quoteJSON(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
    }
    if (c < 0x20 || (escapeHTML && (ch === '<' || ch === '>' || ch === '&'))) {
      out += '\\u00' + hex[c >> 4] + hex[c & 0xf];
    } else if (c === 0x2028 || c === 0x2029) {
      out += '\\u202' + hex[c & 0xf];
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += '\\ufffd'; // a lone surrogate is invalid UTF-8 to Go
    } else {
      out += ch;
    }
  }
  return out + '"';
}

function floatJSON(f: number): string {
  if (!Number.isFinite(f)) throw new GoError(`json: unsupported value: ${formatFloat(f, 'g', -1)}`);
  const abs = Math.abs(f);
  let fmt = 'f';
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) fmt = 'e';
  let s = formatFloat(f, fmt, -1);
  if (fmt === 'e') s = s.replace(/e([+-])0(\d)$/, 'e$1$2');
  return s;
}

const numberLiteral = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** json.Marshal (indent "") or json.MarshalIndent(v, "", indent). */
export function marshal(v: unknown, escapeHTML: boolean, indent = ''): string {
  const enc = (x: unknown, depth: number): string => {
    x = unbox(x);
    const nl = indent ? '\n' + indent.repeat(depth + 1) : '';
    const close = indent ? '\n' + indent.repeat(depth) : '';
    const sep = indent ? ': ' : ':';
    if (x === undefined || x === null) return 'null';
    if (isLosslessNumber(x)) {
      const t = x.value === '' ? '0' : x.value;
      if (!numberLiteral.test(t)) throw new GoError(`json: invalid number literal ${quoteJSON(t, false)}`);
      return t;
    }
    switch (kindOf(x)) {
      case 'bool': return x ? 'true' : 'false';
      case 'int': return String(x);
      case 'float': return floatJSON(num(x));
      case 'string': return quoteJSON(str(x), escapeHTML);
      case 'slice': {
        const a = x as unknown[];
        if (a.length === 0) return '[]';
        return '[' + a.map((e) => nl + enc(e, depth + 1)).join(',') + close + ']';
      }
      case 'map': {
        if (!isMap(x)) break;
        const keys = sortedKeys(x);
        if (keys.length === 0) return '{}';
        return '{' + keys.map((k) => nl + quoteJSON(k, escapeHTML) + sep + enc(x[k], depth + 1)).join(',') + close + '}';
      }
      case 'struct': case 'ptr': {
        const s = x as GoStruct;
        if (s.isNil) return 'null';
        if (s.fieldNames.length === 0) return '{}';
        return '{' + s.fieldNames.map((k) => nl + quoteJSON(k, escapeHTML) + sep + enc(s.fields![k], depth + 1)).join(',') + close + '}';
      }
    }
    throw new GoError(`json: unsupported type: ${typeName(x)}`);
  };
  return enc(v, 0);
}
