// Go parameter types for functions callable from templates. Go checks each argument against
// the function's declared type before the call ("wrong type for value; expected string; got
// json.Number"); functions without a recorded signature take any number of interface{} values.

/** 'value' is reflect.Value: anything, including a missing value (Go's built-ins take these). */
export type ParamType = 'any' | 'value' | 'string' | 'int' | 'float64' | 'bool' | '[]interface {}' | '[]string' | 'map[string]interface {}';

export interface Signature { params: readonly ParamType[]; variadic?: ParamType }

const signatures = new WeakMap<object, Signature>();

/** Records fn's Go signature and returns fn. */
export function typed(params: readonly ParamType[], fn: (...args: never[]) => unknown, variadic?: ParamType): (...args: unknown[]) => unknown {
  signatures.set(fn, variadic ? { params, variadic } : { params });
  return fn as (...args: unknown[]) => unknown;
}

export const signatureOf = (fn: object): Signature => signatures.get(fn) ?? { params: [], variadic: 'any' };

/** An error a function returns (Go's `error` result); the evaluator prefixes "error calling f: ". */
export class GoError extends Error {}
