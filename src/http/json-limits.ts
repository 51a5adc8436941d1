// Limits on the shape of a JSON body, checked byte by byte as the body streams in, before
// JSON.parse ever sees it: nesting depth (deep values overflow the stack of whatever walks them
// later), entries per object and elements per array, and the length of each string. The names
// and defaults follow Vault's listener settings (max_json_depth and friends), except the depth:
// Vault allows 500 levels, which is also ours.
import { BadRequest } from '../util/errors.js';

/** The listener's JSON limits. */
export type JsonLimits = {
  maxDepth: number;
  maxStringValueLength: number;
  maxObjectEntryCount: number;
  maxArrayElementCount: number;
};

export const DEFAULT_JSON_LIMITS: JsonLimits = {
  maxDepth: 500,
  maxStringValueLength: 1024 * 1024,
  maxObjectEntryCount: 10_000,
  maxArrayElementCount: 10_000,
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

const refuse = (what: string) => new BadRequest(`failed to parse JSON input: ${what}`);

/**
 * Follows the structure of a JSON text across chunks. It does not validate JSON (JSON.parse
 * does that afterwards); it only counts, so it can throw as soon as a limit is crossed and the
 * rest of the body is never buffered. UTF-8 continuation bytes are all >= 0x80, so no byte of a
 * multi-byte character is mistaken for punctuation.
 */
export class JsonShapeCheck {
  readonly #limits: JsonLimits;
  /** Per open container: whether it is an array, and the commas seen in it. */
  readonly #arrays: boolean[] = [];
  readonly #commas: number[] = [];
  #inString = false;
  #escaped = false;
  #stringLength = 0;

  constructor(limits: JsonLimits) {
    this.#limits = limits;
  }

  /** Checks the next chunk of the body; throws a 400 once a limit is crossed. */
  feed(chunk: Buffer): void {
    const limits = this.#limits;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (byte === BACKSLASH) this.#escaped = true;
        else if (byte === QUOTE) {
          this.#inString = false;
          continue;
        }
        if (++this.#stringLength > limits.maxStringValueLength) {
          throw refuse(`a string is longer than the limit of ${limits.maxStringValueLength} bytes`);
        }
        continue;
      }
      switch (byte) {
        case QUOTE:
          this.#inString = true;
          this.#stringLength = 0;
          break;
        case OPEN_OBJECT:
        case OPEN_ARRAY:
          if (this.#arrays.length >= limits.maxDepth) throw refuse(`nesting depth exceeds the limit of ${limits.maxDepth}`);
          this.#arrays.push(byte === OPEN_ARRAY);
          this.#commas.push(0);
          break;
        case CLOSE_OBJECT:
        case CLOSE_ARRAY:
          this.#arrays.pop();
          this.#commas.pop();
          break;
        case COMMA: {
          const top = this.#commas.length - 1;
          if (top < 0) break;
          // n commas separate n + 1 entries.
          const entries = (this.#commas[top] = (this.#commas[top] as number) + 1) + 1;
          const isArray = this.#arrays[top] as boolean;
          const max = isArray ? limits.maxArrayElementCount : limits.maxObjectEntryCount;
          if (entries > max) throw refuse(isArray ? `an array has more than ${max} elements` : `an object has more than ${max} entries`);
          break;
        }
        default:
      }
    }
  }
}
