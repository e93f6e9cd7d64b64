/** The words of a command line, or where and why it cannot be split. */
export type ShellWords = { readonly words: string[] } | { readonly error: string; readonly offset: number };

/**
 * Split a command line into words the way a POSIX shell (`sh`) splits words,
 * without running a shell:
 *
 * - blanks (space, tab) and newlines separate words; any other character,
 *   including a carriage return or a non-breaking space, belongs to a word;
 * - `'…'` keeps everything up to the next `'` literally (no escapes inside);
 * - `"…"` keeps blanks; a backslash in it escapes only `"`, `\`, `$`, `` ` ``
 *   and a newline (removed), any other backslash is kept;
 * - outside quotes, a backslash makes the next character literal, a
 *   backslash-newline is removed (a continued line), and a backslash that
 *   ends the text is kept, as `sh -c` keeps it;
 * - quotes join with what touches them (`a'b'"c"` is one word `abc`), and
 *   `''` is an empty word.
 *
 * There is no expansion of any kind (no `$VAR`, globbing, `~`, pipes or
 * redirections): write `sh -c '…'` for those. An unterminated quote is an
 * error at the offset of its opening quote.
 */
export function splitShellWords(text: string): ShellWords {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    const began: boolean = inWord;
    inWord = true;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { error: 'unterminated single quote', offset: i };
      word += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      const open = i;
      i++;
      for (;;) {
        if (i >= text.length) return { error: 'unterminated double quote', offset: open };
        const d = text[i] as string;
        if (d === '"') {
          i++;
          break;
        }
        const next = text[i + 1];
        if (d === '\\' && next !== undefined && '"\\$`\n'.includes(next)) {
          if (next !== '\n') word += next;
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
    } else if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined) {
        word += c;
        i++;
      } else {
        if (next !== '\n') word += next;
        else inWord = began; // a continued line: no character, and no word of its own
        i += 2;
      }
    } else {
      word += c;
      i++;
    }
  }
  if (inWord) words.push(word);
  return { words };
}


/** Characters that never need quoting in a shell word. */
const PLAIN_WORD = /^[A-Za-z0-9_.@%+,:/=-]+$/;

/**
 * A word as `sh` needs it typed: as is when it holds only characters no
 * shell treats specially (`api`, `--port=0`, `/usr/bin/env`), else in single
 * quotes, a `'` inside written `'\''` (`'name with spaces'`, `''`), as `ls`
 * shows such file names. {@link splitShellWords} reads it back as the one word.
 */
export function quoteShellWord(word: string): string {
  return PLAIN_WORD.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
