import type { IToken } from 'chevrotain';

/**
 * Thrown inside the parser to stop it (not a recognition exception, so
 * Chevrotain's recovery lets it through): nesting deeper than the limit at
 * `token`, or too many syntax errors. `depth` is the number of brackets
 * open when it was thrown.
 */
export class ParseAbort extends Error {
  readonly reason: 'nesting' | 'errors';
  readonly depth: number;

  constructor(reason: 'nesting' | 'errors', depth: number) {
    super(reason === 'nesting' ? 'nesting too deep' : 'too many syntax errors');
    this.name = 'ParseAbort';
    this.reason = reason;
    this.depth = depth;
  }
}

/** Where and why the parser stopped reading (part of) a file; `nestings`: too many statements nested too deeply. */
export interface ParseStop {
  readonly reason: 'nesting' | 'errors' | 'nestings';
  /** The token it stopped at (the bracket one level too deep, or the next token to read). */
  readonly token: IToken;
}
