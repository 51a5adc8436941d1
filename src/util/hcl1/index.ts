// HCL1, the configuration language Vault reads policies and server config files with, and
// the JSON form Vault takes in its place. A leaf: it imports nothing else from src/, so every
// layer may use it.
import { decodeBody, type DataObject } from './decode.js';
import { parseJsonDocument } from './json.js';
import { parseHcl1 } from './parser.js';

export { Hcl1Error, type Position } from './error.js';
export type { Data, DataObject } from './decode.js';
export { parseHcl1 } from './parser.js';
export { parseJsonDocument } from './json.js';

/** Parses HCL1 text to plain data (see decode.ts for the shape); throws Hcl1Error with line:column. */
export function decodeHcl1(text: string): DataObject {
  return decodeBody(parseHcl1(text));
}

/** True when Vault would read the text as JSON: it starts with "{" (HCL1 never does). */
export const looksLikeJson = (text: string): boolean => text.trim().startsWith('{');

/** Vault's rule for a policy or config file: JSON if it starts with "{", otherwise HCL1. */
export function decodeHcl1OrJson(text: string): DataObject {
  return looksLikeJson(text) ? parseJsonDocument(text) : decodeHcl1(text);
}
