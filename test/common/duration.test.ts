import { describe, expect, it } from 'vitest';
import { formatDuration, formatElapsed, formatMs, parseDuration } from '../../src/common/duration.js';

describe('parseDuration', () => {
  it('reads every documented unit (docs/language.md "Values": 250ms, 30s, 1.5m, 2h, 1d)', () => {
    expect(['250ms', '30s', '1.5m', '2h', '1d', '10m', '0.5s', '60s'].map((t) => parseDuration(t))).toEqual([250, 30_000, 90_000, 7_200_000, 86_400_000, 600_000, 500, 60_000]);
  });

  it('allows blanks around the text and before the unit (quoted durations: "30 s")', () => {
    expect([' 30s', '30s ', '30 s', '\t250 ms\n'].map((t) => parseDuration(t))).toEqual([30_000, 30_000, 30_000, 250]);
  });

  it('rounds to whole milliseconds', () => {
    expect(parseDuration('1.0004s')).toBe(1000);
    expect(parseDuration('0.5ms')).toBe(1);
  });

  it('refuses a bare number unless the caller names its unit', () => {
    expect(parseDuration('5')).toBeNull();
    expect(parseDuration('5', { bareUnit: 's' })).toBe(5000);
    expect(parseDuration('1.5', { bareUnit: 's' })).toBe(1500);
    expect(parseDuration('200', { bareUnit: 'ms' })).toBe(200);
    // with a unit, the bare unit does not matter
    expect(parseDuration('2h', { bareUnit: 'ms' })).toBe(7_200_000);
  });

  it('refuses what is not a duration', () => {
    for (const t of ['', 's', '-1s', '1e3ms', '1.s', '.5s', '1 2s', '30sec', '1S', '1w', 'ms30', '1,5s', '0x10ms']) expect(parseDuration(t), t).toBeNull();
  });
});

describe('formatDuration (the language form, exact)', () => {
  it('writes the largest unit that divides the value', () => {
    expect([250, 1000, 30_000, 600_000, 3_600_000, 172_800_000, 1500, 90_000, 0].map(formatDuration)).toEqual(['250ms', '1s', '30s', '10m', '1h', '2d', '1500ms', '90s', '0ms']);
  });

  it('reads back as the same value', () => {
    for (const ms of [1, 250, 999, 1000, 1500, 61_000, 3_600_000, 90_000_000, 86_400_000 * 3]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});

describe('formatMs (messages)', () => {
  it('writes milliseconds below one second, else seconds with at most three decimals', () => {
    expect([250, 999.6, 1000, 1500, 1234, 600_000, 0].map(formatMs)).toEqual(['250ms', '1000ms', '1s', '1.5s', '1.234s', '600s', '0ms']);
  });
});

describe('formatElapsed (ps uptime)', () => {
  it('writes the two most significant parts', () => {
    expect([0, 45_000, 59_999, 192_000, 2 * 3_600_000 + 5 * 60_000, 76 * 3_600_000, -5].map(formatElapsed)).toEqual(['0s', '45s', '59s', '3m12s', '2h05m', '3d04h', '0s']);
  });
});
