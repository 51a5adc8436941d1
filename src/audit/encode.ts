// Turns a record into the one line a device writes: JSON (Vault's default) or JSONx, the
// XML rendering of JSON Vault offers as `format=jsonx`.
import type { FormatOptions } from './options.js';

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);

function jsonxValue(value: unknown, name: string | undefined): string {
  const attr = name === undefined ? '' : ` name="${escapeXml(name)}"`;
  if (value === null || value === undefined) return `<json:null${attr}/>`;
  if (typeof value === 'string') return `<json:string${attr}>${escapeXml(value)}</json:string>`;
  if (typeof value === 'number') return `<json:number${attr}>${value}</json:number>`;
  if (typeof value === 'boolean') return `<json:boolean${attr}>${value}</json:boolean>`;
  if (Array.isArray(value)) return `<json:array${attr}>${value.map((v) => jsonxValue(v, undefined)).join('')}</json:array>`;
  const members = Object.entries(value as Record<string, unknown>).map(([k, v]) => jsonxValue(v, k)).join('');
  return `<json:object${attr}>${members}</json:object>`;
}

/** The record as JSONx (IBM's XML encoding of JSON), on one line. */
export function toJsonx(record: Record<string, unknown>): string {
  return '<?xml version="1.0" encoding="UTF-8"?>' + jsonxValue(record, undefined);
}

/** The full line for a record, prefix and newline included. */
export function encodeLine(record: Record<string, unknown>, opts: FormatOptions): string {
  const body = opts.format === 'jsonx' ? toJsonx(record) : JSON.stringify(record);
  return opts.prefix + body + '\n';
}
