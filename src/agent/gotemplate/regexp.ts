// Go's regexp (RE2 syntax) on top of JS RegExp: translates the syntax that differs ((?P<name>),
// leading flag groups, \A \z \Q…\E, POSIX classes, Go's \s), and replaces the way Go's
// ReplaceAllString does (Expand's $name/${name}, no empty match right after a match).
import { GoError } from './signature.js';

const posix: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9', graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

const syntaxChars = new Set('^$\\.*+?()[]{}|/'.split(''));

function escapeLiteral(ch: string): string {
  return syntaxChars.has(ch) || ch === '-' ? '\\' + ch : ch;
}

function fail(msg: string, expr: string): never {
  throw new GoError(`error parsing regexp: ${msg}: \`${expr}\``);
}

/** Translates an RE2 pattern into a JS pattern and flags. */
export function translate(re: string): { source: string; flags: string } {
  let flags = 'u';
  let i = 0;
  const lead = /^\(\?([imsU]+)\)/.exec(re);
  if (lead) {
    if (lead[1]!.includes('U')) fail('invalid or unsupported Perl syntax', '(?U');
    for (const f of lead[1]!) if (!flags.includes(f)) flags += f;
    i = lead[0].length;
  }
  let out = '';
  let depth = 0;
  let inClass = false;
  const n = re.length;
  while (i < n) {
    const c = re[i]!;
    if (c === '\\') {
      const e = re[i + 1];
      if (e === undefined) fail('trailing backslash at end of expression', '');
      if (e === 'Q') {
        const end = re.indexOf('\\E', i + 2);
        const lit = re.slice(i + 2, end < 0 ? n : end);
        out += [...lit].map(escapeLiteral).join('');
        i = end < 0 ? n : end + 2;
        continue;
      }
      if (e === 'A' && !inClass) { out += '(?<![\\s\\S])'; i += 2; continue; }
      if (e === 'z' && !inClass) { out += '(?![\\s\\S])'; i += 2; continue; }
      if (e === 's') { out += inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]'; i += 2; continue; }
      if (e === 'S' && !inClass) { out += '[^\\t\\n\\f\\r ]'; i += 2; continue; }
      if ((e === 'p' || e === 'P') && re[i + 2] !== '{') { out += `\\${e}{${re[i + 2] ?? ''}}`; i += 3; continue; }
      if (e === 'x' && re[i + 2] === '{') {
        const end = re.indexOf('}', i);
        out += `\\u{${re.slice(i + 3, end)}}`;
        i = end + 1;
        continue;
      }
      if (e >= '0' && e <= '7' && (e !== '0' || /[0-7]/.test(re[i + 2] ?? ''))) {
        const m = /^[0-7]{1,3}/.exec(re.slice(i + 1))![0];
        if (e !== '0' && m.length === 1 && !inClass) fail('invalid escape sequence', '\\' + e);
        out += `\\u{${parseInt(m, 8).toString(16)}}`;
        i += 1 + m.length;
        continue;
      }
      if (/[A-Za-z0-9]/.test(e)) {
        if (!/[dDwWbBpPnrtfvaxsS0]/.test(e)) fail('invalid escape sequence', '\\' + e);
        out += e === 'a' ? '\\x07' : '\\' + e;
        i += 2;
        continue;
      }
      out += escapeLiteral(e);
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && re[i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(re.slice(i));
        if (m && posix[m[2]!]) {
          if (m[1]) fail('invalid character class range', m[0]);
          out += posix[m[2]!];
          i += m[0].length;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      i++;
      continue;
    }
    switch (c) {
      case '[': {
        inClass = true;
        out += '[';
        i++;
        if (re[i] === '^') { out += '^'; i++; }
        if (re[i] === ']') { out += '\\]'; i++; }
        continue;
      }
      case '(':
        depth++;
        if (re.startsWith('(?P<', i)) { out += '(?<'; i += 4; continue; }
        if (re.startsWith('(?P=', i)) fail('invalid named capture', re.slice(i));
        if (/^\(\?[imsU-]+[:)]/.test(re.slice(i))) fail('invalid or unsupported Perl syntax', re.slice(i, re.indexOf(re.slice(i).match(/[:)]/)![0], i) + 1));
        break;
      case ')':
        depth--;
        if (depth < 0) fail('unexpected )', re);
        break;
    }
    out += c;
    i++;
  }
  if (inClass) fail('missing closing ]', re.slice(re.lastIndexOf('[')));
  if (depth > 0) fail('missing closing )', re);
  return { source: out, flags };
}

/** regexp.Compile. */
export function compile(re: string): RegExp {
  const { source, flags } = translate(re);
  try { return new RegExp(source, flags + 'g'); } catch (e) {
    throw new GoError(`error parsing regexp: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}

/** Go's Regexp.Expand template syntax: $1, ${1}, $name, ${name}, $$. */
function expand(template: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < template.length;) {
    const c = template[i]!;
    if (c !== '$') { out += c; i++; continue; }
    if (template[i + 1] === '$') { out += '$'; i += 2; continue; }
    let name: string | undefined;
    let len = 0;
    if (template[i + 1] === '{') {
      const mm = /^\{([A-Za-z0-9_]+)\}/.exec(template.slice(i + 1));
      if (mm) { name = mm[1]; len = mm[0].length + 1; }
    } else {
      const mm = /^[A-Za-z0-9_]+/.exec(template.slice(i + 1));
      if (mm) { name = mm[0]; len = mm[0].length + 1; }
    }
    if (name === undefined) { out += '$'; i++; continue; }
    if (/^\d+$/.test(name)) out += m[Number(name)] ?? '';
    else out += m.groups?.[name] ?? '';
    i += len;
  }
  return out;
}

/** Regexp.ReplaceAllString. */
export function replaceAll(re: RegExp, s: string, template: string): string {
  let out = '';
  let last = 0;
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    const width = start < s.length ? String.fromCodePoint(s.codePointAt(start)!).length : 1;
    if (start === end && start === prevEnd) { pos = start + width; continue; }
    out += s.slice(last, start) + expand(template, m);
    last = end;
    prevEnd = end;
    pos = start === end ? start + width : end;
  }
  return out + s.slice(last);
}
