import type { CustomPatternMatcherFunc } from 'chevrotain';
import { MAX_STRAY_CHARACTERS } from '../limits.js';

/** Stray characters matched since {@link resetStrays}. */
let strays = 0;

/** Start counting stray characters for a new text. */
export function resetStrays(): void {
  strays = 0;
}

/**
 * The lexer's last resort: one character no other token starts with (what
 * would be a lexer error). After MAX_STRAY_CHARACTERS of them it matches the
 * rest of the text, so the lexer stops there instead of recording millions
 * of errors (a 16 MiB file of `* ` took 48 s and 2.5 GB).
 */
export const strayPattern: CustomPatternMatcherFunc = (text, offset) => {
  if (offset >= text.length) return null;
  strays++;
  const end = strays > MAX_STRAY_CHARACTERS ? text.length : offset + 1;
  return [text.slice(offset, end)] as unknown as RegExpExecArray;
};

/**
 * Every character code, one per bucket of Chevrotain's first-character
 * table (0–255 each, then one per 255 codes): the start characters of the
 * last-resort token.
 */
export function everyCharacterHint(): number[] {
  const hint: number[] = [];
  for (let c = 0; c < 256; c++) hint.push(c);
  hint.push(256);
  for (let k = 2; k * 255 <= 0xffff; k++) hint.push(k * 255);
  return hint;
}
