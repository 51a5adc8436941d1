// A template's `wait { min, max }`, consul-template's quiescence: a new text is held until it
// has stayed the same for `min` (each change starts that again), but never past `max` after
// the change that started the hold; then the latest text is delivered. The first render waits
// too, as consul-template's does. Times are the injected scheduler's.

export class Quiescence {
  readonly #min: number;
  readonly #max: number;
  #held: { text: string; dueAt: number; deadline: number } | undefined;
  #delivered: string | undefined;

  constructor(minMs: number, maxMs: number) {
    this.#min = minMs;
    this.#max = Math.max(minMs, maxMs);
  }

  /** A pass rendered `text` at `now`: returns the text to deliver now, or undefined while it is held. */
  offer(text: string, now: number): string | undefined {
    let held = this.#held;
    if (!held) {
      if (text === this.#delivered) return text;
      held = { text, dueAt: now + this.#min, deadline: now + this.#max };
      this.#held = held;
    } else if (text !== held.text) {
      held.text = text;
      held.dueAt = Math.min(now + this.#min, held.deadline);
    }
    if (now < held.dueAt) return undefined;
    this.#held = undefined;
    this.#delivered = held.text;
    return held.text;
  }

  /** When the held text is due, if one is held. */
  get dueAt(): number | undefined {
    return this.#held?.dueAt;
  }
}
