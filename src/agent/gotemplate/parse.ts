// Go's text/template parser: items to trees, one per {{define}}/{{block}} plus the main one,
// with Go's checks (unknown functions, undefined variables, break outside range) and texts.
import { describeItem, type Item, Lexer, T } from './lexer.js';
import { isEmptyTree, str, type BranchNode, type CommandNode, type ListNode, type Node, type NumberNode, type PipeNode, type Tree, type VariableNode } from './nodes.js';
import { quote, unquote } from './strconv.js';

/** A parse or execution failure, with Go's message. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

export interface ParserEnv {
  /** Whether a function name is known (built-ins, consul-template's, the caller's). */
  hasFunction(name: string): boolean;
  /** A message when the name is a function this program refuses on purpose. */
  unsupported(name: string): string | null;
}

class Parser {
  private token: Item[] = [];
  private peekCount = 0;
  private vars: string[] = ['$'];
  private actionLine = 0;
  private rangeDepth = 0;
  readonly tree: Tree;

  private readonly lex: Lexer;
  private readonly env: ParserEnv;
  private readonly treeSet: Map<string, Tree>;

  constructor(lex: Lexer, name: string, parseName: string, text: string, env: ParserEnv, treeSet: Map<string, Tree>) {
    this.lex = lex; this.env = env; this.treeSet = treeSet;
    this.tree = { name, parseName, text, root: { type: 'list', pos: 0, tree: null as unknown as Tree, nodes: [] } };
    this.tree.root.tree = this.tree;
  }

  // --- token buffer, as Go's: token[0] is the last token read, errors report its line.
  private next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lex.nextItem();
    return this.token[this.peekCount]!;
  }
  private backup(): void { this.peekCount++; }
  private backup2(t1: Item): void { this.token[1] = t1; this.peekCount = 2; }
  private backup3(t2: Item, t1: Item): void { this.token[1] = t1; this.token[2] = t2; this.peekCount = 3; }
  private peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1]!;
    this.peekCount = 1;
    this.token[0] = this.lex.nextItem();
    return this.token[0];
  }
  private nextNonSpace(): Item {
    let t: Item;
    do t = this.next(); while (t.typ === T.Space);
    return t;
  }
  private peekNonSpace(): Item { const t = this.nextNonSpace(); this.backup(); return t; }

  errorf(msg: string): never {
    const line = this.token[0]?.line ?? 1;
    throw new TemplateError(`template: ${this.tree.parseName}:${line}: ${msg}`);
  }

  private unexpected(token: Item, context: string): never {
    if (token.typ === T.Error) {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.tree.parseName}:${this.actionLine}`;
        if (token.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${token.val}${extra}`);
    }
    this.errorf(`unexpected ${describeItem(token, quote)} in ${context}`);
  }

  private expect(typ: T, context: string): Item {
    const t = this.nextNonSpace();
    if (t.typ !== typ) this.unexpected(t, context);
    return t;
  }

  private expectOneOf(a: T, b: T, context: string): Item {
    const t = this.nextNonSpace();
    if (t.typ !== a && t.typ !== b) this.unexpected(t, context);
    return t;
  }

  private newList(pos: number): ListNode { return { type: 'list', pos, tree: this.tree, nodes: [] }; }

  // --- top level
  parse(): void {
    const root = this.newList(this.peek().pos);
    this.tree.root = root;
    while (this.peek().typ !== T.EOF) {
      if (this.peek().typ === T.LeftDelim) {
        const delim = this.next();
        if (this.nextNonSpace().typ === T.Define) {
          const sub = new Parser(this.lex, 'definition', this.tree.parseName, this.tree.text, this.env, this.treeSet);
          sub.token = this.token; // the sub-parser continues from this parser's look-ahead
          sub.parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${str(n)}`);
      root.nodes.push(n);
    }
  }

  add(): void {
    const existing = this.treeSet.get(this.tree.name);
    if (!existing || isEmptyTree(existing.root)) { this.treeSet.set(this.tree.name, this.tree); return; }
    if (!isEmptyTree(this.tree.root)) this.errorf(`template: multiple definition of template ${quote(this.tree.name)}`);
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const name = this.expectOneOf(T.String, T.RawString, context);
    this.tree.name = this.unquoteOrFail(name.val);
    this.expect(T.RightDelim, context);
    const [list, end] = this.itemList();
    if (end.type !== 'end') this.errorf(`unexpected ${str(end)} in ${context}`);
    this.tree.root = list;
    this.add();
  }

  private unquoteOrFail(lit: string): string {
    try { return unquote(lit); } catch (e) { this.errorf((e as Error).message); }
  }

  private itemList(): [ListNode, Node] {
    const list = this.newList(this.peekNonSpace().pos);
    while (this.peekNonSpace().typ !== T.EOF) {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Text: return { type: 'text', pos: token.pos, tree: this.tree, text: token.val };
      case T.LeftDelim: {
        this.actionLine = token.line;
        try { return this.action(); } finally { this.actionLine = 0; }
      }
      case T.Comment: return { type: 'comment', pos: token.pos, tree: this.tree, text: token.val };
      default: this.unexpected(token, 'input');
    }
  }

  private action(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Block: return this.blockControl();
      case T.Break: return this.loopControl(token, 'break');
      case T.Continue: return this.loopControl(token, 'continue');
      case T.Else: return this.elseControl();
      case T.End: return { type: 'end', pos: this.expect(T.RightDelim, 'end').pos, tree: this.tree };
      case T.If: return this.control('if');
      case T.Range: return this.control('range');
      case T.Template: return this.templateControl();
      case T.With: return this.control('with');
    }
    this.backup();
    const t = this.peek();
    return { type: 'action', pos: t.pos, line: t.line, tree: this.tree, pipe: this.pipeline('command', T.RightDelim) };
  }

  private loopControl(token: Item, word: 'break' | 'continue'): Node {
    const t = this.nextNonSpace();
    if (t.typ !== T.RightDelim) this.unexpected(t, `{{${word}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${word}}} outside {{range}}`);
    return { type: word, pos: token.pos, line: token.line, tree: this.tree };
  }

  private elseControl(): Node {
    const peek = this.peekNonSpace();
    if (peek.typ === T.If || peek.typ === T.With) return { type: 'else', pos: peek.pos, line: peek.line, tree: this.tree };
    const t = this.expect(T.RightDelim, 'else');
    return { type: 'else', pos: t.pos, line: t.line, tree: this.tree };
  }

  private control(context: 'if' | 'range' | 'with'): BranchNode {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, T.RightDelim);
      if (context === 'range') this.rangeDepth++;
      let [list, next] = this.itemList();
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.type === 'else') {
        // "else if" / "else with" is "else" holding a nested if/with whose {{end}} is shared.
        if (context === 'if' && this.peek().typ === T.If) {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.control('if'));
        } else if (context === 'with' && this.peek().typ === T.With) {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.control('with'));
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== 'end') this.errorf(`expected end; found ${str(next)}`);
        }
      }
      return { type: context, pos: pipe.pos, line: pipe.line, tree: this.tree, pipe, list, elseList };
    } finally {
      this.vars.length = mark;
    }
  }

  private parseTemplateName(token: Item, context: string): string {
    if (token.typ === T.String || token.typ === T.RawString) return this.unquoteOrFail(token.val);
    this.unexpected(token, context);
  }

  private templateControl(): Node {
    const context = 'template clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().typ !== T.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, T.RightDelim);
    }
    return { type: 'template', pos: token.pos, line: token.line, tree: this.tree, name, pipe };
  }

  private blockControl(): Node {
    const context = 'block clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, T.RightDelim);
    const sub = new Parser(this.lex, name, this.tree.parseName, this.tree.text, this.env, this.treeSet);
    sub.token = this.token;
    sub.peekCount = this.peekCount;
    const [list, end] = sub.itemList();
    if (end.type !== 'end') this.errorf(`unexpected ${str(end)} in ${context}`);
    sub.tree.root = list;
    sub.add();
    this.peekCount = sub.peekCount;
    return { type: 'template', pos: token.pos, line: token.line, tree: this.tree, name, pipe };
  }

  // --- pipelines
  private pipeline(context: string, end: T): PipeNode {
    const token = this.peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', pos: token.pos, line: token.line, tree: this.tree, isAssign: false, decl: [], cmds: [] };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== T.Variable) break;
      this.next();
      const after = this.peek();
      const next = this.peekNonSpace();
      if (next.typ === T.Assign || next.typ === T.Declare) {
        pipe.isAssign = next.typ === T.Assign;
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
      } else if (next.typ === T.Char && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().typ;
          if (p === T.Variable || p === T.RightDelim || p === T.RightParen) continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else if (after.typ === T.Space) {
        this.backup3(v, after);
      } else {
        this.backup2(v);
      }
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      switch (t.typ) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case T.Bool: case T.CharConstant: case T.Complex: case T.Dot: case T.Field: case T.Identifier:
        case T.Number: case T.Nil: case T.RawString: case T.String: case T.Variable: case T.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0]!.type;
      if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, tree: this.tree, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.typ === T.Space) continue;
      if (t.typ === T.RightDelim || t.typ === T.RightParen) this.backup();
      else if (t.typ !== T.Pipe) this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): Node | null {
    let node = this.term();
    if (!node) return null;
    if (this.peek().typ === T.Field) {
      const pos = this.peek().pos;
      const fields: string[] = [];
      while (this.peek().typ === T.Field) fields.push(this.next().val.slice(1));
      switch (node.type) {
        case 'field': node = { type: 'field', pos, tree: this.tree, ident: [...node.ident, ...fields] }; break;
        case 'variable': node = { type: 'variable', pos, tree: this.tree, ident: [...node.ident, ...fields] }; break;
        case 'bool': case 'string': case 'number': case 'nil': case 'dot':
          this.errorf(`unexpected . after term ${quote(str(node))}`);
        default: node = { type: 'chain', pos, tree: this.tree, node, field: fields };
      }
    }
    return node;
  }

  private term(): Node | null {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case T.Identifier: {
        const unsupported = this.env.unsupported(t.val);
        if (unsupported) this.errorf(unsupported);
        if (!this.env.hasFunction(t.val)) this.errorf(`function ${quote(t.val)} not defined`);
        return { type: 'identifier', pos: t.pos, tree: this.tree, ident: t.val };
      }
      case T.Dot: return { type: 'dot', pos: t.pos, tree: this.tree };
      case T.Nil: return { type: 'nil', pos: t.pos, tree: this.tree };
      case T.Variable: return this.useVar(t.pos, t.val);
      case T.Field: return { type: 'field', pos: t.pos, tree: this.tree, ident: t.val.slice(1).split('.') };
      case T.Bool: return { type: 'bool', pos: t.pos, tree: this.tree, value: t.val === 'true' };
      case T.CharConstant: case T.Complex: case T.Number: return this.newNumber(t);
      case T.LeftParen: return this.pipeline('parenthesized pipeline', T.RightParen);
      case T.String: case T.RawString:
        return { type: 'string', pos: t.pos, tree: this.tree, quoted: t.val, text: this.unquoteOrFail(t.val) };
    }
    this.backup();
    return null;
  }

  private newVariable(pos: number, name: string): VariableNode {
    return { type: 'variable', pos, tree: this.tree, ident: name.split('.') };
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = this.newVariable(pos, name);
    if (!this.vars.includes(v.ident[0]!)) this.errorf(`undefined variable ${quote(v.ident[0]!)}`);
    return v;
  }

  private newNumber(t: Item): NumberNode {
    const n: NumberNode = { type: 'number', pos: t.pos, tree: this.tree, text: t.val, isInt: false, isUint: false, isFloat: false, int: 0n, float: 0 };
    if (t.typ === T.CharConstant) {
      let s: string;
      try { s = unquote(t.val); } catch { this.errorf(`malformed character constant: ${t.val}`); }
      const r = BigInt(s.codePointAt(0)!);
      Object.assign(n, { isInt: true, isUint: true, isFloat: true, int: r, float: Number(r) });
      return n;
    }
    if (t.typ === T.Complex || t.val.endsWith('i')) this.errorf(`complex numbers are not supported: ${t.val}`);
    const i = parseGoInt(t.val);
    if (i !== null) {
      n.isInt = i >= -(2n ** 63n) && i < 2n ** 63n;
      n.isUint = i >= 0n && i < 2n ** 64n;
      if (n.isInt || n.isUint) { n.int = i; n.isFloat = true; n.float = Number(i); }
    }
    if (!n.isInt && !n.isUint) {
      const f = parseGoFloat(t.val);
      if (f !== null) {
        if (!/[.eEpP]/.test(t.val)) this.errorf(`integer overflow: ${t.val}`);
        n.isFloat = true;
        n.float = f;
        if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) { n.isInt = true; n.int = BigInt(f); }
        if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) n.isUint = true;
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf(`illegal number syntax: ${quote(t.val)}`);
    return n;
  }
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
  if (t.includes('_')) { if (!/^[+-]?0[xX]/.test(t) && !/^[+-]?\d/.test(t)) return null; t = t.replace(/_/g, ''); }
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
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

export interface ParsedSet { main: Tree; trees: Map<string, Tree> }

export function parseAll(text: string, name: string, left: string, right: string, env: ParserEnv): ParsedSet {
  const lex = new Lexer(text, left || '{{', right || '}}');
  const trees = new Map<string, Tree>();
  const p = new Parser(lex, name, name, text, env, trees);
  p.parse();
  p.add();
  return { main: trees.get(name) ?? p.tree, trees };
}
