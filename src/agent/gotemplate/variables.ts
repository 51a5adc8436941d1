// A template's variables while it runs: a stack of $names, cut back when a scope ends.

interface Variable { name: string; value: unknown }

export class Variables {
  readonly #vars: Variable[];

  /** A template's own variables: `$` is its data. */
  constructor(dot: unknown) { this.#vars = [{ name: '$', value: dot }]; }

  /** Where the current scope starts; pop(mark) ends it. */
  mark(): number { return this.#vars.length; }
  pop(mark: number): void { this.#vars.length = mark; }
  push(name: string, value: unknown): void { this.#vars.push({ name, value }); }
  /** Sets the n-th variable from the top (1 is the last pushed). */
  setTop(n: number, value: unknown): void { this.#vars[this.#vars.length - n]!.value = value; }

  /** Assigns to the innermost variable `name`; false when there is none. */
  set(name: string, value: unknown): boolean {
    for (let i = this.mark() - 1; i >= 0; i--) if (this.#vars[i]!.name === name) { this.#vars[i]!.value = value; return true; }
    return false;
  }

  /** The innermost variable `name`, boxed so that an undefined value is told from none. */
  find(name: string): { value: unknown } | undefined {
    for (let i = this.mark() - 1; i >= 0; i--) if (this.#vars[i]!.name === name) return this.#vars[i]!;
    return undefined;
  }
}
