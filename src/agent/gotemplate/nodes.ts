// The parse tree, shaped like Go's text/template/parse nodes. Each node's text form (str)
// is what Go prints in error contexts: `executing "" at <.Data.data.pw>`.
import { quote } from './strconv.js';

export interface Tree {
  name: string;
  parseName: string;
  text: string;
  root: ListNode;
}

interface Base { pos: number; tree: Tree }

export interface TextNode extends Base { type: 'text'; text: string }
export interface CommentNode extends Base { type: 'comment'; text: string }
export interface ListNode extends Base { type: 'list'; nodes: Node[] }
export interface ActionNode extends Base { type: 'action'; line: number; pipe: PipeNode }
export interface PipeNode extends Base { type: 'pipe'; line: number; isAssign: boolean; decl: VariableNode[]; cmds: CommandNode[] }
export interface CommandNode extends Base { type: 'command'; args: Node[] }
export interface IdentifierNode extends Base { type: 'identifier'; ident: string }
export interface VariableNode extends Base { type: 'variable'; ident: string[] }
export interface DotNode extends Base { type: 'dot' }
export interface NilNode extends Base { type: 'nil' }
export interface FieldNode extends Base { type: 'field'; ident: string[] }
export interface ChainNode extends Base { type: 'chain'; node: Node; field: string[] }
export interface BoolNode extends Base { type: 'bool'; value: boolean }
export interface NumberNode extends Base {
  type: 'number'; text: string;
  isInt: boolean; isFloat: boolean; isUint: boolean; int: bigint; float: number;
}
export interface StringNode extends Base { type: 'string'; quoted: string; text: string }
export interface BranchNode extends Base {
  type: 'if' | 'range' | 'with'; line: number; pipe: PipeNode; list: ListNode; elseList: ListNode | null;
}
export interface BreakNode extends Base { type: 'break'; line: number }
export interface ContinueNode extends Base { type: 'continue'; line: number }
export interface TemplateNode extends Base { type: 'template'; line: number; name: string; pipe: PipeNode | null }
export interface EndNode extends Base { type: 'end' }
export interface ElseNode extends Base { type: 'else'; line: number }

export type Node = TextNode | CommentNode | ListNode | ActionNode | PipeNode | CommandNode | IdentifierNode
  | VariableNode | DotNode | NilNode | FieldNode | ChainNode | BoolNode | NumberNode | StringNode
  | BranchNode | BreakNode | ContinueNode | TemplateNode | EndNode | ElseNode;

/** Go's Node.String(). */
export function str(n: Node): string {
  switch (n.type) {
    case 'text': return quoteText(n.text);
    case 'comment': return `{{${n.text}}}`;
    case 'list': return n.nodes.map(str).join('');
    case 'action': return `{{${str(n.pipe)}}}`;
    case 'pipe': {
      let s = '';
      if (n.decl.length > 0) s = n.decl.map(str).join(', ') + (n.isAssign ? ' = ' : ' := ');
      return s + n.cmds.map(str).join(' | ');
    }
    case 'command': return n.args.map((a) => (a.type === 'pipe' ? `(${str(a)})` : str(a))).join(' ');
    case 'identifier': return n.ident;
    case 'variable': return n.ident.join('.');
    case 'dot': return '.';
    case 'nil': return 'nil';
    case 'field': return n.ident.map((f) => '.' + f).join('');
    case 'chain': {
      const s = n.node.type === 'pipe' ? `(${str(n.node)})` : str(n.node);
      return s + n.field.map((f) => '.' + f).join('');
    }
    case 'bool': return n.value ? 'true' : 'false';
    case 'number': return n.text;
    case 'string': return n.quoted;
    case 'if': case 'range': case 'with': {
      let s = `{{${n.type} ${str(n.pipe)}}}${str(n.list)}`;
      if (n.elseList) s += `{{else}}${str(n.elseList)}`;
      return s + '{{end}}';
    }
    case 'break': return '{{break}}';
    case 'continue': return '{{continue}}';
    case 'template': return n.pipe ? `{{template ${quote(n.name)} ${str(n.pipe)}}}` : `{{template ${quote(n.name)}}}`;
    case 'end': return '{{end}}';
    case 'else': return '{{else}}';
  }
}

// TextNode.String() is fmt.Sprintf(textFormat, n.Text) with textFormat "%s" (Go ≥1.18 prints
// the text itself).
const quoteText = (t: string): string => t;

export function isEmptyTree(n: Node): boolean {
  switch (n.type) {
    case 'list': return n.nodes.every(isEmptyTree);
    case 'text': return n.text.trim() === '';
    case 'comment': return true;
    default: return false;
  }
}
