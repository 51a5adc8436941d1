// Username templates in the subset of Go's text/template that Vault's templates use:
// `{{ printf "v-%s-%s" (.DisplayName | truncate 8) (random 20) | truncate 63 }}`, with Vault's
// functions (random, truncate, truncate_sha256, lowercase, uppercase, replace, unix_time,
// unix_time_millis, timestamp, uuid, sha256, base64). Anything else is refused at config time.
import { createHash, randomUUID } from 'node:crypto';
import { BadRequest } from '../../util/errors.js';
import { formatTime } from '../../util/go-time.js';
import { randomAlphanumeric } from './random.js';

/** What a template may name: `.DisplayName` and `.RoleName`. */
export type TemplateInput = { DisplayName: string; RoleName: string; now: Date };

type Token = { kind: 'str' | 'num' | 'ident' | 'field' | '(' | ')' | '|'; text: string };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:("(?:[^"\\]|\\.)*")|(-?\d+)|(\.[A-Za-z_]\w*)|([A-Za-z_]\w*)|([()|]))/y;
  let at = 0;
  while (at < src.length) {
    if (/^\s*$/.test(src.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(src);
    if (!m) throw new BadRequest(`unable to parse username template near "${src.slice(at, at + 12)}"`);
    at = re.lastIndex;
    if (m[1]) tokens.push({ kind: 'str', text: JSON.parse(m[1]) as string });
    else if (m[2]) tokens.push({ kind: 'num', text: m[2] });
    else if (m[3]) tokens.push({ kind: 'field', text: m[3].slice(1) });
    else if (m[4]) tokens.push({ kind: 'ident', text: m[4] });
    else tokens.push({ kind: m[5] as '(' | ')' | '|', text: m[5] as string });
  }
  return tokens;
}

type Fn = (args: Array<string | number>, input: TemplateInput) => string;
const str = (v: string | number | undefined) => String(v ?? '');
const int = (v: string | number | undefined) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new BadRequest('username template: expected a non-negative integer');
  return n;
};

function printf(args: Array<string | number>): string {
  const [format, ...rest] = args;
  let i = 0;
  return str(format).replace(/%[sdv%]/g, (verb) => (verb === '%%' ? '%' : str(rest[i++])));
}

/** How many hex digits of the hash truncate_sha256 keeps. */
const SHA256_KEPT = 8;

const FUNCTIONS: Record<string, Fn> = {
  printf: (a) => printf(a),
  random: (a) => randomAlphanumeric(int(a[0])),
  truncate: (a) => {
    const n = int(a[0]);
    if (n <= 0) throw new BadRequest(`username template: max length must be > 0 but was ${n}`);
    return str(a[1]).slice(0, n);
  },
  // Vault's: at most n characters, the last 8 of them a hash of what was cut off.
  truncate_sha256: (a) => {
    const n = int(a[0]);
    if (n <= SHA256_KEPT) throw new BadRequest(`username template: max length must be > ${SHA256_KEPT} but was ${n}`);
    const s = str(a[1]);
    if (s.length <= n) return s;
    const cut = n - SHA256_KEPT;
    return s.slice(0, cut) + createHash('sha256').update(s.slice(cut)).digest('hex').slice(0, SHA256_KEPT);
  },
  lowercase: (a) => str(a[0]).toLowerCase(),
  uppercase: (a) => str(a[0]).toUpperCase(),
  replace: (a) => str(a[2]).split(str(a[0])).join(str(a[1])),
  unix_time: (_a, i) => String(Math.floor(i.now.getTime() / 1000)),
  unix_time_millis: (_a, i) => String(i.now.getTime()),
  timestamp: (a, i) => formatTime(i.now, str(a[0])),
  uuid: () => randomUUID(),
  sha256: (a) => createHash('sha256').update(str(a[0])).digest('hex'),
  base64: (a) => Buffer.from(str(a[0])).toString('base64'),
};

/** Evaluates one action's tokens, reading from `pos`. */
class Evaluator {
  pos = 0;
  readonly tokens: Token[];
  readonly input: TemplateInput;
  constructor(tokens: Token[], input: TemplateInput) {
    this.tokens = tokens;
    this.input = input;
  }

  pipeline(): string {
    let value: string | undefined;
    for (;;) {
      value = this.command(value);
      if (this.tokens[this.pos]?.kind !== '|') return value;
      this.pos++;
    }
  }

  command(piped: string | undefined): string {
    const head = this.tokens[this.pos];
    if (!head) throw new BadRequest('username template: empty command');
    if (head.kind === 'ident') {
      const fn = FUNCTIONS[head.text];
      if (!fn) throw new BadRequest(`username template: function "${head.text}" not defined`);
      this.pos++;
      const args: Array<string | number> = [];
      while (this.pos < this.tokens.length && !['|', ')'].includes(this.tokens[this.pos]!.kind)) args.push(this.operand());
      if (piped !== undefined) args.push(piped);
      return fn(args, this.input);
    }
    if (piped !== undefined) throw new BadRequest('username template: cannot pipe into a value');
    return str(this.operand());
  }

  operand(): string | number {
    const t = this.tokens[this.pos++];
    if (!t) throw new BadRequest('username template: missing operand');
    if (t.kind === 'str') return t.text;
    if (t.kind === 'num') return Number(t.text);
    if (t.kind === 'field') {
      if (t.text !== 'DisplayName' && t.text !== 'RoleName') throw new BadRequest(`username template: unknown field .${t.text}`);
      return this.input[t.text];
    }
    if (t.kind === '(') {
      const v = this.pipeline();
      if (this.tokens[this.pos++]?.kind !== ')') throw new BadRequest('username template: unclosed parenthesis');
      return v;
    }
    if (t.kind === 'ident' && FUNCTIONS[t.text]) return FUNCTIONS[t.text]!([], this.input);
    throw new BadRequest(`username template: unexpected "${t.text}"`);
  }
}

/** Renders a template; throws BadRequest for one we cannot evaluate. */
export function renderUsername(template: string, input: TemplateInput): string {
  return template.replace(/\{\{-?([\s\S]*?)-?\}\}/g, (_whole, body: string) => {
    const ev = new Evaluator(tokenize(body), input);
    const out = ev.pipeline();
    if (ev.pos !== ev.tokens.length) throw new BadRequest('username template: unexpected text after the pipeline');
    return out;
  });
}
