import type { IToken } from 'chevrotain';

const LINE_TERMINATOR = /\n/g;

/**
 * Line and column of a token's last character, from its start and its image,
 * the way Chevrotain's `positionTracking: "full"` computes them (the lexer
 * tracks offsets only; the end is needed for one token per file at most).
 * A line terminator as the very last character does not move the end.
 */
export function tokenEnd(t: IToken, startLine: number, startColumn: number): { line: number; column: number } {
  const image = t.image;
  const plain = { line: startLine, column: startColumn + image.length - 1 };
  let count = 0;
  let lastEnd = -1;
  LINE_TERMINATOR.lastIndex = 0;
  while (LINE_TERMINATOR.test(image)) {
    count++;
    lastEnd = LINE_TERMINATOR.lastIndex - 1;
  }
  if (count === 0) return plain;
  const endsInTerminator = lastEnd === image.length - 1;
  if (count === 1 && endsInTerminator) return plain;
  const fix = endsInTerminator ? -1 : 0;
  return { line: startLine + count + fix, column: image.length - lastEnd - 1 - fix };
}
