import { describe, expect, it } from 'vitest';
import { ChangeTimes } from '../../src/fs/change-times.js';

describe('ChangeTimes', () => {
  let now = 1_000;
  const clock = () => now;

  it('keeps a time while the content stays the same and moves it when the content changes', () => {
    const t = new ChangeTimes(100, clock);
    now = 1_000;
    expect(t.observe('/a', '1\n')).toBe(1_000);
    now = 5_000;
    expect(t.observe('/a', '1\n')).toBe(1_000);
    expect(t.observe('/a', '2\n')).toBe(5_000);
    // Two changes within one millisecond still get different times.
    expect(t.observe('/a', '3\n')).toBe(5_001);
  });

  it('uses a known change time, never one in the future', () => {
    const t = new ChangeTimes(100, clock);
    now = 10_000;
    t.observe('/w', 'a');
    now = 20_000;
    expect(t.observe('/w', 'b', 15_000)).toBe(15_000);
    expect(t.observe('/w', 'c', 99_000)).toBe(20_000);
  });

  it('compares long contents by digest', () => {
    const t = new ChangeTimes(100, clock);
    now = 1;
    const long = 'x'.repeat(10_000);
    t.observe('/l', long);
    now = 2;
    expect(t.observe('/l', long)).toBe(1);
    expect(t.observe('/l', `${long}y`)).toBe(2);
  });

  it('takes the content after a touch as the new baseline', () => {
    const t = new ChangeTimes(100, clock);
    now = 100;
    t.observe('/v', 'old');
    now = 200;
    expect(t.touch('/v')).toBe(200);
    now = 300;
    expect(t.observe('/v', 'new')).toBe(200);
    expect(t.observe('/v', 'new')).toBe(200);
  });

  it('forgets the least recently used paths beyond its bound', () => {
    const t = new ChangeTimes(2, clock);
    now = 1;
    t.timeOf('/a');
    t.timeOf('/b');
    t.timeOf('/a');
    t.timeOf('/c');
    now = 9;
    expect(t.timeOf('/a')).toBe(1);
    expect(t.timeOf('/b')).toBe(9);
  });
});

describe('ChangeTimes first sight', () => {
  it('dates a path seen for the first time by its known change time, never a future one', () => {
    let now = 50_000;
    const t = new ChangeTimes(100, () => now);
    expect(t.observe('/s', 'ready\n', 40_000)).toBe(40_000);
    expect(t.observe('/f', 'x', 60_000)).toBe(50_000);
    now = 70_000;
    expect(t.observe('/s', 'ready\n', 40_000)).toBe(40_000);
  });
});
