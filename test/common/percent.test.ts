import { describe, expect, it } from 'vitest';
import { parsePercent } from '../../src/common/percent.js';

describe('parsePercent', () => {
  it('reads the documented form (50%), decimals and blanks', () => {
    expect(['50%', '200%', '12.5%', ' 50 % ', '0%'].map(parsePercent)).toEqual([50, 200, 12.5, 50, 0]);
  });

  it('refuses what is not a percent', () => {
    for (const t of ['', '50', '%', '-5%', '5%%', 'half%', '1e2%']) expect(parsePercent(t), t).toBeNull();
  });
});
