// HCL1 tokens. HCL1 (the language Vault still reads policies and config files with) differs
// from HCL2 in small ways people rely on: a block's `{` may sit on the next line, `=` before
// an object is optional, items may share a line, and lists take trailing commas.
import { Hcl1Error, type Position } from './error.js';

export type TokenType =
  | 'ident' | 'string' | 'heredoc' | 'number' | 'float' | 'bool'
  | '=' | ',' | '{' | '}' | '[' | ']' | 'eof';

export type Token = {
  type: TokenType;
  /** The decoded value: string text, number, or boolean; the symbol for punctuation. */
  value: string | number | boolean;
  pos: Position;
};

// ASCII first: the Unicode test is only for the rare non-ASCII identifier.
const isLetter = (c: string) =>
  (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || (c > '\x7f' && /^\p{L}$/u.test(c));
const isDigit = (c: string) => c >= '0' && c <= '9';
const isHexDigit = (c: string) => /^[0-9a-fA-F]$/.test(c);
const SIMPLE: Readonly<Record<string, TokenType>> = { '=': '=', ',': ',', '{': '{', '}': '}', '[': '[', ']': ']' };
const ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"',
};

/** Splits HCL1 text into tokens; comments and whitespace are dropped. */
export function tokenize(text: string): Token[] {
  return new Lexer(text).all();
}

class Lexer {
  private offset = 0;
  private line = 1;
  private column = 1;
  private readonly text: string;

  constructor(text: string) {
    // A byte-order mark is not content.
    this.text = text.startsWith('\uFEFF') ? text.slice(1) : text;
  }

  all(): Token[] {
    const tokens: Token[] = [];
    for (;;) {
      const token = this.next();
      tokens.push(token);
      if (token.type === 'eof') return tokens;
    }
  }

  private peek(ahead = 0): string {
    return this.text[this.offset + ahead] ?? '';
  }

  private here(): Position {
    return { line: this.line, column: this.column };
  }

  private advance(): string {
    const c = this.text[this.offset++] ?? '';
    if (c === '\n') {
      this.line++;
      this.column = 1;
    } else {
      this.column++;
    }
    return c;
  }

  private next(): Token {
    this.skipSpaceAndComments();
    const pos = this.here();
    const c = this.peek();
    if (c === '') return { type: 'eof', value: '', pos };
    const simple = SIMPLE[c];
    if (simple !== undefined) {
      this.advance();
      return { type: simple, value: c, pos };
    }
    if (c === '"') return { type: 'string', value: this.quoted(pos), pos };
    if (c === '<' && this.peek(1) === '<') return { type: 'heredoc', value: this.heredoc(pos), pos };
    if (isDigit(c) || (c === '-' && isDigit(this.peek(1)))) return this.number(pos);
    if (isLetter(c)) {
      const word = this.identifier();
      if (word === 'true' || word === 'false') return { type: 'bool', value: word === 'true', pos };
      return { type: 'ident', value: word, pos };
    }
    throw new Hcl1Error(pos, `illegal character ${JSON.stringify(c)}`);
  }

  private skipSpaceAndComments(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        this.advance();
      } else if (c === '#' || (c === '/' && this.peek(1) === '/')) {
        while (this.peek() !== '' && this.peek() !== '\n') this.advance();
      } else if (c === '/' && this.peek(1) === '*') {
        const start = this.here();
        this.advance();
        this.advance();
        while (!(this.peek() === '*' && this.peek(1) === '/')) {
          if (this.peek() === '') throw new Hcl1Error(start, 'comment not terminated');
          this.advance();
        }
        this.advance();
        this.advance();
      } else if (c === '/') {
        throw new Hcl1Error(this.here(), 'expected "/" or "*" after "/" to start a comment');
      } else {
        return;
      }
    }
  }

  private identifier(): string {
    let word = '';
    while (isLetter(this.peek()) || isDigit(this.peek()) || this.peek() === '-' || this.peek() === '.') {
      word += this.advance();
    }
    return word;
  }

  private number(pos: Position): Token {
    const start = this.offset;
    if (this.peek() === '-') this.advance();
    if (this.peek() === '0' && (this.peek(1) === 'x' || this.peek(1) === 'X')) {
      this.advance();
      this.advance();
      if (!isHexDigit(this.peek())) throw new Hcl1Error(pos, 'illegal hexadecimal number');
      while (isHexDigit(this.peek())) this.advance();
      return { type: 'number', value: this.integer(this.text.slice(start, this.offset), pos), pos };
    }
    let float = false;
    while (isDigit(this.peek())) this.advance();
    if (this.peek() === '.' && isDigit(this.peek(1))) {
      float = true;
      this.advance();
      while (isDigit(this.peek())) this.advance();
    }
    if (this.peek() === 'e' || this.peek() === 'E') {
      float = true;
      this.advance();
      if (this.peek() === '+' || this.peek() === '-') this.advance();
      if (!isDigit(this.peek())) throw new Hcl1Error(pos, 'illegal exponent in number');
      while (isDigit(this.peek())) this.advance();
    }
    const literal = this.text.slice(start, this.offset);
    if (isLetter(this.peek())) throw new Hcl1Error(pos, `illegal number ${JSON.stringify(literal + this.peek())}`);
    if (float) return { type: 'float', value: Number(literal), pos };
    return { type: 'number', value: this.integer(literal, pos), pos };
  }

  /** Integers as HCL1 reads them: 0x… is hexadecimal and a leading 0 means octal. */
  private integer(literal: string, pos: Position): number {
    const negative = literal.startsWith('-');
    const digits = negative ? literal.slice(1) : literal;
    let value: number;
    if (/^0[xX]/.test(digits)) value = parseInt(digits.slice(2), 16);
    else if (digits.length > 1 && digits.startsWith('0')) {
      if (!/^[0-7]+$/.test(digits)) throw new Hcl1Error(pos, `illegal octal number ${JSON.stringify(literal)}`);
      value = parseInt(digits, 8);
    } else value = parseInt(digits, 10);
    return negative ? -value : value;
  }

  /** A "…" string. `${…}` is kept as written (HCL1 leaves interpolation to its caller). */
  private quoted(pos: Position): string {
    this.advance();
    let out = '';
    let braces = 0; // inside ${ … } a quote does not end the string
    for (;;) {
      const c = this.peek();
      if (c === '' || c === '\n') throw new Hcl1Error(pos, 'literal not terminated');
      if (c === '"' && braces === 0) {
        this.advance();
        return out;
      }
      if (c === '\\') {
        out += this.escape();
        continue;
      }
      if (c === '$' && this.peek(1) === '{') {
        braces++;
        out += this.advance() + this.advance();
        continue;
      }
      if (braces > 0 && c === '{') braces++;
      if (braces > 0 && c === '}') braces--;
      out += this.advance();
    }
  }

  private escape(): string {
    const pos = this.here();
    this.advance();
    const c = this.advance();
    const simple = ESCAPES[c];
    if (simple !== undefined) return simple;
    const hex = (length: number) => {
      let digits = '';
      for (let i = 0; i < length; i++) {
        if (!isHexDigit(this.peek())) throw new Hcl1Error(pos, 'illegal escape sequence');
        digits += this.advance();
      }
      const code = parseInt(digits, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new Hcl1Error(pos, 'escape sequence is invalid Unicode code point');
      return String.fromCodePoint(code);
    };
    if (c === 'x') return hex(2);
    if (c === 'u') return hex(4);
    if (c === 'U') return hex(8);
    if (c >= '0' && c <= '7') {
      let digits = c;
      for (let i = 0; i < 2; i++) {
        if (!(this.peek() >= '0' && this.peek() <= '7')) throw new Hcl1Error(pos, 'illegal escape sequence');
        digits += this.advance();
      }
      const code = parseInt(digits, 8);
      if (code > 255) throw new Hcl1Error(pos, 'illegal escape sequence');
      return String.fromCharCode(code);
    }
    throw new Hcl1Error(pos, 'unknown escape sequence');
  }

  /**
   * `<<EOF … EOF` (or `<<-EOF`): the text keeps its final newline, as HCL1's does. With `-`,
   * the terminator's indentation is taken off every line, if every line has it.
   */
  private heredoc(pos: Position): string {
    this.advance();
    this.advance();
    const indented = this.peek() === '-';
    if (indented) this.advance();
    let marker = '';
    while (isLetter(this.peek()) || isDigit(this.peek())) marker += this.advance();
    if (marker === '' || !isLetter(marker[0] ?? '')) throw new Hcl1Error(pos, 'heredoc expected marker name');
    if (this.peek() === '\r') this.advance();
    if (this.peek() !== '\n') throw new Hcl1Error(pos, 'heredoc marker must be followed by a newline');
    this.advance();
    const lines: string[] = [];
    for (;;) {
      if (this.peek() === '') throw new Hcl1Error(pos, 'heredoc not terminated');
      let line = '';
      while (this.peek() !== '' && this.peek() !== '\n') line += this.advance();
      const bare = line.endsWith('\r') ? line.slice(0, -1) : line;
      const closes = indented ? bare.trimStart() === marker : bare === marker;
      if (closes) return this.heredocBody(lines, indented ? bare.slice(0, bare.length - marker.length) : '');
      lines.push(line);
      if (this.peek() === '') throw new Hcl1Error(pos, 'heredoc not terminated');
      this.advance();
    }
  }

  private heredocBody(lines: string[], prefix: string): string {
    if (lines.length === 0) return '';
    const strip = prefix !== '' && lines.every((line) => line.startsWith(prefix));
    return lines.map((line) => (strip ? line.slice(prefix.length) : line)).join('\n') + '\n';
  }
}
