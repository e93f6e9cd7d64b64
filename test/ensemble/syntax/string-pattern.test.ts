import { describe, expect, it } from 'vitest';
import { quoteLine } from '../../../src/ensemble/diagnostic.js';
import { stringPattern } from '../../../src/ensemble/syntax/string-pattern.js';

// The regular expressions the string tokens used before: same matches, but they
// overflowed V8's backtracking stack on strings of some megabytes.
const TERMINATED = /"(?:[^"\\\n]|\\.)*"/y;
const UNTERMINATED = /"(?:[^"\\\n]|\\.)*/y;

function regexMatch(re: RegExp, text: string, offset: number): string | null {
  re.lastIndex = offset;
  return re.exec(text)?.[0] ?? null;
}

function patternMatch(terminated: boolean, text: string, offset: number): string | null {
  return stringPattern(terminated)(text, offset, [], {})?.[0] ?? null;
}

describe('the string token pattern', () => {
  it('matches what the regular expressions matched, on 20,000 random texts', () => {
    const alphabet = ['a', '"', '\\', '\n', '\r', '\u2028', ' ', 'é'];
    let seed = 12;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 20_000; i++) {
      const text = Array.from({ length: 1 + random(12) }, () => alphabet[random(alphabet.length)]).join('');
      const offset = random(text.length);
      expect(patternMatch(true, text, offset), JSON.stringify([text, offset])).toBe(regexMatch(TERMINATED, text, offset));
      // The unterminated form is tried only where the terminated one failed.
      if (regexMatch(TERMINATED, text, offset) === null) {
        expect(patternMatch(false, text, offset), JSON.stringify([text, offset])).toBe(regexMatch(UNTERMINATED, text, offset));
      }
    }
  });

  it('matches a 10 MB string, plain and all escapes', () => {
    const plain = `"${'a'.repeat(10 * 1024 * 1024)}"`;
    expect(patternMatch(true, plain, 0)?.length).toBe(plain.length);
    const escapes = `"${'\\n'.repeat(5 * 1024 * 1024)}"`;
    expect(patternMatch(true, escapes, 0)?.length).toBe(escapes.length);
  });
});

describe('quoteLine', () => {
  it('keeps a short line whole', () => {
    expect(quoteLine('runner a "a.js"', 8)).toEqual({ text: 'runner a "a.js"', column: 8 });
  });

  it('quotes a long line as a window around the column, the caret on the same character', () => {
    const line = `${'x'.repeat(5000)}HERE${'y'.repeat(5000)}`;
    const q = quoteLine(line, 5001);
    expect(q.text.length).toBe(162);
    expect(q.text.startsWith('…') && q.text.endsWith('…')).toBe(true);
    expect(q.text.slice(q.column - 1, q.column + 3)).toBe('HERE');
    const start = quoteLine(line, 1);
    expect(start.column).toBe(1);
    expect(start.text.endsWith('…') && !start.text.startsWith('…')).toBe(true);
    const end = quoteLine(line, line.length);
    expect(end.text[end.column - 1]).toBe('y');
    expect(end.text.startsWith('…') && !end.text.endsWith('…')).toBe(true);
  });
});
