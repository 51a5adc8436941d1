// JSON as the CLI reads it from the server: data to check, not to trust.

export type Json = Record<string, unknown>;

/** `v` when it is a JSON object, else undefined: server bodies are data to check, not trust. */
export function asObject(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}
