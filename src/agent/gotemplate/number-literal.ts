// Go's number literals in actions: a lexer item to a NumberNode, with strconv's parsing rules.
import { type Item, T } from './lexer.js';
import type { NumberNode, Tree } from './nodes.js';
import { quote, unquote } from './strconv.js';

/** The NumberNode for a number or character item; `fail` reports Go's parse error. */
export function numberNode(t: Item, tree: Tree, fail: (msg: string) => never): NumberNode {
  const n: NumberNode = { type: 'number', pos: t.pos, tree, text: t.val, isInt: false, isUint: false, isFloat: false, int: 0n, float: 0 };
  if (t.typ === T.CharConstant) {
    let s: string;
    try { s = unquote(t.val); } catch { fail(t.val === "''" ? 'invalid syntax' : `malformed character constant: ${t.val}`); }
    const r = BigInt(s.codePointAt(0)!);
    Object.assign(n, { isInt: true, isUint: true, isFloat: true, int: r, float: Number(r) });
    return n;
  }
  if (t.typ === T.Complex || t.val.endsWith('i')) fail(`complex numbers are not supported: ${t.val}`);
  const i = parseGoInt(t.val);
  if (i !== null) {
    n.isInt = i >= -(2n ** 63n) && i < 2n ** 63n;
    n.isUint = i >= 0n && i < 2n ** 64n;
    if (n.isInt || n.isUint) { n.int = i; n.isFloat = true; n.float = Number(i); }
  }
  if (!n.isInt && !n.isUint) {
    const f = parseGoFloat(t.val);
    if (f !== null) {
      if (!/[.eEpP]/.test(t.val)) fail(`integer overflow: ${quote(t.val)}`);
      n.isFloat = true;
      n.float = f;
      if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) { n.isInt = true; n.int = BigInt(f); }
      if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) n.isUint = true;
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat) fail(`illegal number syntax: ${quote(t.val)}`);
  return n;
}

/** strconv.ParseInt(s, 0, …) without the range check: base prefixes, leading-0 octal, `_`. */
export function parseGoInt(s: string): bigint | null {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s);
  if (!m) return null;
  let body = m[2]!;
  if (body.includes('_') && !underscoreOK(body)) return null;
  body = body.replace(/_/g, '');
  let v: bigint;
  if (/^0[oO]/.test(body)) v = BigInt('0o' + body.slice(2));
  else if (/^0[xXbB]/.test(body)) v = BigInt(body.toLowerCase());
  else if (body.length > 1 && body[0] === '0') v = BigInt('0o' + body.slice(1));
  else v = BigInt(body);
  return m[1] === '-' ? -v : v;
}

// Go's rule: underscores only between digits or after a base prefix.
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  const hexBase = /^0[xXbBoO]/.test(s);
  if (s.length >= 2 && s[0] === '0') { i = hexBase ? 2 : 1; saw = '0'; }
  if (!hexBase && s[0] !== '0') saw = '^';
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (c === '_') { if (saw !== '0') return false; saw = '_'; } else saw = '0';
  }
  return saw !== '_';
}

/** strconv.ParseFloat for decimal and hex floats. */
export function parseGoFloat(s: string): number | null {
  let t = s;
  if (t.includes('_')) {
    // Go allows "_" only between digits (or after a base prefix).
    if (/__|_$|^[+-]?_|_[.eEpP]|[.eEpP]_/.test(t.replace(/^([+-]?0[xX])_/, '$1'))) return null;
    t = t.replace(/_/g, '');
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
    const v = Number(t);
    return Number.isFinite(v) ? v : null; // out of range is a syntax error to the parser
  }
  const h = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(t);
  if (h && (h[2] || h[3])) {
    const mant = parseInt((h[2] || '0') + (h[3] || ''), 16) / 16 ** (h[3] ?? '').length;
    const v = mant * 2 ** Number(h[4]);
    return h[1] === '-' ? -v : v;
  }
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t[0] === '-' ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  return null;
}
