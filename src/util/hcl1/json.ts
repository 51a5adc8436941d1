// The JSON form that Vault takes wherever it takes HCL1 (a document that starts with "{").
// JSON.parse does the parsing; when it refuses, a small scan of the grammar finds where, so
// the error names line and column like HCL1's — and never echoes the text, as V8's does.
import { Hcl1Error, type Position } from './error.js';
import type { DataObject } from './decode.js';

/** Parses a JSON document whose root must be an object; throws Hcl1Error naming line and column. */
export function parseJsonDocument(text: string): DataObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const { offset, reason } = findJsonError(text);
    throw new Hcl1Error(positionAt(text, offset), reason);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Hcl1Error({ line: 1, column: 1 }, 'the document must be an object');
  }
  return value as DataObject;
}

type Refusal = { offset: number; reason: string };

/** Where and why JSON text is invalid (called only once JSON.parse has refused it). */
function findJsonError(text: string): Refusal {
  let i = 0;
  const refuse = (reason: string): never => {
    throw { offset: i, reason } satisfies Refusal;
  };
  const space = () => {
    while (/[ \t\n\r]/.test(text[i] ?? 'x')) i++;
  };
  const expect = (c: string) => (text[i] === c ? i++ : refuse(`expected ${JSON.stringify(c)}`));
  const string = () => {
    expect('"');
    for (;;) {
      const c = text[i];
      if (c === undefined || c < ' ') refuse('string not terminated');
      if (c === '"') return void i++;
      if (c === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) refuse('invalid unicode escape');
          i += 5;
        } else if ('"\\/bfnrt'.includes(text[i] ?? 'x')) i++;
        else refuse('invalid escape sequence');
      } else i++;
    }
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') return members('}', () => {
      space();
      string();
      space();
      expect(':');
      value();
    });
    if (c === '[') return members(']', value);
    if (c === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i));
    if (!literal) refuse(c === undefined ? 'unexpected end of input' : `unexpected character ${JSON.stringify(c)}`);
    i += literal?.[0].length ?? 0;
  };
  const members = (close: string, member: () => void) => {
    i++;
    space();
    if (text[i] === close) return void i++;
    for (;;) {
      member();
      space();
      if (text[i] === ',') i++;
      else if (text[i] === close) return void i++;
      else refuse(text[i] === undefined ? 'unexpected end of input' : `expected "," or ${JSON.stringify(close)}`);
    }
  };
  try {
    value();
    space();
    if (i < text.length) refuse('unexpected text after the document');
    return { offset: 0, reason: 'invalid JSON' }; // not reached: JSON.parse refused this text
  } catch (err) {
    return err as Refusal;
  }
}

function positionAt(text: string, offset: number): Position {
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}
