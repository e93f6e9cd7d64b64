/**
 * Where the lines of a text start ("\n" ends a line, as in the lexer), to
 * turn an offset into a 1-based line and column. The lexer tracks offsets
 * only; positions are looked up here, mostly in increasing order, so the
 * line of the previous lookup is tried first.
 */
export class LineIndex {
  readonly #starts: number[] = [0];
  #hint = 0;

  constructor(text: string) {
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) this.#starts.push(nl + 1);
  }

  /** The 1-based line of an offset (NaN for NaN: a token the parser inserted). */
  line(offset: number): number {
    if (Number.isNaN(offset)) return NaN;
    const starts = this.#starts;
    let i = this.#hint;
    if (offset >= (starts[i + 1] ?? Infinity) && offset < (starts[i + 2] ?? Infinity)) i++;
    if (!((starts[i] as number) <= offset && offset < (starts[i + 1] ?? Infinity))) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((starts[mid] as number) <= offset) lo = mid;
        else hi = mid - 1;
      }
      i = lo;
    }
    this.#hint = i;
    return i + 1;
  }

  /** The 1-based column of an offset on its line. */
  column(offset: number, line: number = this.line(offset)): number {
    return offset - (this.#starts[line - 1] ?? NaN) + 1;
  }
}
