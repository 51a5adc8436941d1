// Shared by the template tests: parse + execute with the options a conformance row gives.
import { parse } from 'lossless-json';
import { parseTemplate, type FuncMap } from '../../../src/agent/gotemplate/index.js';

export interface Row {
  t: string;
  /** JSON text, parsed with lossless-json as the agent parses server answers. */
  data?: string;
  /** Plain JS data (numbers are Go int / float64). */
  js?: unknown;
  missingKey?: 'default' | 'error' | 'zero';
  name?: string;
  left?: string;
  right?: string;
  out?: string;
  err?: string;
  note?: string;
}

export function render(row: Row, funcs: FuncMap = {}): string {
  const data = row.data !== undefined ? parse(row.data) : row.js;
  const tpl = parseTemplate(row.t, { name: row.name, leftDelim: row.left, rightDelim: row.right, funcNames: new Set(Object.keys(funcs)) });
  return tpl.execute(data, funcs, { missingKey: row.missingKey ?? 'default' });
}

/** The output, or "ERR " + the error text. */
export function outcome(row: Row, funcs: FuncMap = {}): string {
  try { return render(row, funcs); } catch (e) { return 'ERR ' + (e as Error).message; }
}
