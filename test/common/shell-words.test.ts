import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quoteShellWord, splitShellWords } from '../../src/common/shell-words.js';

/**
 * The words real `sh` makes of `text`: the arguments of a function call that
 * ends the script (so a trailing backslash stays the last character), each
 * printed NUL-terminated. The corpus has no unquoted `$`, glob or operator,
 * so nothing is expanded.
 */
function shWords(text: string): string[] {
  const r = spawnSync('sh', ['-c', `w() { for a do printf '%s\\000' "$a"; done; }; w ${text}`], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`sh failed on ${JSON.stringify(text)}: ${r.stderr}`);
  return r.stdout.split('\0').slice(0, -1);
}

/** Inputs sh accepts; each must split exactly as sh splits it. */
const CORPUS = [
  '',
  '   ',
  'a',
  'a b  c',
  ' \t lead and trail \t ',
  '--port 0 -v',
  "'single quoted'",
  "'it'\\''s'",
  "'\\n stays \\ literal'",
  "''",
  "a '' b",
  '""',
  '"double quoted"',
  '"a \\" b"',
  '"back\\\\slash"',
  '"\\$HOME"',
  '"\\`cmd\\`"',
  '"\\n \\t \\x kept"',
  '"$"',
  '"a\nb"',
  '"con\\\ntinued"',
  'a\\ b',
  '\\"',
  "\\'",
  '\\\\',
  '\\$x',
  '\\*',
  '\\a\\b',
  'x\\\ny',
  'x \\\n y',
  '\\\n',
  "''\\\n",
  "mi'x'\"e\"d",
  "'a'\"b\"c\\ d",
  '"a"\'b\'',
  'tail\\',
  'a "b c" \'d e\' f\\ g',
  'carriage\rreturn',
  'no\u00a0break space',
  'unicode ünï cödé ✓',
  'key=value --flag=\'x y\'',
  'C:\\dir',
  '"C:\\dir"',
  "'\"'",
  '"\'"',
];

describe('splitShellWords', () => {
  it.each(CORPUS.map((t) => [JSON.stringify(t), t]))('splits %s as sh does', (_, text) => {
    const split = splitShellWords(text);
    expect(split).toEqual({ words: shWords(text) });
  });

  it('checks the corpus against sh for real (sh is the reference, not a copy of it)', () => {
    expect(shWords(`a 'b c' "d\\"e"`)).toEqual(['a', 'b c', 'd"e']);
  });

  it('takes an unquoted newline as a blank (where sh would end the command): the words are those of the line joined with a space', () => {
    for (const text of ['line\nbreak', 'a\n\nb c', "'x'\n\"y\""]) {
      expect(splitShellWords(text)).toEqual({ words: shWords(text.replace(/\n/g, ' ')) });
    }
  });

  it('reports an unterminated quote at the offset of its opening quote', () => {
    expect(splitShellWords("a 'b")).toEqual({ error: 'unterminated single quote', offset: 2 });
    expect(splitShellWords('a "b \\"')).toEqual({ error: 'unterminated double quote', offset: 2 });
    expect(splitShellWords(`x "ok" 'n`)).toEqual({ error: 'unterminated single quote', offset: 7 });
    for (const text of ["a 'b", 'a "b \\"', `x "ok" 'n`]) {
      expect(spawnSync('sh', ['-c', `w() { :; }; w ${text}`], { timeout: 30_000 }).status).not.toBe(0);
    }
  });

  it('splits a long line in linear time and bounded memory', () => {
    const text = `${'"a b" '.repeat(100_000)}'end'`;
    const split = splitShellWords(text);
    expect('words' in split && split.words.length).toBe(100_001);
  });
});

describe('quoteShellWord', () => {
  const WORDS = ['api', '--port=0', '/usr/bin/env', '__@api__firmlet', '', 'name with spaces', "it's", "''", 'a&b', '$HOME', '`x`', '"q"', 'back\\slash', 'tab\tand\nnewline', '*', '~user', 'ünï', "'"];

  it('leaves plain words alone and quotes the rest', () => {
    expect(['api', '--port=0', '', 'name with spaces', "it's"].map(quoteShellWord)).toEqual(['api', '--port=0', "''", "'name with spaces'", "'it'\\''s'"]);
  });

  it('gives back each word through sh and through splitShellWords', () => {
    const line = WORDS.map(quoteShellWord).join(' ');
    expect(shWords(line)).toEqual(WORDS);
    expect(splitShellWords(line)).toEqual({ words: WORDS });
  });
});
