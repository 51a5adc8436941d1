// A typed face over hcl2-parser (a GopherJS build of hcl2json). Its errors arrive as opaque
// Go objects with no readable message, so a syntax error can only be reported as such.
import { createRequire } from 'node:module';

type Hcl2Parser = { parseToObject(text: string): [unknown, unknown] };

const require = createRequire(import.meta.url);
const parser = require('hcl2-parser') as Hcl2Parser;

/** Parses HCL text to plain data (blocks become arrays of objects); undefined when the syntax is invalid. */
export function parseHcl(text: string): unknown {
  try {
    const [value, error] = parser.parseToObject(text);
    return error === null || error === undefined ? value : undefined;
  } catch {
    return undefined; // a GopherJS panic: treat like any other syntax error
  }
}
