// Go's execution error text: the template, the line and byte column, and the node being evaluated.
import { str as nodeStr, type Node } from './nodes.js';
import { quote } from './strconv.js';
import { TemplateError } from './template-error.js';

/** The error for `msg` while template `name` evaluates `node` (null before the first node). */
export function executionError(name: string, node: Node | null, msg: string): TemplateError {
  if (!node) return new TemplateError(`template: ${name}: ${msg}`);
  const text = node.tree.text.slice(0, node.pos);
  const nl = text.lastIndexOf('\n');
  const col = Buffer.byteLength(nl < 0 ? text : text.slice(nl + 1));
  const line = 1 + (text.match(/\n/g)?.length ?? 0);
  return new TemplateError(`template: ${node.tree.parseName}:${line}:${col}: executing ${quote(name)} at <${nodeStr(node)}>: ${msg}`);
}
