const QUOTING = /['"\\]/;
const WHITESPACE = /\s+/;

/**
 * Split an argument string the way a POSIX shell splits words, without a
 * shell: whitespace separates words, single quotes keep text literally,
 * double quotes keep spaces and honour `\"` and `\\`, a backslash outside
 * quotes escapes the next character. No globbing, no variables.
 * Returns null (and the offset) when a quote is not closed.
 */
export function shellSplit(text: string): { args: string[] } | { error: string; offset: number } {
  // Without quotes or backslashes the words are the runs between whitespace.
  if (!QUOTING.test(text)) return { args: text.split(WHITESPACE).filter((w) => w !== '') };
  const args: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { error: 'unterminated single quote in arguments', offset: i };
      cur += text.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && (text[j + 1] === '"' || text[j + 1] === '\\')) j++;
        cur += text[j];
      }
      if (j >= text.length) return { error: 'unterminated double quote in arguments', offset: i };
      i = j;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) args.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) args.push(cur);
  return { args };
}
