import { describe, expect, it } from 'vitest';
import type { RestartSpec } from '../../../src/ensemble/plan.js';
import { RestartPolicy } from '../../../src/supervisor/lifecycle/restart-policy.js';

const spec = (over: Partial<RestartSpec> = {}): RestartSpec => ({
  policy: 'on-failure',
  backoffMs: 100,
  maxBackoffMs: 1000,
  maxRestarts: 3,
  windowMs: 10_000,
  resetAfterMs: 60_000,
  ...over,
});

describe('RestartPolicy', () => {
  it('applies always / on-failure / never', () => {
    expect(new RestartPolicy(spec({ policy: 'never' })).decide(true)).toEqual({ action: 'stop' });
    expect(new RestartPolicy(spec({ policy: 'on-failure' })).decide(false)).toEqual({ action: 'stop' });
    expect(new RestartPolicy(spec({ policy: 'on-failure' })).decide(true).action).toBe('restart');
    expect(new RestartPolicy(spec({ policy: 'always' })).decide(false).action).toBe('restart');
  });

  it('backs off exponentially with jitter between backoff and max_backoff', () => {
    const top = new RestartPolicy(spec(), () => 0.999999);
    expect([1, 2, 3, 4, 5, 6].map((n) => top.backoffFor(n))).toEqual([100, 200, 400, 800, 1000, 1000]);
    const bottom = new RestartPolicy(spec(), () => 0);
    expect([1, 2, 3, 10].map((n) => bottom.backoffFor(n))).toEqual([100, 100, 100, 100]);
    const random = new RestartPolicy(spec());
    for (let n = 1; n < 60; n++) {
      const d = random.backoffFor(n);
      expect(d).toBeGreaterThanOrEqual(100);
      expect(d).toBeLessThanOrEqual(1000);
    }
  });

  it('goes to crashloop when max_restarts already happened within the window', () => {
    const p = new RestartPolicy(spec(), () => 0.999999);
    const t0 = 1_000_000;
    expect(p.decide(true, t0)).toEqual({ action: 'restart', delayMs: 100 });
    expect(p.decide(true, t0 + 1)).toEqual({ action: 'restart', delayMs: 200 });
    expect(p.decide(true, t0 + 2)).toEqual({ action: 'restart', delayMs: 400 });
    expect(p.decide(true, t0 + 3)).toEqual({ action: 'crashloop', restarts: 3, windowMs: 10_000 });
    // Outside the window the old restarts no longer count.
    expect(p.decide(true, t0 + 10_001).action).toBe('restart');
  });

  it('resetBackoff starts the sequence again; clear also forgets the window', () => {
    const p = new RestartPolicy(spec(), () => 0.999999);
    p.decide(true, 0);
    p.decide(true, 1);
    p.resetBackoff();
    expect(p.decide(true, 2)).toEqual({ action: 'restart', delayMs: 100 });
    expect(p.decide(true, 3).action).toBe('crashloop');
    p.clear();
    expect(p.decide(true, 4)).toEqual({ action: 'restart', delayMs: 100 });
  });

  it('max_restarts 0 means the first exit is a crash loop', () => {
    expect(new RestartPolicy(spec({ maxRestarts: 0 })).decide(true).action).toBe('crashloop');
  });

  it('restarts at once after a long enough run, and backs off again for quick failures', () => {
    const p = new RestartPolicy(spec({ maxRestarts: 5 }), () => 0.999999);
    // Threshold: max(1 s, backoff).
    expect(p.immediateRestartAfterMs()).toBe(1000);
    expect(new RestartPolicy(spec({ backoffMs: 5000, maxBackoffMs: 60_000 })).immediateRestartAfterMs()).toBe(5000);
    expect(p.decide(true, 0, 0)).toEqual({ action: 'restart', delayMs: 100 });
    expect(p.decide(true, 1, 999)).toEqual({ action: 'restart', delayMs: 200 });
    // Up for a second: no delay, and the backoff sequence starts again.
    expect(p.decide(true, 2, 1000)).toEqual({ action: 'restart', delayMs: 0 });
    expect(p.decide(true, 3, 0)).toEqual({ action: 'restart', delayMs: 100 });
    // Immediate restarts still count toward the intensity limit.
    expect(p.decide(true, 4, 60_000)).toEqual({ action: 'restart', delayMs: 0 });
    expect(p.decide(true, 5, 60_000)).toEqual({ action: 'crashloop', restarts: 5, windowMs: 10_000 });
  });

  it('a clean exit under on-failure stays a stop however long the unit ran', () => {
    expect(new RestartPolicy(spec()).decide(false, 0, 60_000)).toEqual({ action: 'stop' });
  });
});

