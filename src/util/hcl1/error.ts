// A syntax or shape error located in the text. The message reads as HCL1's does,
// "At 3:7: …", so a Vault user meets the form they know.

/** 1-based line and column of a character in the source text. */
export type Position = { line: number; column: number };

export class Hcl1Error extends Error {
  readonly pos: Position;
  /** The message without its location. */
  readonly reason: string;

  constructor(pos: Position, reason: string) {
    super(`At ${pos.line}:${pos.column}: ${reason}`);
    this.name = 'Hcl1Error';
    this.pos = pos;
    this.reason = reason;
  }
}
