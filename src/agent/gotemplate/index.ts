// Go's text/template for the agent's templates: parse once, execute synchronously against
// data and injected functions. Leaf module: no agent, network or file-system imports.
import { State } from './exec.js';
import { builtinFuncs } from './funcs-builtin.js';
import { consulTemplateFuncs } from './funcs-consul.js';
import type { Tree } from './nodes.js';
import { parseAll } from './parse.js';
import { TemplateError } from './template-error.js';
import { unsupportedMessage } from './unsupported.js';

export type FuncMap = Record<string, (...args: unknown[]) => unknown>;
export interface ParseOptions {
  name?: string;
  leftDelim?: string;
  rightDelim?: string;
  /** Functions known at parse time besides Go's built-ins and consulTemplateFuncs. */
  funcNames: ReadonlySet<string>;
}
/** "zero" is Go's missingkey=zero (what consul-template sets when error_on_missing_key is off). */
export interface ExecOptions { missingKey: 'default' | 'error' | 'zero' }
export interface Template { execute(data: unknown, funcs: FuncMap, opts: ExecOptions): string }

export { TemplateError, consulTemplateFuncs };
export { GoStruct, GoFloat, goStrings } from './values.js';
export { typed, GoError, type ParamType } from './signature.js';
export { sprintf, formatValue } from './fmt.js';
export { secretValue, SECRET_FIELDS, SECRET_TYPE, type SecretJSON } from './secret.js';

const has = (m: object, k: string): boolean => Object.hasOwn(m, k);

class ParsedTemplate implements Template {
  private readonly name: string;
  private readonly main: Tree;
  private readonly trees: Map<string, Tree>;

  constructor(name: string, main: Tree, trees: Map<string, Tree>) {
    this.name = name; this.main = main; this.trees = trees;
  }

  execute(data: unknown, funcs: FuncMap, opts: ExecOptions): string {
    const lookup = (n: string): { fn: (...a: unknown[]) => unknown; builtin: boolean } | undefined => {
      if (has(funcs, n)) return { fn: funcs[n]!, builtin: false };
      if (has(consulTemplateFuncs, n)) return { fn: consulTemplateFuncs[n]!, builtin: false };
      if (has(builtinFuncs, n)) return { fn: builtinFuncs[n]!, builtin: true };
      return undefined;
    };
    const state = new State({ trees: this.trees, lookup, missingKey: opts.missingKey }, this.name, data);
    state.walk(data, this.main.root);
    return state.out.join('');
  }
}

/** Parses a template the way Go's template.New(name).Delims(l, r).Funcs(…).Parse(text) does. */
export function parseTemplate(text: string, opts: ParseOptions): Template {
  const name = opts.name ?? '';
  const env = {
    hasFunction: (n: string) => opts.funcNames.has(n) || has(consulTemplateFuncs, n) || has(builtinFuncs, n),
    unsupported: (n: string) => (opts.funcNames.has(n) ? null : unsupportedMessage(n)),
  };
  const { main, trees } = parseAll(text, name, opts.leftDelim ?? '', opts.rightDelim ?? '', env);
  return new ParsedTemplate(name, main, trees);
}
