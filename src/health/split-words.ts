/**
 * Split a command line into words the way a POSIX shell splits words, without
 * running a shell: blanks separate words, `'…'` is literal, `"…"` keeps blanks
 * and honours `\"`, `\\`, `\$` and `` \` ``, and a backslash outside quotes
 * escapes the next character. There is no expansion of any kind (no `$VAR`,
 * globbing, `~`, pipes or redirections): write `sh -c '…'` for those.
 *
 * Throws an `Error` with a one-line message on an unterminated quote or a
 * trailing backslash.
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated single quote in ${JSON.stringify(line)}`);
      word += line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new Error(`unterminated double quote in ${JSON.stringify(line)}`);
        const d = line[i] as string;
        if (d === '"') {
          i++;
          break;
        }
        const next = line[i + 1];
        if (d === '\\' && next !== undefined && '"\\$`\n'.includes(next)) {
          if (next !== '\n') word += next;
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
    } else if (c === '\\') {
      const next = line[i + 1];
      if (next === undefined) throw new Error(`trailing backslash in ${JSON.stringify(line)}`);
      if (next !== '\n') word += next;
      i += 2;
    } else {
      word += c;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
