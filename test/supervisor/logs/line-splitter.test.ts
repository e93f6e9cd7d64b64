import { describe, expect, it } from 'vitest';
import { LineSplitter, safeText } from '../../../src/supervisor/logs/line-splitter.js';

function split(chunks: (string | Buffer)[], max?: number): string[] {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l), max);
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c);
  s.end();
  return lines;
}

describe('LineSplitter', () => {
  it('joins lines across chunks and drops CR of CRLF', () => {
    expect(split(['ab', 'c\nde', 'f\r\n', '\n', 'tail'])).toEqual(['abc', 'def', '', 'tail']);
  });

  it('splits long lines at the limit without cutting a UTF-8 character', () => {
    const lines = split(['aé'.repeat(5) + '\n'], 4);
    expect(lines.join('')).toBe('aé'.repeat(5));
    expect(lines.every((l) => Buffer.byteLength(l) <= 4)).toBe(true);
    expect(lines.some((l) => l.includes('\uFFFD'))).toBe(false);
  });

  it('keeps a multi-byte character split across chunks intact', () => {
    const bytes = Buffer.from('€\n');
    expect(split([bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)])).toEqual(['€']);
  });

  it('makes binary safe: invalid UTF-8 and control characters become U+FFFD, TAB and ESC stay', () => {
    expect(safeText(Buffer.from([0x61, 0x00, 0x09, 0x1b, 0xff, 0x7f, 0x62]))).toBe('a\uFFFD\t\u001b\uFFFD\uFFFDb');
  });

  it('emits nothing for an empty stream', () => {
    expect(split([])).toEqual([]);
  });
});
