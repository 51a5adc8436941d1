// The Go value model the evaluator works on. Template data arrives as plain JS values; this
// module says which Go type each one stands for, so printing, comparison and error texts can
// follow Go: objects are map[string]interface{}, arrays []interface{}, integral numbers int,
// other numbers float64, LosslessNumber json.Number (a string type), null a nil interface.
import { isLosslessNumber, type LosslessNumber } from 'lossless-json';

/** A float64 whose value happens to be integral (1.0 is float64 in Go, 1 is int). */
export class GoFloat {
  readonly v: number;
  constructor(v: number) { this.v = v; }
}

/**
 * A Go struct value (or pointer to one, when typeName starts with "*"). `fields` null is a nil
 * pointer. Field access is checked against `fieldNames`: an unknown field is an error whatever
 * missingkey says, as it is for Go structs.
 */
/** A method without arguments on a struct value (never printed, as in Go). */
export type GoMethod = (self: GoStruct) => unknown;

export class GoStruct {
  readonly typeName: string;
  readonly fieldNames: readonly string[];
  readonly fields: Readonly<Record<string, unknown>> | null;
  readonly methods: Readonly<Record<string, GoMethod>>;
  constructor(typeName: string, fieldNames: readonly string[], fields: Readonly<Record<string, unknown>> | null, methods: Readonly<Record<string, GoMethod>> = {}) {
    this.typeName = typeName; this.fieldNames = fieldNames; this.fields = fields; this.methods = methods;
  }
  get isPointer(): boolean { return this.typeName.startsWith('*'); }
  get isNil(): boolean { return this.fields === null; }
}

/** A value read out of a container of interface{} (map value, slice element): Go reports its
 * static type as `interface {}` in field errors, so the evaluator keeps that fact with it. */
export class Iface {
  readonly v: unknown;
  constructor(v: unknown) { this.v = v; }
}

export const unbox = (v: unknown): unknown => (v instanceof Iface ? v.v : v);

const stringSlices = new WeakSet<readonly unknown[]>();
/** Marks an array as Go's []string (what split and secrets return). */
export function goStrings(a: string[]): string[] { stringSlices.add(a); return a; }
export const isStringSlice = (a: readonly unknown[]): boolean => stringSlices.has(a);

export type Kind = 'invalid' | 'nil' | 'bool' | 'int' | 'float' | 'string' | 'slice' | 'map' | 'struct' | 'ptr' | 'func';

export function isMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

export const isNumber = (v: unknown): v is LosslessNumber => isLosslessNumber(v);

export function kindOf(v: unknown): Kind {
  if (v === undefined) return 'invalid';
  if (v === null) return 'nil';
  if (v instanceof Iface) return kindOf(v.v);
  switch (typeof v) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return Number.isInteger(v) ? 'int' : 'float';
    case 'bigint': return 'int';
    case 'function': return 'func';
  }
  if (v instanceof GoFloat) return 'float';
  if (isLosslessNumber(v)) return 'string';
  if (Array.isArray(v)) return 'slice';
  if (v instanceof GoStruct) return v.isPointer ? 'ptr' : 'struct';
  return 'map';
}

/** Go's name for the dynamic type (reflect.Type.String()). */
export function typeName(v: unknown): string {
  if (v instanceof Iface) return typeName(v.v);
  if (v === null || v === undefined) return '<nil>';
  switch (typeof v) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return Number.isInteger(v) ? 'int' : 'float64';
    case 'bigint': return 'int';
    case 'function': return 'func(...interface {}) interface {}';
  }
  if (v instanceof GoFloat) return 'float64';
  if (isLosslessNumber(v)) return 'json.Number';
  if (Array.isArray(v)) return stringSlices.has(v) ? '[]string' : '[]interface {}';
  if (v instanceof GoStruct) return v.typeName;
  return 'map[string]interface {}';
}

/** The numeric value of an int or float64 (callers check the kind first). */
export function num(v: unknown): number {
  v = unbox(v);
  if (v instanceof GoFloat) return v.v;
  if (typeof v === 'bigint') return Number(v);
  return v as number;
}

/** Wraps a float64 result so an integral value keeps its float type. */
export const float = (n: number): number | GoFloat => (Number.isInteger(n) ? new GoFloat(n) : n);

/** The string value of a string-kind value (string or json.Number). */
export const str = (v: unknown): string => {
  v = unbox(v);
  return isLosslessNumber(v) ? v.value : (v as string);
};

/** Length in Go terms (strings count UTF-8 bytes). */
export function goLen(v: unknown): number {
  v = unbox(v);
  if (typeof v === 'string' || isLosslessNumber(v)) return Buffer.byteLength(str(v));
  if (Array.isArray(v)) return v.length;
  return Object.keys(v as object).length;
}

/** Go's truth (text/template isTrue); ok false for values if/with cannot use. */
export function isTrue(v: unknown): { truth: boolean; ok: boolean } {
  v = unbox(v);
  switch (kindOf(v)) {
    case 'invalid': case 'nil': return { truth: false, ok: true };
    case 'bool': return { truth: v as boolean, ok: true };
    case 'int': case 'float': return { truth: num(v) !== 0, ok: true };
    case 'string': case 'slice': case 'map': return { truth: goLen(v) > 0, ok: true };
    case 'struct': return { truth: true, ok: true };
    case 'ptr': return { truth: !(v as GoStruct).isNil, ok: true };
    case 'func': return { truth: true, ok: true };
  }
}

/** Map keys in Go's fmt/range order (map[string]…: byte-wise string order). */
export function sortedKeys(m: Record<string, unknown>): string[] {
  return Object.keys(m).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
