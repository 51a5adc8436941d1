// Go's text/template parser: items to trees, one per {{define}}/{{block}} plus the main one,
// with Go's checks (unknown functions, undefined variables, break outside range) and texts.
import { describeItem, type Item, Lexer, T } from './lexer.js';
import { isEmptyTree, str, type BranchNode, type CommandNode, type ListNode, type Node, type PipeNode, type Tree, type VariableNode } from './nodes.js';
import { numberNode } from './number-literal.js';
import { quote, unquote } from './strconv.js';
import { TemplateError } from './template-error.js';
import { TokenBuffer } from './token-buffer.js';

export interface ParserEnv {
  /** Whether a function name is known (built-ins, consul-template's, the caller's). */
  hasFunction(name: string): boolean;
  /** A message when the name is a function this program refuses on purpose. */
  unsupported(name: string): string | null;
}

class Parser {
  private vars: string[] = ['$'];
  private actionLine = 0;
  private rangeDepth = 0;
  readonly tree: Tree;

  private readonly tokens: TokenBuffer;
  private readonly env: ParserEnv;
  private readonly treeSet: Map<string, Tree>;

  constructor(tokens: TokenBuffer, name: string, parseName: string, text: string, env: ParserEnv, treeSet: Map<string, Tree>) {
    this.tokens = tokens; this.env = env; this.treeSet = treeSet;
    this.tree = { name, parseName, text, root: { type: 'list', pos: 0, tree: null as unknown as Tree, nodes: [] } };
    this.tree.root.tree = this.tree;
  }

  errorf(msg: string): never {
    const line = this.tokens.line;
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
    const t = this.tokens.nextNonSpace();
    if (t.typ !== typ) this.unexpected(t, context);
    return t;
  }

  private expectOneOf(a: T, b: T, context: string): Item {
    const t = this.tokens.nextNonSpace();
    if (t.typ !== a && t.typ !== b) this.unexpected(t, context);
    return t;
  }

  private newList(pos: number): ListNode { return { type: 'list', pos, tree: this.tree, nodes: [] }; }

  // --- top level
  parse(): void {
    const root = this.newList(this.tokens.peek().pos);
    this.tree.root = root;
    while (this.tokens.peek().typ !== T.EOF) {
      if (this.tokens.peek().typ === T.LeftDelim) {
        const delim = this.tokens.next();
        if (this.tokens.nextNonSpace().typ === T.Define) {
          // The sub-parser continues from this parser's items.
          const sub = new Parser(this.tokens.share(false), 'definition', this.tree.parseName, this.tree.text, this.env, this.treeSet);
          sub.parseDefinition();
          continue;
        }
        this.tokens.backup2(delim);
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
    const list = this.newList(this.tokens.peekNonSpace().pos);
    while (this.tokens.peekNonSpace().typ !== T.EOF) {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node {
    const token = this.tokens.nextNonSpace();
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
    const token = this.tokens.nextNonSpace();
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
    this.tokens.backup();
    const t = this.tokens.peek();
    return { type: 'action', pos: t.pos, line: t.line, tree: this.tree, pipe: this.pipeline('command', T.RightDelim) };
  }

  private loopControl(token: Item, word: 'break' | 'continue'): Node {
    const t = this.tokens.nextNonSpace();
    if (t.typ !== T.RightDelim) this.unexpected(t, `{{${word}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${word}}} outside {{range}}`);
    return { type: word, pos: token.pos, line: token.line, tree: this.tree };
  }

  private elseControl(): Node {
    const peek = this.tokens.peekNonSpace();
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
        if (context === 'if' && this.tokens.peek().typ === T.If) {
          this.tokens.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.control('if'));
        } else if (context === 'with' && this.tokens.peek().typ === T.With) {
          this.tokens.next();
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
    const token = this.tokens.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.tokens.nextNonSpace().typ !== T.RightDelim) {
      this.tokens.backup();
      pipe = this.pipeline(context, T.RightDelim);
    }
    return { type: 'template', pos: token.pos, line: token.line, tree: this.tree, name, pipe };
  }

  private blockControl(): Node {
    const context = 'block clause';
    const token = this.tokens.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, T.RightDelim);
    const sub = new Parser(this.tokens.share(true), name, this.tree.parseName, this.tree.text, this.env, this.treeSet);
    const [list, end] = sub.itemList();
    if (end.type !== 'end') this.errorf(`unexpected ${str(end)} in ${context}`);
    sub.tree.root = list;
    sub.add();
    this.tokens.resume(sub.tokens);
    return { type: 'template', pos: token.pos, line: token.line, tree: this.tree, name, pipe };
  }

  // --- pipelines
  private pipeline(context: string, end: T): PipeNode {
    const token = this.tokens.peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', pos: token.pos, line: token.line, tree: this.tree, isAssign: false, decl: [], cmds: [] };
    decls: for (;;) {
      const v = this.tokens.peekNonSpace();
      if (v.typ !== T.Variable) break;
      this.tokens.next();
      const after = this.tokens.peek();
      const next = this.tokens.peekNonSpace();
      if (next.typ === T.Assign || next.typ === T.Declare) {
        pipe.isAssign = next.typ === T.Assign;
        this.tokens.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
      } else if (next.typ === T.Char && next.val === ',') {
        this.tokens.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.tokens.peekNonSpace().typ;
          if (p === T.Variable || p === T.RightDelim || p === T.RightParen) continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else if (after.typ === T.Space) {
        this.tokens.backup3(v, after);
      } else {
        this.tokens.backup2(v);
      }
      break;
    }
    for (;;) {
      const t = this.tokens.nextNonSpace();
      switch (t.typ) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case T.Bool: case T.CharConstant: case T.Complex: case T.Dot: case T.Field: case T.Identifier:
        case T.Number: case T.Nil: case T.RawString: case T.String: case T.Variable: case T.LeftParen:
          this.tokens.backup();
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
    const cmd: CommandNode = { type: 'command', pos: this.tokens.peekNonSpace().pos, tree: this.tree, args: [] };
    for (;;) {
      this.tokens.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.tokens.next();
      if (t.typ === T.Space) continue;
      if (t.typ === T.RightDelim || t.typ === T.RightParen) this.tokens.backup();
      else if (t.typ !== T.Pipe) this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): Node | null {
    let node = this.term();
    if (!node) return null;
    if (this.tokens.peek().typ === T.Field) {
      const pos = this.tokens.peek().pos;
      const fields: string[] = [];
      while (this.tokens.peek().typ === T.Field) fields.push(this.tokens.next().val.slice(1));
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
    const t = this.tokens.nextNonSpace();
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
      case T.CharConstant: case T.Complex: case T.Number: return numberNode(t, this.tree, (m) => this.errorf(m));
      case T.LeftParen: return this.pipeline('parenthesized pipeline', T.RightParen);
      case T.String: case T.RawString:
        return { type: 'string', pos: t.pos, tree: this.tree, quoted: t.val, text: this.unquoteOrFail(t.val) };
    }
    this.tokens.backup();
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

}

export interface ParsedSet { main: Tree; trees: Map<string, Tree> }

export function parseAll(text: string, name: string, left: string, right: string, env: ParserEnv): ParsedSet {
  const lex = new Lexer(text, left || '{{', right || '}}');
  const trees = new Map<string, Tree>();
  const p = new Parser(new TokenBuffer(lex), name, name, text, env, trees);
  p.parse();
  p.add();
  return { main: trees.get(name) ?? p.tree, trees };
}
