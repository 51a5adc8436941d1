// Go's text/template lexer: turns the template text into items (text, delimiters, and the
// words inside actions), with Go's trim markers, comments and error texts.

import { quote } from './strconv.js';

export const T = {
  Error: 0,
  Bool: 1,
  Char: 2,
  CharConstant: 3,
  Comment: 4,
  Complex: 5,
  Assign: 6,
  Declare: 7,
  EOF: 8,
  Field: 9,
  Identifier: 10,
  LeftDelim: 11,
  LeftParen: 12,
  Number: 13,
  Pipe: 14,
  RawString: 15,
  RightDelim: 16,
  RightParen: 17,
  Space: 18,
  String: 19,
  Text: 20,
  Variable: 21,
  Keyword: 22,
  Block: 23,
  Break: 24,
  Continue: 25,
  Dot: 26,
  Define: 27,
  Else: 28,
  End: 29,
  If: 30,
  Nil: 31,
  Range: 32,
  Template: 33,
  With: 34,
} as const;
export type T = (typeof T)[keyof typeof T];

const keywords: Record<string, T> = {
  '.': T.Dot, block: T.Block, break: T.Break, continue: T.Continue, define: T.Define, else: T.Else,
  end: T.End, if: T.If, range: T.Range, nil: T.Nil, template: T.Template, with: T.With,
};

export interface Item { typ: T; pos: number; val: string; line: number }

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const alnum = /^[\p{L}\p{Nd}_]$/u;
const isAlphaNumeric = (c: string | undefined): boolean => c !== undefined && alnum.test(c);

/** fmt's %#U: U+0023 '#'. */
export function runeU(c: string): string {
  const cp = c.codePointAt(0)!;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

/** Go's %q of an item value, shortened as item.String() does past 10 bytes. */
export function describeItem(it: Item, quoteFn: (s: string) => string): string {
  if (it.typ === T.EOF) return 'EOF';
  if (it.typ === T.Error) return it.val;
  if (it.typ > T.Keyword) return `<${it.val}>`;
  if (Buffer.byteLength(it.val) > 10) return quoteFn([...it.val].slice(0, 10).join('')) + '...';
  return quoteFn(it.val);
}

export class Lexer {
  private items: Item[] = [];
  private idx = 0;
  private pos = 0;
  private start = 0;
  private parenDepth = 0;
  private done = false;
  private readonly lineStarts: number[] = [0];

  private readonly input: string;
  private readonly left: string;
  private readonly right: string;

  constructor(input: string, left = '{{', right = '}}') {
    this.input = input; this.left = left; this.right = right;
    for (let i = 0; i < input.length; i++) if (input[i] === '\n') this.lineStarts.push(i + 1);
    this.run();
  }

  /** 1-based line of a position. */
  lineAt(pos: number): number {
    let lo = 0, hi = this.lineStarts.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (this.lineStarts[mid]! <= pos) lo = mid; else hi = mid - 1; }
    return lo + 1;
  }

  nextItem(): Item {
    const it = this.items[this.idx];
    if (it) { this.idx++; return it; }
    const last = this.items[this.items.length - 1];
    return { typ: T.EOF, pos: this.input.length, val: 'EOF', line: last ? last.line : 1 };
  }

  private emit(typ: T): void {
    this.items.push({ typ, pos: this.start, val: this.input.slice(this.start, this.pos), line: this.lineAt(this.start) });
    this.start = this.pos;
  }

  private errorf(msg: string): void {
    this.items.push({ typ: T.Error, pos: this.start, val: msg, line: this.lineAt(this.start) });
    this.done = true;
  }

  private peekc(): string | undefined { return this.input[this.pos]; }
  private nextc(): string | undefined {
    if (this.pos >= this.input.length) { this.pos++; return undefined; }
    const cp = this.input.codePointAt(this.pos)!;
    const c = String.fromCodePoint(cp);
    this.pos += c.length;
    return c;
  }
  private backup(c: string | undefined): void { this.pos -= c === undefined ? 1 : c.length; }

  private hasLeftTrim(at: number): boolean { return this.input[at] === '-' && isSpace(this.input[at + 1]); }
  private hasRightTrim(at: number): boolean { return isSpace(this.input[at]) && this.input[at + 1] === '-'; }

  private atRightDelim(): { delim: boolean; trim: boolean } {
    if (this.hasRightTrim(this.pos) && this.input.startsWith(this.right, this.pos + 2)) return { delim: true, trim: true };
    if (this.input.startsWith(this.right, this.pos)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  }

  private skipSpaceForward(): void { while (isSpace(this.input[this.pos])) this.pos++; }

  private run(): void {
    let inside = false;
    while (!this.done) inside = inside ? this.insideAction() : this.text();
  }

  /** Text up to the next left delimiter; returns whether an action starts. */
  private text(): boolean {
    const x = this.input.indexOf(this.left, this.pos);
    if (x < 0) {
      this.pos = this.input.length;
      if (this.pos > this.start) this.emit(T.Text);
      this.emit(T.EOF);
      this.done = true;
      return false;
    }
    let end = x;
    if (this.hasLeftTrim(x + this.left.length)) while (end > this.start && isSpace(this.input[end - 1])) end--;
    if (end > this.start) { this.pos = end; this.emit(T.Text); }
    this.pos = x + this.left.length;
    this.start = x;
    const trim = this.hasLeftTrim(this.pos);
    const after = trim ? 2 : 0;
    if (this.input.startsWith('/*', this.pos + after)) { this.pos += after; this.start = this.pos; return this.comment(); }
    this.emit(T.LeftDelim);
    this.pos += after;
    this.start = this.pos;
    this.parenDepth = 0;
    return true;
  }

  private comment(): boolean {
    const x = this.input.indexOf('*/', this.pos + 2);
    if (x < 0) { this.errorf('unclosed comment'); return false; }
    this.pos = x + 2;
    const { delim, trim } = this.atRightDelim();
    if (!delim) { this.errorf('comment ends before closing delimiter'); return false; }
    this.pos += (trim ? 2 : 0) + this.right.length;
    if (trim) this.skipSpaceForward();
    this.start = this.pos;
    return false;
  }

  private rightDelim(trim: boolean): boolean {
    if (trim) { this.pos += 2; this.start = this.pos; }
    this.pos += this.right.length;
    this.emit(T.RightDelim);
    if (trim) { this.skipSpaceForward(); this.start = this.pos; }
    return false;
  }

  private atTerminator(): boolean {
    const c = this.peekc();
    if (c === undefined || isSpace(c)) return true;
    if ('.,|:()'.includes(c)) return true;
    return this.input.startsWith(this.right, this.pos);
  }

  private insideAction(): boolean {
    const { delim, trim } = this.atRightDelim();
    if (delim) {
      if (this.parenDepth === 0) return this.rightDelim(trim);
      this.errorf('unclosed left paren');
      return false;
    }
    const c = this.nextc();
    if (c === undefined) { this.pos--; this.errorf('unclosed action'); return false; }
    if (isSpace(c)) { this.backup(c); this.space(); return true; }
    switch (c) {
      case '=': this.emit(T.Assign); return true;
      case ':':
        if (this.nextc() !== '=') { this.errorf('expected :='); return false; }
        this.emit(T.Declare); return true;
      case '|': this.emit(T.Pipe); return true;
      case '"': this.quoted('"', 'unterminated quoted string', T.String); return true;
      case '`': this.raw(); return true;
      case "'": this.quoted("'", 'unterminated character constant', T.CharConstant); return true;
      case '$': this.fieldOrVariable(T.Variable); return true;
      case '(': this.parenDepth++; this.emit(T.LeftParen); return true;
      case ')':
        this.parenDepth--;
        if (this.parenDepth < 0) { this.errorf('unexpected right paren'); return false; }
        this.emit(T.RightParen); return true;
    }
    if (c === '.') {
      const n = this.input[this.pos];
      if (n === undefined || n < '0' || n > '9') { this.fieldOrVariable(T.Field); return true; }
    }
    if (c === '.' || c === '+' || c === '-' || (c >= '0' && c <= '9')) { this.backup(c); this.number(); return true; }
    if (isAlphaNumeric(c)) { this.backup(c); this.identifier(); return true; }
    const cp = c.codePointAt(0)!;
    if (cp < 0x80 && cp >= 0x20 && cp < 0x7f) { this.emit(T.Char); return true; }
    this.errorf(`unrecognized character in action: ${runeU(c)}`);
    return false;
  }

  private space(): void {
    let n = 0;
    while (isSpace(this.peekc())) { this.pos++; n++; }
    if (this.hasRightTrim(this.pos - 1) && this.input.startsWith(this.right, this.pos - 1 + 2)) {
      this.pos--;
      if (n === 1) return;
    }
    this.emit(T.Space);
  }

  private identifier(): void {
    let c: string | undefined;
    for (;;) { c = this.nextc(); if (!isAlphaNumeric(c)) { this.backup(c); break; } }
    if (!this.atTerminator()) { this.errorf(`bad character ${runeU(this.peekChar())}`); return; }
    const word = this.input.slice(this.start, this.pos);
    const kw = keywords[word];
    if (kw !== undefined) this.emit(kw);
    else if (word === 'true' || word === 'false') this.emit(T.Bool);
    else this.emit(T.Identifier);
  }

  private peekChar(): string { return String.fromCodePoint(this.input.codePointAt(this.pos) ?? 0xfffd); }

  private fieldOrVariable(typ: T): void {
    if (this.atTerminator()) { this.emit(typ === T.Variable ? T.Variable : T.Dot); return; }
    let c: string | undefined;
    for (;;) { c = this.nextc(); if (!isAlphaNumeric(c)) { this.backup(c); break; } }
    if (!this.atTerminator()) { this.errorf(`bad character ${runeU(this.peekChar())}`); return; }
    this.emit(typ);
  }

  private quoted(q: string, unterminated: string, typ: T): void {
    for (;;) {
      let c = this.nextc();
      if (c === '\\') { c = this.nextc(); if (c !== undefined && c !== '\n') continue; }
      if (c === undefined || c === '\n') { if (c === undefined) this.pos--; this.errorf(unterminated); return; }
      if (c === q) break;
    }
    this.emit(typ);
  }

  private raw(): void {
    const x = this.input.indexOf('`', this.pos);
    if (x < 0) { this.pos = this.input.length; this.errorf('unterminated raw quoted string'); return; }
    this.pos = x + 1;
    this.emit(T.RawString);
  }

  private accept(valid: string): boolean {
    const c = this.input[this.pos];
    if (c !== undefined && valid.includes(c)) { this.pos++; return true; }
    return false;
  }
  private acceptRun(valid: string): void { while (this.accept(valid)) { /* absorb */ } }

  private scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) { this.accept('+-'); this.acceptRun('0123456789_'); }
    if (digits.length === 23 && this.accept('pP')) { this.accept('+-'); this.acceptRun('0123456789_'); }
    this.accept('i');
    if (isAlphaNumeric(this.input[this.pos])) { this.nextc(); return false; }
    return true;
  }

  private number(): void {
    const bad = (): void => this.errorf(`bad number syntax: ${quote(this.input.slice(this.start, this.pos))}`);
    if (!this.scanNumber()) { bad(); return; }
    const sign = this.input[this.pos];
    if (sign === '+' || sign === '-') {
      if (!this.scanNumber() || this.input[this.pos - 1] !== 'i') { bad(); return; }
      this.emit(T.Complex);
      return;
    }
    this.emit(T.Number);
  }
}
