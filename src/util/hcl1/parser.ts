// HCL1 tokens → a small syntax tree. The grammar (HCL1's, which Vault reads policies with):
//   body  := { item [","] }
//   item  := key { key } ( "=" value | object )     — several keys only before an object
//   key   := ident | string
//   value := string | heredoc | number | bool | list | object
//   list  := "[" [ value { "," value } [","] ] "]"
//   object:= "{" body "}"
import { Hcl1Error, type Position } from './error.js';
import { tokenize, type Token, type TokenType } from './lexer.js';

export type Literal = { kind: 'literal'; value: string | number | boolean; pos: Position };
export type ListNode = { kind: 'list'; items: ValueNode[]; pos: Position };
export type ObjectNode = { kind: 'object'; items: Item[]; pos: Position };
export type ValueNode = Literal | ListNode | ObjectNode;
export type Key = { name: string; pos: Position };
/** `a "b" { … }` is one item with keys [a, b]; `a = 1` one with keys [a]. */
export type Item = { keys: Key[]; value: ValueNode };

const TOKEN_NAMES: Readonly<Record<string, string>> = {
  ident: 'IDENT', string: 'STRING', heredoc: 'HEREDOC', number: 'NUMBER', float: 'FLOAT', bool: 'BOOL',
  '=': 'ASSIGN', ',': 'COMMA', '{': 'LBRACE', '}': 'RBRACE', '[': 'LBRACK', ']': 'RBRACK', eof: 'EOF',
};
const nameOf = (token: Token) => TOKEN_NAMES[token.type] ?? token.type;

/** Parses HCL1 text to its top-level items; throws Hcl1Error naming line and column. */
export function parseHcl1(text: string): Item[] {
  return new Parser(tokenize(text)).document();
}

class Parser {
  private index = 0;
  private readonly tokens: Token[];

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  private get token(): Token {
    // tokenize() always ends with eof, and the parser never steps past it.
    return this.tokens[Math.min(this.index, this.tokens.length - 1)] as Token;
  }

  // A call, not a property, so the compiler does not narrow it across take().
  private kind(): TokenType {
    return this.token.type;
  }

  private take(): Token {
    const token = this.token;
    if (token.type !== 'eof') this.index++;
    return token;
  }

  document(): Item[] {
    return this.body('eof');
  }

  private body(end: 'eof' | '}'): Item[] {
    const items: Item[] = [];
    while (this.kind() !== end) {
      if (this.kind() === 'eof') throw new Hcl1Error(this.token.pos, 'object expected closing RBRACE got: EOF');
      items.push(this.item());
      if (this.kind() === ',') this.take(); // items may be comma-separated, as in a list of maps
    }
    return items;
  }

  private item(): Item {
    const keys: Key[] = [];
    for (;;) {
      const token = this.token;
      if (token.type === 'ident' || token.type === 'string') {
        keys.push({ name: String(this.take().value), pos: token.pos });
      } else if (token.type === '=') {
        if (keys.length === 0) throw new Hcl1Error(token.pos, 'no object keys found');
        if (keys.length > 1) throw new Hcl1Error(token.pos, 'nested object expected: LBRACE got: ASSIGN');
        this.take();
        return { keys, value: this.value() };
      } else if (token.type === '{') {
        if (keys.length === 0) throw new Hcl1Error(token.pos, 'expected: IDENT | STRING got: LBRACE');
        return { keys, value: this.object() };
      } else {
        throw new Hcl1Error(token.pos, `expected: IDENT | STRING | ASSIGN | LBRACE got: ${nameOf(token)}`);
      }
    }
  }

  private value(): ValueNode {
    const token = this.token;
    switch (token.type) {
      case 'string': case 'heredoc': case 'number': case 'float': case 'bool':
        this.take();
        return { kind: 'literal', value: token.value, pos: token.pos };
      case '[':
        return this.list();
      case '{':
        return this.object();
      default:
        throw new Hcl1Error(token.pos, `Unknown token: ${nameOf(token)}${token.type === 'ident' ? ` ${String(token.value)}` : ''}`);
    }
  }

  private object(): ObjectNode {
    const open = this.take();
    const items = this.body('}');
    this.take();
    return { kind: 'object', items, pos: open.pos };
  }

  private list(): ListNode {
    const open = this.take();
    const items: ValueNode[] = [];
    for (;;) {
      if (this.kind() === ']') {
        this.take();
        return { kind: 'list', items, pos: open.pos };
      }
      if (this.kind() === 'eof') throw new Hcl1Error(this.token.pos, 'list expected closing RBRACK got: EOF');
      items.push(this.value());
      if (this.kind() === ',') this.take();
      else if (this.kind() !== ']') {
        throw new Hcl1Error(this.token.pos, `unexpected token while parsing list: ${nameOf(this.token)}`);
      }
    }
  }
}
