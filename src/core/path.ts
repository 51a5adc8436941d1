// Declarative paths: a pattern with named segments, typed fields, one handler per operation.
// Field parsing, 405 for undeclared operations and `?help=1` come from here, not from engines.
import { hasNoKeys } from '../util/no-keys.js';
import { Unsupported } from '../util/errors.js';
import { checkRequired, parseFields, type Fields, type FieldValues } from './fields.js';
import type { HandlerContext, Operation, Response } from './request.js';

export { field, onlySent } from './fields.js';
export type { HandlerContext, Operation, Response } from './request.js';

/** One operation's handler. Returning undefined means "nothing to say". */
export type Handler<F extends Fields> = (ctx: HandlerContext<FieldValues<F>>) => Promise<Response | undefined | void>;

/** A path declaration as an engine writes it. */
export type PathSpec<F extends Fields> = {
  /** Segments separated by '/': literals, `:name` (one segment) or a final `*name` (the rest). */
  pattern: string;
  fields: F;
  summary: string;
  /** Tells `create` from `update` for the ACL; without it every write is an `update`. */
  exists?: (ctx: HandlerContext<FieldValues<F>>) => Promise<boolean>;
  operations: Partial<Record<Operation, Handler<F>>>;
  /** Answerable without a token (login paths, sys/health…). */
  unauthenticated?: boolean;
  /** Answerable while sealed (sys/seal-status, sys/unseal…). */
  whileSealed?: boolean;
  /** Needs `sudo` on the path as well as the operation's capability. */
  sudo?: boolean;
  /** The body is free-form secret data (kv, cubbyhole): keys that are not fields are expected. */
  freeFormData?: boolean;
};

type Segment = { kind: 'literal'; text: string } | { kind: 'param'; name: string } | { kind: 'rest'; name: string };

/** A declared path with its pattern compiled. */
export type PathDef = PathSpec<Fields> & { segments: Segment[] };

/** Declares a path; keeps the field types flowing into the handlers. */
export function definePath<F extends Fields>(spec: PathSpec<F>): PathDef {
  return { ...(spec as unknown as PathSpec<Fields>), segments: compilePattern(spec.pattern) };
}

function compilePattern(pattern: string): Segment[] {
  const parts = pattern.split('/');
  const segments = parts.map((part): Segment => {
    if (part.startsWith(':')) return { kind: 'param', name: part.slice(1) };
    if (part.startsWith('*')) return { kind: 'rest', name: part.slice(1) };
    return { kind: 'literal', text: part };
  });
  const rest = segments.findIndex((s) => s.kind === 'rest');
  // A remainder may be followed only by literals (`mounts/*path/tune`), so matching stays unambiguous.
  if (rest !== -1 && segments.slice(rest + 1).some((s) => s.kind !== 'literal')) {
    throw new TypeError(`only literal segments may follow "*": ${pattern}`);
  }
  return segments;
}

/** A URL matched to a path: its URL parameters and a specificity score for ranking. */
type Match = { def: PathDef; params: Record<string, string>; score: number[] };

function matchOne(def: PathDef, parts: string[]): Match | undefined {
  const params: Record<string, string> = {};
  const score: number[] = [];
  for (let i = 0; i < def.segments.length; i++) {
    const seg = def.segments[i] as Segment;
    if (seg.kind === 'rest') return matchRest(def, parts, i, params, score);
    const part = parts[i];
    if (part === undefined) return undefined;
    if (seg.kind === 'literal') {
      if (seg.text !== part) return undefined;
      score.push(2);
    } else {
      if (part === '') return undefined;
      params[seg.name] = part;
      score.push(1);
    }
  }
  return def.segments.length === parts.length ? { def, params, score } : undefined;
}

/** Matches a `*rest` at segment `at` and the literal segments after it, from the end. */
function matchRest(def: PathDef, parts: string[], at: number, params: Record<string, string>, score: number[]): Match | undefined {
  const tail = def.segments.slice(at + 1) as Array<{ kind: 'literal'; text: string }>;
  const restEnd = parts.length - tail.length;
  if (restEnd <= at) return undefined;
  if (tail.some((seg, j) => parts[restEnd + j] !== seg.text)) return undefined;
  const rest = parts.slice(at, restEnd).join('/');
  if (rest === '') return undefined;
  params[(def.segments[at] as { name: string }).name] = rest;
  return { def, params, score: [...score, 0, ...tail.map(() => 2)] };
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** The shape of a pattern with parameter names erased: two equal shapes are ambiguous. */
const shapeOf = (def: PathDef) => def.segments.map((s) => (s.kind === 'literal' ? `=${s.text}` : s.kind)).join('/');

/** How many matched paths a table remembers (then it starts over). */
const RECENT_MATCHES = 1024;

/** A set of paths that routes by specificity: a literal segment beats a parameter. */
export class PathTable {
  readonly defs: PathDef[];
  constructor(defs: PathDef[]) {
    const seen = new Map<string, string>();
    for (const def of defs) {
      const shape = shapeOf(def);
      const other = seen.get(shape);
      if (other !== undefined) throw new TypeError(`ambiguous paths: "${other}" and "${def.pattern}"`);
      seen.set(shape, def.pattern);
    }
    this.defs = defs;
  }

  /**
   * Recent answers of `match`, by path: a hot path is matched against every declaration of
   * its backend on each request otherwise. Bounded (in count, and long paths are not kept);
   * the answers (params included) are frozen,
   * since they are shared between requests.
   */
  readonly #recent = new Map<string, { def: PathDef; params: Readonly<Record<string, string>> } | undefined>();

  /** The most specific path matching `path`, with its URL parameters. */
  match(path: string): { def: PathDef; params: Record<string, string> } | undefined {
    const known = this.#recent.get(path);
    if (known !== undefined || this.#recent.has(path)) return known;
    const parts = path.split('/');
    let best: Match | undefined;
    for (const def of this.defs) {
      const m = matchOne(def, parts);
      if (m && (!best || compareScores(m.score, best.score) > 0)) best = m;
    }
    const found = best && Object.freeze({ def: best.def, params: Object.freeze(best.params) });
    if (path.length > 512) return found;
    if (this.#recent.size >= RECENT_MATCHES) this.#recent.clear();
    this.#recent.set(path, found);
    return found;
  }
}

/** Runs a matched path's handler: parse fields (URL segments beat body values), then call. */
export async function runPath(
  def: PathDef,
  params: Record<string, string>,
  base: Omit<HandlerContext<unknown>, 'fields' | 'sent'>,
): Promise<{ response: Response | undefined; warnings: string[] }> {
  const handler = def.operations[base.operation];
  if (!handler) throw new Unsupported();
  const isWrite = base.operation === 'create' || base.operation === 'update';
  const { values, sent, unknown } = parsedFields(def, params, base.request, isWrite);
  const response = (await handler(handlerContext(base, values, sent))) ?? undefined;
  if (unknown.length === 0 || def.freeFormData || !hasBody(base.request)) return { response, warnings: [] };
  const ignored = unknown.filter((k) => !(k in params));
  return { response, warnings: ignored.length > 0 ? [`Endpoint ignored these unrecognized parameters: [${ignored.join(' ')}]`] : [] };
}

type Parsed = ReturnType<typeof parseFields>;

/**
 * A handler's context, written out field by field: the bases come in several shapes (sealed
 * paths, logins, help), and a spread of a base whose shape varies took V8's slow path (~2 µs,
 * the largest single cost of a KV read in the profile).
 */
function handlerContext<V>(base: Omit<HandlerContext<unknown>, 'fields' | 'sent'>, fields: V, sent: Set<string>): HandlerContext<V> {
  return {
    operation: base.operation, path: base.path, fields, sent, storage: base.storage, request: base.request, mount: base.mount,
    caller: base.caller, clock: base.clock, defaults: base.defaults, passwords: base.passwords, log: base.log,
  };
}

/**
 * Fields parsed for a request's create-or-update check, by request: `runPath` takes them over
 * instead of parsing the same body a second time. Valid only for the same path, URL
 * parameters and data; taken once.
 */
const parsedForCheck = new WeakMap<object, { def: PathDef; params: Record<string, string>; data: unknown; parsed: Parsed }>();

/** The request's fields for `def`: parsed now, or taken over from `resolveWriteOperation`. */
function parsedFields(def: PathDef, params: Record<string, string>, request: HandlerContext<unknown>['request'], enforceRequired: boolean): Parsed {
  const known = parsedForCheck.get(request);
  if (known !== undefined) {
    parsedForCheck.delete(request);
    if (known.def === def && known.params === params && known.data === request.data) {
      if (enforceRequired) checkRequired(def.fields, known.parsed.sent);
      return known.parsed;
    }
  }
  return parseFields(def.fields, fieldInput(request.data, params), enforceRequired);
}

/** What fields are parsed from: the request's data with the URL's segments over it (neither is changed). */
function fieldInput(data: Record<string, unknown>, params: Readonly<Record<string, string>>): Record<string, unknown> {
  if (hasNoKeys(data)) return params;
  return hasNoKeys(params) ? data : { ...data, ...params };
}


const hasBody = (req: { operation: Operation }) => req.operation !== 'read' && req.operation !== 'list';

/** Decides whether a write is a `create` or an `update`, asking the path when it can tell. */
export async function resolveWriteOperation(
  def: PathDef,
  params: Record<string, string>,
  base: Omit<HandlerContext<unknown>, 'fields' | 'sent'>,
): Promise<Operation> {
  if (base.operation !== 'create' && base.operation !== 'update') return base.operation;
  const has = (op: Operation) => def.operations[op] !== undefined;
  if (!def.exists) return has('update') || !has('create') ? 'update' : 'create';
  const parsed = parseFields(def.fields, fieldInput(base.request.data, params), false);
  parsedForCheck.set(base.request, { def, params, data: base.request.data, parsed });
  const exists = await def.exists(handlerContext(base, parsed.values, parsed.sent));
  if (exists) return 'update';
  return has('create') ? 'create' : 'update';
}
