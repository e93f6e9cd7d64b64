import { describe, expect, it } from 'vitest';
import { formatBytes, formatSize, parseSize } from '../../src/common/size.js';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe('parseSize', () => {
  it('reads every documented form (docs/language.md "Values": 512B, 64KB, 256MB, 1.5GiB, 1TB), 1024-based', () => {
    expect(['512B', '64KB', '256MB', '1.5GiB', '1TB'].map(parseSize)).toEqual([512, 64 * KiB, 256 * MiB, 1.5 * GiB, 1024 ** 4]);
    expect(parseSize('1MB')).toBe(parseSize('1MiB'));
  });

  it('takes units in any case and blanks around', () => {
    expect(['64kb', '64Kb', '64KIB', '64kib', ' 64 KiB '].map(parseSize)).toEqual(Array(5).fill(64 * KiB));
  });

  it('refuses what is not a size', () => {
    for (const t of ['', '512', 'MB', '-1MB', '1PB', '1M', '1 M B', '1.MB', '1e3B', '256MBs']) expect(parseSize(t), t).toBeNull();
  });
});

describe('formatSize (the language form, exact)', () => {
  it('writes the largest binary unit that divides the value, and reads back', () => {
    expect([512, KiB, 256 * MiB, 5 * MiB, 1536 * MiB, 2 * 1024 ** 4, 1500].map(formatSize)).toEqual(['512B', '1KiB', '256MiB', '5MiB', '1536MiB', '2TiB', '1500B']);
    for (const b of [1, 512, 1536, 256 * MiB, 3 * GiB]) expect(parseSize(formatSize(b))).toBe(b);
  });
});

describe('formatBytes (messages and ps)', () => {
  it('uses binary units, one decimal below 100 and none when whole', () => {
    expect([0, 512, 1023, 1536, 12.3 * MiB, 50 * MiB, 312.4 * MiB, 1.5 * GiB, 256 * MiB, 16 * GiB, 2048 * 1024 ** 4].map(formatBytes)).toEqual([
      '0 B',
      '512 B',
      '1023 B',
      '1.5 KiB',
      '12.3 MiB',
      '50 MiB',
      '312 MiB',
      '1.5 GiB',
      '256 MiB',
      '16 GiB',
      '2048 TiB',
    ]);
  });
});
