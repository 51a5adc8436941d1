// The type of an auth method, sink or listener block: its `type` key, or else its label.
import type { Body } from './body.js';
import { ConfigError } from './tree.js';

/** The block's type, lower-cased; a ConfigError naming `kind` when neither is given. */
export function blockType(label: string | undefined, body: Body, kind: string): string {
  const t = body.string('type') ?? label;
  if (t === undefined || t === '') throw new ConfigError(`${kind} type must be specified`);
  return t.toLowerCase();
}
