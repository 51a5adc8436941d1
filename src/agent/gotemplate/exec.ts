// Go's text/template evaluator (exec.go): walks a parsed tree over the data, with Go's
// variable scoping, truth, pipelines, field access rules, missingkey modes and error texts.
import { checkArity, constantArg, idealConstant, pipedParamType, validateType, type Fail } from './call-args.js';
import { executionError } from './exec-error.js';
import { formatValue } from './fmt.js';
import { str as nodeStr, type BranchNode, type ChainNode, type CommandNode, type FieldNode, type Node, type PipeNode, type TemplateNode, type Tree, type VariableNode } from './nodes.js';
import { signatureOf, type ParamType } from './signature.js';
import { quote } from './strconv.js';
import { GoStruct, Iface, isMap, isStringSlice, isTrue, kindOf, num, sortedKeys, typeName, unbox } from './values.js';
import { Variables } from './variables.js';

export type MissingKey = 'default' | 'zero' | 'error';
type Fn = (...args: unknown[]) => unknown;

/** Marks "no final value" (Go's missingVal) apart from a missing (invalid) value. */
const MISSING = Symbol('missing');
type Final = unknown;

class BreakSignal { }
class ContinueSignal { }
const BREAK = new BreakSignal();
const CONTINUE = new ContinueSignal();
const MAX_DEPTH = 100000;

export interface ExecEnv {
  trees: Map<string, Tree>;
  lookup(name: string): { fn: Fn; builtin: boolean } | undefined;
  missingKey: MissingKey;
}

/** Runs one template; `out` collects the text. */
export class State {
  out: string[] = [];
  private node: Node | null = null;
  private vars: Variables;
  private depth = 0;

  private readonly env: ExecEnv;
  private tmplName: string;

  constructor(env: ExecEnv, tmplName: string, dot: unknown) {
    this.env = env; this.tmplName = tmplName;
    this.vars = new Variables(dot);
  }

  at(n: Node): void { this.node = n; }

  errorf(msg: string): never {
    throw executionError(this.tmplName, this.node, msg);
  }

  /** errorf for the argument checks, at the node being evaluated when they fail. */
  private readonly fail: Fail = (msg) => this.errorf(msg);

  // --- variables
  private setVar(name: string, value: unknown): void {
    if (!this.vars.set(name, value)) this.errorf(`undefined variable: ${name}`);
  }
  private varValue(name: string): unknown {
    const v = this.vars.find(name);
    if (!v) this.errorf(`undefined variable: ${name}`);
    return v.value;
  }

  // --- walking
  walk(dot: unknown, n: Node): void {
    this.at(n);
    switch (n.type) {
      case 'action': {
        const val = this.evalPipeline(dot, n.pipe);
        if (n.pipe.decl.length === 0) this.printValue(n, val);
        return;
      }
      case 'break': throw BREAK;
      case 'continue': throw CONTINUE;
      case 'comment': return;
      case 'if': case 'with': this.walkIfOrWith(n, dot); return;
      case 'list': for (const c of n.nodes) this.walk(dot, c); return;
      case 'range': this.walkRange(dot, n); return;
      case 'template': this.walkTemplate(dot, n); return;
      case 'text': this.out.push(n.text); return;
      default: this.errorf(`unknown node: ${nodeStr(n)}`);
    }
  }

  private walkIfOrWith(n: BranchNode, dot: unknown): void {
    const mark = this.vars.mark();
    try {
      const val = this.evalPipeline(dot, n.pipe);
      const { truth, ok } = isTrue(val);
      if (!ok) this.errorf(`if/with can't use ${formatValue(val)}`);
      if (truth) this.walk(n.type === 'with' ? val : dot, n.list);
      else if (n.elseList) this.walk(dot, n.elseList);
    } finally { this.vars.pop(mark); }
  }

  private walkRange(dot: unknown, r: BranchNode): void {
    this.at(r);
    const outer = this.vars.mark();
    try {
      let val = unbox(this.evalPipeline(dot, r.pipe));
      const mark = this.vars.mark();
      const decl = r.pipe.decl;
      const one = (index: unknown, elem: unknown): boolean => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(decl[0]!.ident[0]!, decl.length > 1 ? index : elem);
          else this.vars.setTop(1, elem);
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1]!.ident[0]!, elem);
          else this.vars.setTop(2, index);
        }
        try { this.walk(elem, r.list); } catch (e) {
          if (e === BREAK) return false;
          if (e !== CONTINUE) throw e;
        } finally { this.vars.pop(mark); }
        return true;
      };
      if (val instanceof GoStruct && val.isPointer && !val.isNil) val = new GoStruct(val.typeName.slice(1), val.fieldNames, val.fields, val.methods);
      switch (kindOf(val)) {
        case 'slice': {
          const a = val as unknown[];
          if (a.length === 0) break;
          const concrete = isStringSlice(a);
          for (let i = 0; i < a.length; i++) {
            const e = a[i];
            if (!one(i, concrete ? e : box(e))) break;
          }
          return;
        }
        case 'int': {
          if (decl.length > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
          const n = num(val);
          if (n <= 0) break;
          for (let i = 0; i < n; i++) if (!one(i, i)) break;
          return;
        }
        case 'map': {
          const m = val as Record<string, unknown>;
          if (!isMap(m)) this.errorf(`range can't iterate over ${formatValue(val)}`);
          const keys = sortedKeys(m);
          if (keys.length === 0) break;
          for (const k of keys) if (!one(k, box(m[k]))) break;
          return;
        }
        case 'invalid': break;
        default: this.errorf(`range can't iterate over ${formatValue(val)}`);
      }
      if (r.elseList) this.walk(dot, r.elseList);
    } finally { this.vars.pop(outer); }
  }

  private walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const tree = this.env.trees.get(t.name);
    if (!tree) this.errorf(`template ${quote(t.name)} not defined`);
    if (this.depth >= MAX_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_DEPTH})`);
    const newDot = t.pipe ? this.evalPipeline(dot, t.pipe) : undefined;
    const saved = { vars: this.vars, name: this.tmplName };
    this.vars = new Variables(newDot);
    this.tmplName = tree.name;
    this.depth++;
    try { this.walk(newDot, tree.root); } catch (e) {
      // Go allows 100000 nested calls; the JS stack may end sooner, with the same meaning.
      if (e instanceof RangeError) { this.at(t); this.errorf(`exceeded maximum template depth (${MAX_DEPTH})`); }
      throw e;
    } finally {
      this.depth--;
      this.vars = saved.vars;
      this.tmplName = saved.name;
    }
  }

  // --- pipelines and commands
  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // A value of type interface{} is replaced by what it holds; a nil one becomes invalid.
      value = unbox(value);
      if (value === null) value = undefined;
    }
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0]!, value);
      else this.vars.push(v.ident[0]!, value);
    }
    return value;
  }

  private notAFunction(args: Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeStr(args[0]!)}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0]!;
    switch (first.type) {
      case 'field': return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain': return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier': return this.evalFunction(dot, first.ident, first, cmd, cmd.args, final);
      case 'pipe': this.notAFunction(cmd.args, final); return this.evalPipeline(dot, first);
      case 'variable': return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool': return first.value;
      case 'dot': return dot;
      case 'nil': this.errorf('nil is not a command');
      case 'number': this.at(first); return idealConstant(first, this.fail);
      case 'string': return first.text;
    }
    this.errorf(`can't evaluate command ${quote(nodeStr(first))}`);
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: Node[], final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: Node[], final: Final): unknown {
    this.at(chain);
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeStr(chain)}`);
    const pipe = this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: Node[], final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.ident[0]!);
    if (v.ident.length === 1) { this.notAFunction(args, final); return value; }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(dot: unknown, receiver: unknown, node: Node, ident: string[], args: Node[], final: Final): unknown {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(ident[i]!, [], MISSING, receiver);
    return this.evalField(ident[n - 1]!, args, final, receiver);
  }

  private evalField(name: string, args: Node[], final: Final, receiver: unknown): unknown {
    if (receiver === undefined) {
      if (this.env.missingKey === 'error') this.errorf(`nil data; no entry for key ${quote(name)}`);
      return undefined;
    }
    const typ = receiver instanceof Iface || receiver === null ? 'interface {}' : typeName(receiver);
    const r = unbox(receiver);
    if (r === null || r === undefined) this.errorf(`nil pointer evaluating ${typ}.${name}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    if (r instanceof GoStruct) {
      const method = Object.hasOwn(r.methods, name) ? r.methods[name] : undefined;
      if (method) {
        if (r.isNil) this.errorf(`nil pointer evaluating ${typ}.${name}`);
        const given = Math.max(0, args.length - 1) + (final !== MISSING ? 1 : 0);
        if (given !== 0) this.errorf(`wrong number of args for ${name}: want 0 got ${given}`);
        return method(r);
      }
      if (r.fieldNames.includes(name)) {
        if (r.isNil) this.errorf(`nil pointer evaluating ${typ}.${name}`);
        if (hasArgs) this.errorf(`${name} has arguments but cannot be invoked as function`);
        const v = r.fields![name];
        return v === undefined ? null : v;
      }
    } else if (isMap(r)) {
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
      if (Object.hasOwn(r, name)) return box(r[name]);
      switch (this.env.missingKey) {
        case 'default': return undefined;
        case 'zero': return null;
        case 'error': this.errorf(`map has no entry for key ${quote(name)}`);
      }
    }
    this.errorf(`can't evaluate field ${name} in type ${typ}`);
  }

  private evalFunction(dot: unknown, name: string, ident: Node, cmd: Node, args: Node[], final: Final): unknown {
    this.at(ident);
    const f = this.env.lookup(name);
    if (!f) this.errorf(`${quote(name)} is not a defined function`);
    return this.evalCall(dot, f.fn, f.builtin, cmd, name, args, final);
  }

  private evalCall(dot: unknown, fn: Fn, builtin: boolean, node: Node, name: string, allArgs: Node[], final: Final): unknown {
    const args = allArgs.slice(1);
    const sig = signatureOf(fn);
    const { numIn, numFixed } = checkArity(sig, name, args.length, final !== MISSING, this.fail);
    if (builtin && (name === 'and' || name === 'or')) {
      let v: unknown;
      for (const a of args) {
        v = this.evalArg(dot, 'value', a);
        if (isTrue(v).truth === (name === 'or')) return v;
      }
      if (final !== MISSING) v = this.checked(final, 'value');
      return v;
    }
    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv.push(this.evalArg(dot, sig.params[i]!, args[i]!));
    if (sig.variadic) for (; i < args.length; i++) argv.push(this.evalArg(dot, sig.variadic, args[i]!));
    if (final !== MISSING) argv.push(this.checked(final, pipedParamType(sig, numIn, numFixed)));
    let v: unknown;
    try { v = fn(...argv); } catch (e) {
      this.at(node);
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return v === undefined ? null : v;
  }

  private evalArg(dot: unknown, typ: ParamType | null, n: Node): unknown {
    this.at(n);
    switch (n.type) {
      case 'dot': return this.checked(dot, typ);
      case 'nil':
        if (typ === null || typ === 'any' || typ.startsWith('[]') || typ.startsWith('map')) return null;
        if (typ === 'value') return undefined;
        this.errorf(`cannot assign nil to ${typ}`);
      case 'field': return this.checked(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case 'variable': return this.checked(this.evalVariableNode(dot, n, [], MISSING), typ);
      case 'pipe': return this.checked(this.evalPipeline(dot, n), typ);
      case 'identifier': return this.checked(this.evalFunction(dot, n.ident, n, n, [n], MISSING), typ);
      case 'chain': return this.checked(this.evalChainNode(dot, n, [], MISSING), typ);
    }
    return constantArg(n, typ, this.fail);
  }

  private checked(value: unknown, typ: ParamType | null): unknown { return validateType(value, typ, this.fail); }

  printValue(n: Node, v: unknown): void {
    this.at(n);
    v = unbox(v);
    if (v instanceof GoStruct && v.isPointer && !v.isNil) v = new GoStruct(v.typeName.slice(1), v.fieldNames, v.fields, v.methods);
    if (v === undefined) { this.out.push('<no value>'); return; }
    if (typeof v === 'function') this.errorf(`can't print ${nodeStr(n)} of type ${typeName(v)}`);
    this.out.push(formatValue(v));
  }
}

// Map values and slice elements are interface{} values; keep that fact for error texts.
const box = (v: unknown): unknown => (v === null || v === undefined ? null : new Iface(v));
