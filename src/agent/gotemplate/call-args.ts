// A template function call's arguments, as Go's exec checks them: the argument count, untyped
// constants in the text, and values computed at run time against each parameter's type.
import type { Node, NumberNode } from './nodes.js';
import { str as nodeStr } from './nodes.js';
import type { ParamType, Signature } from './signature.js';
import { float, isStringSlice, typeName, unbox } from './values.js';

/** Reports a failure with Go's text at the node being evaluated. */
export type Fail = (msg: string) => never;

/**
 * Checks the count of arguments (`given` in the command, plus the piped value when `piped`)
 * against `sig`; returns how many are passed in all and how many fill fixed parameters.
 */
export function checkArity(sig: Signature, name: string, given: number, piped: boolean, fail: Fail): { numIn: number; numFixed: number } {
  const numIn = given + (piped ? 1 : 0);
  const numFixed = sig.variadic ? sig.params.length : given;
  if (sig.variadic) {
    if (numIn < numFixed) fail(`wrong number of args for ${name}: want at least ${sig.params.length} got ${given}`);
  } else if (numIn !== sig.params.length) {
    fail(`wrong number of args for ${name}: want ${sig.params.length} got ${numIn}`);
  }
  return { numIn, numFixed };
}

/** The parameter type the piped value (the last argument) fills. */
export function pipedParamType(sig: Signature, numIn: number, numFixed: number): ParamType {
  if (sig.variadic) return numIn - 1 < numFixed ? sig.params[numIn - 1]! : sig.variadic;
  return sig.params[sig.params.length - 1]!;
}

/** Go's validateType: a value computed at run time against a parameter type (null: untyped). */
export function validateType(value: unknown, typ: ParamType | null, fail: Fail): unknown {
  if (value === undefined) {
    if (typ === null || typ === 'value') return undefined;
    if (typ === 'any' || typ.startsWith('[]') || typ.startsWith('map')) return null;
    fail(`invalid value; expected ${typ}`);
  }
  const v = unbox(value);
  if (typ === null || typ === 'value') return v;
  if (typ === 'any') return v;
  if (v === null) {
    if (typ.startsWith('[]') || typ.startsWith('map')) return null;
    fail(`wrong type for value; expected ${typ}; got interface {}`);
  }
  const t = typeName(v);
  const ok = t === typ || (typ === '[]interface {}' && Array.isArray(v) && !isStringSlice(v))
    || (typ === '[]string' && Array.isArray(v) && isStringSlice(v));
  if (!ok) fail(`wrong type for value; expected ${typ}; got ${t}`);
  return v;
}

/** A number in the text as Go's untyped constant: float when written as one, else int. */
export function idealConstant(c: NumberNode, fail: Fail): unknown {
  const isHexInt = /^0[xX]/.test(c.text) && !/[pP]/.test(c.text);
  const isRune = c.text.startsWith("'");
  if (c.isFloat && !isHexInt && !isRune && /[.eEpP]/.test(c.text)) return float(c.float);
  // Integers beyond 2^53 stay exact as bigint (still Go's int).
  if (c.isInt) return Number.isSafeInteger(Number(c.int)) ? Number(c.int) : c.int;
  if (c.isUint) fail(`${c.text} overflows int`);
  return undefined;
}

/** A constant in the text (bool, number, string) passed for a parameter of type `typ`. */
export function constantArg(n: Node, typ: ParamType | null, fail: Fail): unknown {
  switch (typ) {
    case 'bool':
      if (n.type === 'bool') return n.value;
      fail(`expected bool; found ${nodeStr(n)}`);
    case 'float64':
      if (n.type === 'number' && n.isFloat) return float(n.float);
      fail(`expected float; found ${nodeStr(n)}`);
    case 'int':
      if (n.type === 'number' && n.isInt) return Number(n.int);
      fail(`expected integer; found ${nodeStr(n)}`);
    case 'string':
      if (n.type === 'string') return n.text;
      fail(`expected string; found ${nodeStr(n)}`);
    case null: case 'any': case 'value': return emptyInterfaceArg(n, fail);
  }
  fail(`can't handle ${nodeStr(n)} for arg of type ${typ}`);
}

function emptyInterfaceArg(n: Node, fail: Fail): unknown {
  switch (n.type) {
    case 'bool': return n.value;
    case 'number': return idealConstant(n, fail);
    case 'string': return n.text;
  }
  fail(`can't handle ${nodeStr(n)} for arg of type interface {}`);
}
