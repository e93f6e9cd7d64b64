import type { CustomPatternMatcherFunc } from 'chevrotain';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Characters that end a string's line; a backslash cannot escape them (as `.` in a regular expression). */
function endsLine(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
}

/**
 * A lexer pattern for `"…"` on one line with backslash escapes: the same
 * strings as `/"(?:[^"\\\n]|\\.)*"/`, but a loop instead of a regular
 * expression, whose backtracking stack overflows on strings of some
 * megabytes. With `terminated: false` it matches a string missing its
 * closing quote, up to where the line (or the file) ends.
 */
export function stringPattern(terminated: boolean): CustomPatternMatcherFunc {
  return (text, offset) => {
    if (text.charCodeAt(offset) !== QUOTE) return null;
    let i = offset + 1;
    for (;;) {
      if (i >= text.length) break;
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        if (!terminated) return null;
        return [text.slice(offset, i + 1)] as unknown as RegExpExecArray;
      }
      if (c === 0x0a) break;
      if (c === BACKSLASH) {
        if (i + 1 >= text.length || endsLine(text.charCodeAt(i + 1))) break;
        i += 2;
        continue;
      }
      i++;
    }
    return terminated ? null : ([text.slice(offset, i)] as unknown as RegExpExecArray);
  };
}
