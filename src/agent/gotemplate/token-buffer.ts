// The parser's look-ahead over the lexer, as Go's: up to three items read ahead and pushed back.
import { type Item, type Lexer, T } from './lexer.js';

export class TokenBuffer {
  readonly #lex: Lexer;
  // token[0] is the last item read, so errors report its line.
  #token: Item[];
  #peekCount: number;

  constructor(lex: Lexer, token: Item[] = [], peekCount = 0) {
    this.#lex = lex;
    this.#token = token;
    this.#peekCount = peekCount;
  }

  /**
   * A buffer over the same lexer and items for a nested definition's parser; with
   * `keepLookAhead` it also sees the items read ahead but not yet used.
   */
  share(keepLookAhead: boolean): TokenBuffer {
    return new TokenBuffer(this.#lex, this.#token, keepLookAhead ? this.#peekCount : 0);
  }

  /** Picks up the look-ahead where a shared buffer's parser left it. */
  resume(from: TokenBuffer): void { this.#peekCount = from.#peekCount; }

  /** The line of the last item read (1 before any). */
  get line(): number { return this.#token[0]?.line ?? 1; }

  next(): Item {
    if (this.#peekCount > 0) this.#peekCount--;
    else this.#token[0] = this.#lex.nextItem();
    return this.#token[this.#peekCount]!;
  }
  backup(): void { this.#peekCount++; }
  backup2(t1: Item): void { this.#token[1] = t1; this.#peekCount = 2; }
  backup3(t2: Item, t1: Item): void { this.#token[1] = t1; this.#token[2] = t2; this.#peekCount = 3; }
  peek(): Item {
    if (this.#peekCount > 0) return this.#token[this.#peekCount - 1]!;
    this.#peekCount = 1;
    this.#token[0] = this.#lex.nextItem();
    return this.#token[0];
  }
  nextNonSpace(): Item {
    let t: Item;
    do t = this.next(); while (t.typ === T.Space);
    return t;
  }
  peekNonSpace(): Item { const t = this.nextNonSpace(); this.backup(); return t; }
}
