// `?help=1` on any path: the path's summary and its fields, built from the declaration, so
// every engine's help is as complete as its field list.
import type { PathDef } from './path.js';

/** Whether a request asks for help instead of the operation (`?help=1`, `?help=true`). */
export function wantsHelp(query: Record<string, string>): boolean {
  const v = query.help;
  return v !== undefined && ['1', 't', 'true', 'True', 'TRUE'].includes(v);
}

/** Vault's help answer for one declared path. */
export function helpFor(def: PathDef, requestPath: string): { help: string; see_also: null; openapi: Record<string, unknown> } {
  const operations = Object.keys(def.operations).sort();
  const fields = Object.entries(def.fields).sort(([a], [b]) => (a < b ? -1 : 1));
  const params = fields.map(([name, f]) => {
    const extra = [f.required ? 'required' : '', f.default !== undefined ? `default: ${JSON.stringify(f.default)}` : '']
      .filter((x) => x !== '').join(', ');
    return `    ${name} (${f.kind}${extra ? `; ${extra}` : ''})\n        ${f.description}`;
  });
  const help = [
    `Request:        ${requestPath}`,
    `Matching Route: ${def.pattern}`,
    '',
    def.summary,
    '',
    '## OPERATIONS',
    '',
    ...operations.map((op) => `    ${op}`),
    ...(params.length > 0 ? ['', '## PARAMETERS', '', ...params] : []),
  ].join('\n');
  const parameters = fields.map(([name, f]) => ({ name, description: f.description, required: f.required === true, type: f.kind }));
  return { help, see_also: null, openapi: { openapi: '3.0.2', paths: { [`/${def.pattern}`]: { description: def.summary, parameters } } } };
}
