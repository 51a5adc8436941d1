// Go's strconv, the parts fmt, JSON and the template functions need: float formatting with
// Go's rounding (exact decimal, ties to even) and exponent style, and Go string quoting.

interface Decimal { d: string; dp: number } // value = 0.d × 10^dp, no trailing zeros

/** The exact decimal expansion of a finite double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(x));
  const hi = buf.getUint32(0), lo = buf.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074; else { mant |= 1n << 52n; e = bexp - 1075; }
  let digits: string, point: number;
  if (e >= 0) { digits = (mant << BigInt(e)).toString(); point = digits.length; }
  else { digits = (mant * 5n ** BigInt(-e)).toString(); point = digits.length + e; }
  return trimDecimal(digits, point);
}

function trimDecimal(digits: string, dp: number): Decimal {
  let i = 0;
  while (i < digits.length && digits[i] === '0') { i++; dp--; }
  digits = digits.slice(i).replace(/0+$/, '');
  return { d: digits, dp: digits === '' ? 0 : dp };
}

/** The shortest decimal that reads back as x (JS and Go agree on it). */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const [m, ex] = Math.abs(x).toExponential().split('e') as [string, string];
  const d = m.replace('.', '');
  return trimDecimal(d, Number(ex) + 1);
}

/** Rounds to nd significant digits, half to even (the decimal is exact, so ties are real). */
function roundDecimal(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return a;
  const next = a.d.charCodeAt(nd) - 48;
  let up = next > 5;
  if (next === 5) up = nd + 1 < a.d.length || (nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1);
  if (!up) return trimDecimal(a.d.slice(0, nd), a.dp);
  const digits = a.d.slice(0, nd).split('');
  let i = nd - 1;
  while (i >= 0 && digits[i] === '9') { digits[i] = '0'; i--; }
  if (i < 0) return trimDecimal('1' + digits.join(''), a.dp + 1);
  digits[i] = String.fromCharCode(digits[i]!.charCodeAt(0) + 1);
  return trimDecimal(digits.join(''), a.dp);
}

function fmtE(d: Decimal, prec: number, e: string): string {
  let s = d.d.length ? d.d[0]! : '0';
  if (prec > 0) s += '.' + d.d.slice(1, prec + 1).padEnd(prec, '0');
  let exp = d.d.length === 0 ? 0 : d.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return `${s}${e}${sign}${exp < 10 ? '0' + exp : exp}`;
}

function fmtF(d: Decimal, prec: number): string {
  let s = d.dp > 0 ? d.d.slice(0, d.dp).padEnd(d.dp, '0') : '0';
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      s += j >= 0 && j < d.d.length ? d.d[j] : '0';
    }
  }
  return s;
}

/** strconv.FormatFloat(x, fmt, prec, 64) for fmt in e E f F g G; prec -1 is shortest. */
export function formatFloat(x: number, fmt: string, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0) ? '-' : '';
  const shortest = prec < 0;
  let d: Decimal;
  const lower = fmt.toLowerCase();
  if (shortest) {
    d = shortestDecimal(x);
    prec = lower === 'e' ? Math.max(d.d.length - 1, 0) : lower === 'f' ? Math.max(d.d.length - d.dp, 0) : d.d.length;
  } else {
    const exact = exactDecimal(x);
    if (lower === 'e') d = roundDecimal(exact, prec + 1);
    else if (lower === 'f') d = exact.dp + prec < 0 ? { d: '', dp: 0 } : roundDecimal(exact, exact.dp + prec);
    else { if (prec === 0) prec = 1; d = roundDecimal(exact, prec); }
  }
  const eChar = fmt === 'E' || fmt === 'G' ? 'E' : 'e';
  if (lower === 'e') return neg + fmtE(d, prec, eChar);
  if (lower === 'f') return neg + fmtF(d, prec);
  let eprec = prec;
  if (eprec > d.d.length && d.d.length >= d.dp) eprec = d.d.length;
  if (shortest) eprec = 6;
  const exp = d.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > d.d.length) prec = d.d.length;
    return neg + fmtE(d, prec - 1, eChar);
  }
  if (prec > d.dp) prec = d.d.length;
  return neg + fmtF(d, Math.max(prec - d.dp, 0));
}

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
/** unicode.IsPrint as strconv uses it. */
export const isPrint = (ch: string): boolean => printable.test(ch);

const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0');

function escapeRune(ch: string, quote: string, asciiOnly: boolean): string {
  const r = ch.codePointAt(0)!;
  if (ch === quote || ch === '\\') return '\\' + ch;
  if (asciiOnly ? r < 0x80 && isPrint(ch) : isPrint(ch)) return ch;
  switch (ch) {
    case '\x07': return '\\a';
    case '\b': return '\\b';
    case '\f': return '\\f';
    case '\n': return '\\n';
    case '\r': return '\\r';
    case '\t': return '\\t';
    case '\v': return '\\v';
  }
  if (r < 0x20 || r === 0x7f) return '\\x' + hex(r, 2);
  if (r >= 0xd800 && r <= 0xdfff) return '\\ufffd'; // a lone surrogate is no valid rune
  if (r < 0x10000) return '\\u' + hex(r, 4);
  return '\\U' + hex(r, 8);
}

/** strconv.Quote / QuoteToASCII. */
export function quote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch, '"', asciiOnly);
  return out + '"';
}

/** strconv.QuoteRune / QuoteRuneToASCII. */
export function quoteRune(r: number, asciiOnly = false): string {
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff) || r < 0) r = 0xfffd;
  return "'" + escapeRune(String.fromCodePoint(r), "'", asciiOnly) + "'";
}

/** strconv.CanBackquote. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (ch === '`' || r === 0xfeff || (r < 0x20 && ch !== '\t') || r === 0x7f) return false;
    if (r >= 0xd800 && r <= 0xdfff) return false;
  }
  return true;
}

const simpleEscapes: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/**
 * strconv.Unquote for "…", `…` and '…' literals; returns the value (a string, or a code point
 * for a rune literal) or throws Error("invalid syntax").
 */
export function unquote(lit: string): string {
  const q = lit[0];
  if (lit.length < 2 || lit[lit.length - 1] !== q) throw new Error('invalid syntax');
  const body = lit.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new Error('invalid syntax');
    return body.replace(/\r/g, '');
  }
  if (q !== '"' && q !== "'") throw new Error('invalid syntax');
  let out = '';
  for (let i = 0; i < body.length;) {
    const c = body[i]!;
    if (c === q || c === '\n') throw new Error('invalid syntax');
    if (c !== '\\') { const cp = body.codePointAt(i)!; const ch = String.fromCodePoint(cp); out += ch; i += ch.length; continue; }
    const e = body[i + 1];
    if (e === undefined) throw new Error('invalid syntax');
    if (e in simpleEscapes) { out += simpleEscapes[e]; i += 2; continue; }
    if (e === q) { out += e; i += 2; continue; }
    const widths: Record<string, number> = { x: 2, u: 4, U: 8 };
    if (e in widths) {
      const w = widths[e]!;
      const h = body.slice(i + 2, i + 2 + w);
      if (!new RegExp(`^[0-9a-fA-F]{${w}}$`).test(h)) throw new Error('invalid syntax');
      const v = parseInt(h, 16);
      if (e === 'x') {
        if (q === "'") out += String.fromCodePoint(v);
        else out += Buffer.from([v]).toString('latin1'); // a raw byte; kept as its code unit
      } else {
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new Error('invalid syntax');
        out += String.fromCodePoint(v);
      }
      i += 2 + w; continue;
    }
    if (e >= '0' && e <= '7') {
      const o = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(o)) throw new Error('invalid syntax');
      const v = parseInt(o, 8);
      if (v > 255) throw new Error('invalid syntax');
      out += String.fromCharCode(v);
      i += 4; continue;
    }
    throw new Error('invalid syntax');
  }
  if (q === "'" && [...out].length !== 1) throw new Error('invalid syntax');
  return out;
}
