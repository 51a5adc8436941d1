// Go's fmt: Sprint, Sprintln, Sprintf with the verbs, flags, width and precision templates use,
// and Go's printing of maps (sorted keys), slices, structs and nil.
import { canBackquote, formatFloat, quote, quoteRune } from './strconv.js';
import { GoStruct, isMap, kindOf, num, sortedKeys, str, typeName, unbox } from './values.js';

interface Flags {
  plus: boolean; minus: boolean; sharp: boolean; space: boolean; zero: boolean;
  plusV: boolean; sharpV: boolean;
  wid: number; widPresent: boolean; prec: number; precPresent: boolean;
}

const noFlags = (): Flags => ({
  plus: false, minus: false, sharp: false, space: false, zero: false, plusV: false, sharpV: false,
  wid: 0, widPresent: false, prec: 0, precPresent: false,
});

const runeCount = (s: string): number => { let n = 0; for (const _ of s) n++; return n; };

class Printer {
  buf = '';
  f: Flags = noFlags();

  private padding(n: number): string {
    return n > 0 ? (this.f.zero ? '0' : ' ').repeat(n) : '';
  }

  pad(s: string): void {
    if (!this.f.widPresent || this.f.wid === 0) { this.buf += s; return; }
    const w = this.f.wid - runeCount(s);
    if (!this.f.minus) this.buf += this.padding(w) + s;
    else this.buf += s + (w > 0 ? ' '.repeat(w) : '');
  }

  private noZero(fn: () => void): void {
    const z = this.f.zero; this.f.zero = false; fn(); this.f.zero = z;
  }

  fmtInteger(v: bigint, base: number, verb: string, upper: boolean): void {
    const f = this.f;
    const negative = v < 0n;
    let u = negative ? -v : v;
    let prec = 0;
    if (f.precPresent) {
      prec = f.prec;
      if (prec === 0 && u === 0n) { this.noZero(() => { this.buf += this.padding(f.wid); }); return; }
    } else if (f.zero && f.widPresent) {
      prec = f.wid;
      if (negative || f.plus || f.space) prec--;
    }
    let digits = u.toString(base);
    if (upper) digits = digits.toUpperCase();
    digits = digits.padStart(prec, '0');
    if (f.sharp) {
      if (base === 2) digits = '0b' + digits;
      else if (base === 8 && digits[0] !== '0') digits = '0' + digits;
      else if (base === 16) digits = (upper ? '0X' : '0x') + digits;
    }
    if (verb === 'O') digits = '0o' + digits;
    if (negative) digits = '-' + digits;
    else if (f.plus) digits = '+' + digits;
    else if (f.space) digits = ' ' + digits;
    u = 0n;
    this.noZero(() => this.pad(digits));
  }

  fmtFloat(v: number, verb: string, prec: number): void {
    const f = this.f;
    if (f.precPresent) prec = f.prec;
    let n = formatFloat(v, verb, prec);
    if (n[0] !== '-' && n[0] !== '+') n = '+' + n;
    if (f.space && n[0] === '+' && !f.plus) n = ' ' + n.slice(1);
    if (n[1] === 'I' || n[1] === 'N') {
      if (n[1] === 'N' && !f.space && !f.plus) n = n.slice(1);
      this.noZero(() => this.pad(n));
      return;
    }
    if (f.sharp && verb !== 'b') n = sharpFloat(n, verb, prec);
    if (f.plus || n[0] !== '+') {
      if (f.zero && f.widPresent && f.wid > n.length) {
        this.buf += n[0] + '0'.repeat(f.wid - n.length) + n.slice(1);
        return;
      }
      this.pad(n);
      return;
    }
    this.pad(n.slice(1));
  }

  truncate(s: string): string {
    if (!this.f.precPresent) return s;
    const chars = [...s];
    return chars.length > this.f.prec ? chars.slice(0, this.f.prec).join('') : s;
  }

  fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) { this.pad('`' + s + '`'); return; }
    this.pad(quote(s, this.f.plus));
  }

  fmtSx(s: string, upper: boolean): void {
    let bytes = Buffer.from(s);
    if (this.f.precPresent && this.f.prec < bytes.length) bytes = bytes.subarray(0, this.f.prec);
    const parts: string[] = [];
    for (let i = 0; i < bytes.length; i++) {
      let h = bytes[i]!.toString(16).padStart(2, '0');
      if (upper) h = h.toUpperCase();
      if (this.f.sharp && (this.f.space || i === 0)) h = (upper ? '0X' : '0x') + h;
      parts.push(h);
    }
    this.pad(parts.join(this.f.space ? ' ' : ''));
  }

  badVerb(verb: string, arg: unknown): void {
    this.buf += '%!' + verb + '(';
    if (arg === null || arg === undefined) this.buf += '<nil>';
    else { this.buf += typeName(arg) + '='; this.printArg(arg, 'v', 0); }
    this.buf += ')';
  }

  printArg(arg: unknown, verb: string, depth: number): void {
    arg = unbox(arg);
    if (arg === null || arg === undefined) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>'); else this.badVerb(verb, arg);
      return;
    }
    if (verb === 'T') { this.pad(typeName(arg)); return; }
    switch (kindOf(arg)) {
      case 'bool':
        if (verb === 't' || verb === 'v') this.pad(arg ? 'true' : 'false'); else this.badVerb(verb, arg);
        return;
      case 'int': this.printInt(BigInt(arg as number | bigint), verb, arg); return;
      case 'float': this.printFloat(num(arg), verb, arg); return;
      case 'string': this.printString(str(arg), verb, arg); return;
      case 'slice': {
        const a = arg as unknown[];
        if (this.f.sharpV) { this.buf += typeName(a) + '{'; a.forEach((e, i) => { if (i) this.buf += ', '; this.printArg(e, verb, depth + 1); }); this.buf += '}'; return; }
        this.buf += '[';
        a.forEach((e, i) => { if (i) this.buf += ' '; this.printArg(e, verb, depth + 1); });
        this.buf += ']';
        return;
      }
      case 'map': {
        const m = arg as Record<string, unknown>;
        if (!isMap(m)) { this.badVerb(verb, arg); return; }
        const keys = sortedKeys(m);
        if (this.f.sharpV) {
          this.buf += typeName(m) + '{';
          keys.forEach((k, i) => { if (i) this.buf += ', '; this.printArg(k, verb, depth + 1); this.buf += ':'; this.printArg(m[k], verb, depth + 1); });
          this.buf += '}';
          return;
        }
        this.buf += 'map[';
        keys.forEach((k, i) => { if (i) this.buf += ' '; this.printArg(k, verb, depth + 1); this.buf += ':'; this.printArg(m[k], verb, depth + 1); });
        this.buf += ']';
        return;
      }
      case 'struct': case 'ptr': this.printStruct(arg as GoStruct, verb, depth); return;
      default: this.badVerb(verb, arg);
    }
  }

  private printStruct(s: GoStruct, verb: string, depth: number): void {
    if (s.isNil) {
      if (verb === 'v' || verb === 's') this.pad(this.f.sharpV ? `(${s.typeName})(nil)` : '<nil>'); else this.badVerb(verb, s);
      return;
    }
    if (s.isPointer) {
      // Go prints the address of a pointer below the top level; no address exists here.
      if (depth > 0) { this.pad('0xc000010000'); return; }
      this.buf += '&';
    }
    this.buf += this.f.sharpV ? s.typeName.replace(/^\*/, '') + '{' : '{';
    s.fieldNames.forEach((name, i) => {
      if (i) this.buf += this.f.sharpV ? ', ' : ' ';
      if (this.f.plusV || this.f.sharpV) this.buf += name + ':';
      this.printArg(s.fields![name] ?? null, verb, depth + 1);
    });
    this.buf += '}';
  }

  private printInt(v: bigint, verb: string, arg: unknown): void {
    switch (verb) {
      case 'v': case 'd': this.fmtInteger(v, 10, verb, false); return;
      case 'b': this.fmtInteger(v, 2, verb, false); return;
      case 'o': case 'O': this.fmtInteger(v, 8, verb, false); return;
      case 'x': this.fmtInteger(v, 16, verb, false); return;
      case 'X': this.fmtInteger(v, 16, verb, true); return;
      case 'c': this.pad(codePoint(v)); return;
      case 'q': this.pad(quoteRune(Number(v), this.f.plus)); return;
      case 'U': {
        let s = 'U+' + (v < 0n ? 0n : v).toString(16).toUpperCase().padStart(this.f.precPresent ? this.f.prec : 4, '0');
        if (this.f.sharp && v >= 0n && v <= 0x10ffffn) s += " '" + String.fromCodePoint(Number(v)) + "'";
        this.noZero(() => this.pad(s));
        return;
      }
      default: this.badVerb(verb, arg);
    }
  }

  private printFloat(v: number, verb: string, arg: unknown): void {
    switch (verb) {
      case 'v': this.fmtFloat(v, 'g', -1); return;
      case 'g': case 'G': this.fmtFloat(v, verb, -1); return;
      case 'f': case 'F': this.fmtFloat(v, 'f', 6); return;
      case 'e': case 'E': this.fmtFloat(v, verb, 6); return;
      default: this.badVerb(verb, arg);
    }
  }

  private printString(s: string, verb: string, arg: unknown): void {
    switch (verb) {
      case 'v': if (this.f.sharpV) { this.fmtQ(s); return; } this.pad(this.truncate(s)); return;
      case 's': this.pad(this.truncate(s)); return;
      case 'q': this.fmtQ(s); return;
      case 'x': this.fmtSx(s, false); return;
      case 'X': this.fmtSx(s, true); return;
      default: this.badVerb(verb, arg);
    }
  }
}

function codePoint(v: bigint): string {
  const n = Number(v);
  return n >= 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : '\ufffd';
}

// %#g and friends keep the decimal point (and %#g its trailing zeros).
function sharpFloat(n: string, verb: string, prec: number): string {
  const eIdx = n.search(/[eE]/);
  const mant = eIdx < 0 ? n : n.slice(0, eIdx);
  const tail = eIdx < 0 ? '' : n.slice(eIdx);
  let out = mant.includes('.') ? mant : mant + '.';
  if (verb === 'g' || verb === 'G') {
    const want = prec < 0 ? 6 : prec === 0 ? 1 : prec;
    const digits = out.replace(/[^0-9]/g, '').replace(/^0+/, '').length || 1;
    if (digits < want) out += '0'.repeat(want - digits);
  }
  return out + tail;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  const p = new Printer();
  args.forEach((a, i) => {
    const isStr = kindOf(a) === 'string';
    const prevStr = i > 0 && kindOf(args[i - 1]) === 'string';
    if (i > 0 && !isStr && !prevStr) p.buf += ' ';
    p.printArg(a, 'v', 0);
  });
  return p.buf;
}

/** fmt.Sprintln: always spaces, then a newline. */
export function sprintln(args: readonly unknown[]): string {
  const p = new Printer();
  args.forEach((a, i) => { if (i) p.buf += ' '; p.printArg(a, 'v', 0); });
  return p.buf + '\n';
}

/** fmt.Sprint of one value (%v). */
export const formatValue = (v: unknown): string => sprint([v]);

function parseNum(s: string, i: number): { n: number; ok: boolean; i: number } {
  let n = 0, ok = false;
  while (i < s.length && s[i]! >= '0' && s[i]! <= '9') { n = n * 10 + (s.charCodeAt(i) - 48); ok = true; i++; if (n > 1e6) return { n: 0, ok: false, i }; }
  return { n, ok, i };
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  const p = new Printer();
  let argNum = 0, reordered = false, goodArgNum = true;
  const end = format.length;
  const argIndex = (i: number): number => {
    // "[n]" selects argument n (1-based) for what follows.
    if (format[i] !== '[') return i;
    reordered = true;
    const close = format.indexOf(']', i);
    const r = close < 0 ? { ok: false, n: 0, i: 0 } : parseNum(format, i + 1);
    if (close < 0 || !r.ok || r.i !== close || r.n < 1 || r.n > args.length) { goodArgNum = false; return close < 0 ? end : close + 1; }
    argNum = r.n - 1;
    return close + 1;
  };
  const intArg = (): { n: number; ok: boolean } => {
    if (argNum >= args.length) return { n: 0, ok: false };
    const a = unbox(args[argNum++]);
    if (kindOf(a) !== 'int') return { n: 0, ok: false };
    const n = num(a);
    return Math.abs(n) > 1e6 ? { n: 0, ok: false } : { n, ok: true };
  };
  let i = 0;
  while (i < end) {
    goodArgNum = true;
    const pct = format.indexOf('%', i);
    if (pct < 0) { p.buf += format.slice(i); break; }
    p.buf += format.slice(i, pct);
    i = pct + 1;
    p.f = noFlags();
    const f = p.f;
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#': f.sharp = true; break;
        case '0': f.zero = !f.minus; break;
        case '+': f.plus = true; break;
        case '-': f.minus = true; f.zero = false; break;
        case ' ': f.space = true; break;
        default: break flags;
      }
    }
    i = argIndex(i);
    if (i < end && format[i] === '*') {
      i++;
      const r = intArg();
      f.wid = r.n; f.widPresent = r.ok;
      if (!r.ok) p.buf += '%!(BADWIDTH)';
      if (f.wid < 0) { f.wid = -f.wid; f.minus = true; f.zero = false; }
    } else {
      const r = parseNum(format, i);
      f.wid = r.n; f.widPresent = r.ok; i = r.i;
    }
    if (i + 1 <= end && format[i] === '.') {
      i++;
      i = argIndex(i);
      if (i < end && format[i] === '*') {
        i++;
        const r = intArg();
        f.prec = r.n; f.precPresent = r.ok;
        if (f.prec < 0) { f.prec = 0; f.precPresent = false; }
        if (!r.ok) p.buf += '%!(BADPREC)';
      } else {
        const r = parseNum(format, i);
        f.prec = r.n; f.precPresent = true; i = r.i;
      }
    }
    i = argIndex(i);
    if (i >= end) { p.buf += '%!(NOVERB)'; break; }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') { p.buf += '%'; continue; }
    if (!goodArgNum) { p.buf += '%!' + verb + '(BADINDEX)'; continue; }
    if (argNum >= args.length) { p.buf += '%!' + verb + '(MISSING)'; continue; }
    if (verb === 'w') { p.buf += '%!w('; p.f = noFlags(); p.buf += typeName(args[argNum]) + '='; p.printArg(args[argNum++], 'v', 0); p.buf += ')'; continue; }
    if (verb === 'v') {
      if (f.sharp) { f.sharp = false; f.sharpV = true; }
      if (f.plus) { f.plus = false; f.plusV = true; }
    }
    p.printArg(args[argNum++], verb, 0);
  }
  if (!reordered && argNum < args.length) {
    p.f = noFlags();
    p.buf += '%!(EXTRA ';
    args.slice(argNum).forEach((a, k) => {
      if (k) p.buf += ', ';
      if (a === null || a === undefined) p.buf += '<nil>';
      else { p.buf += typeName(a) + '='; p.printArg(a, 'v', 0); }
    });
    p.buf += ')';
  }
  return p.buf;
}
