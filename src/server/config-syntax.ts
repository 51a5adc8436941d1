// Where a configuration file's syntax goes wrong, as `line:column: reason`. JSON.parse names an
// offset; the HCL parser (Go's hcl2json compiled to JS) returns its diagnostics without text or
// position, so a small scanner finds the usual mistakes itself: an unterminated string or
// comment, brackets that do not match, and an `=` with no value. It only locates; the real
// parser still decides what is valid.

/** 1-based line and column of `offset` in `text`. */
export function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Whether JSON.parse fails on `prefix` only because it ends (a valid start of a document). */
function validPrefix(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (err) {
    const m = /at position (\d+)/.exec((err as Error).message);
    return /Unexpected end of JSON input/.test((err as Error).message) || (m !== null && Number(m[1]) >= prefix.trimEnd().length);
  }
}

/**
 * `line:column: reason` for a JSON text JSON.parse refused. V8 names the offset only for some
 * errors, so the offset is found as the end of the longest prefix that is a valid start.
 */
export function jsonSyntaxError(text: string, err: Error): string {
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (validPrefix(text.slice(0, mid))) lo = mid;
    else hi = mid - 1;
  }
  const { line, column } = position(text, lo);
  const reason = err.message.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '')
    .replace(/^Unexpected end of JSON input$/, 'unexpected end of input');
  return `${line}:${column}: ${reason}`;
}

const CLOSERS: Record<string, string> = { '}': '{', ']': '[', ')': '(' };

/** The first structural mistake in HCL text as `line:column: reason`, or undefined if none is found. */
export function hclSyntaxError(text: string): string | undefined {
  const at = (offset: number, reason: string) => {
    const { line, column } = position(text, offset);
    return `${line}:${column}: ${reason}`;
  };
  const open: Array<{ ch: string; offset: number }> = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '#' || (ch === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return at(i, 'unterminated comment: a /* is never closed');
      i = end + 2;
      continue;
    }
    if (ch === '<' && text[i + 1] === '<') {
      const m = /^<<-?([A-Za-z_]\w*)\n/.exec(text.slice(i));
      if (m) {
        const end = new RegExp(`\\n\\s*${m[1]}\\s*(\\n|$)`).exec(text.slice(i + m[0].length - 1));
        if (!end) return at(i, `unterminated heredoc: no closing ${m[1]} line`);
        i += m[0].length - 1 + end.index + end[0].length;
        continue;
      }
    }
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      if (text[j] !== '"') return at(i, 'unterminated string: a quoted value has no closing quote on its line');
      i = j + 1;
      continue;
    }
    if (ch === '{' || ch === '[' || ch === '(') open.push({ ch, offset: i });
    else if (ch in CLOSERS) {
      const top = open.pop();
      if (!top) return at(i, `unexpected "${ch}": nothing is open here`);
      if (top.ch !== CLOSERS[ch]) return at(i, `"${ch}" does not close the "${top.ch}" opened at ${position(text, top.offset).line}:${position(text, top.offset).column}`);
    } else if (ch === '=' && text[i + 1] !== '=' && !'!<>='.includes(text[i - 1] ?? '')) {
      const rest = /^=[ \t]*(\r?\n|$|#|\/\/)/.exec(text.slice(i));
      if (rest) return at(i, 'expected a value after "="');
    }
    i++;
  }
  const last = open.pop();
  if (last) return at(last.offset, `"${last.ch}" is never closed`);
  return undefined;
}
