import { describe, expect, it } from 'vitest';
import { durationProperty } from '../../units/common/properties.js';

describe('durationProperty (docs/units.md: the language durations, a bare number means seconds)', () => {
  const read = (value: unknown) => durationProperty({ p: value }, 'p', 1234, 'unit u');

  it('reads language durations, and bare numbers (numbers or text) as seconds', () => {
    expect(['250ms', '30s', '10m', '1h', '1d', '1.5', '2', ' 3 s '].map(read)).toEqual([250, 30_000, 600_000, 3_600_000, 86_400_000, 1500, 2000, 3000]);
    expect([1.5, 10].map(read)).toEqual([1500, 10_000]);
  });

  it('falls back when absent and refuses the rest in one line naming the property', () => {
    expect(durationProperty({}, 'p', 1234, 'unit u')).toBe(1234);
    for (const bad of ['0', '0s', 'soon', '-1', 0, -2, true, null]) {
      expect(() => read(bad)).toThrow(/^unit u: property "p" must be a duration such as "30s" \(a bare number means seconds\), not /);
    }
  });
});
