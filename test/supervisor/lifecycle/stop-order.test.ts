import { describe, expect, it } from 'vitest';
import { stopInReverseDependencyOrder, type StoppableUnit } from '../../../src/supervisor/lifecycle/stop-order.js';

/** Units whose stop() records the order and finishes on a later turn of the event loop. */
function units(deps: Record<string, string[]>): { list: StoppableUnit[]; stopped: string[]; active: () => number; maxActive: () => number } {
  const stopped: string[] = [];
  let active = 0;
  let maxActive = 0;
  const list = Object.entries(deps).map(([name, dependsOn]) => ({
    name,
    spec: { dependsOn },
    stop: async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setImmediate(r));
      active--;
      stopped.push(name);
    },
  }));
  return { list, stopped, active: () => active, maxActive: () => maxActive };
}

describe('stop order', () => {
  it('stops dependents before their dependencies and independent units in parallel', async () => {
    const u = units({ db: [], cache: [], api: ['db', 'cache'], web: ['api'], metrics: [] });
    await stopInReverseDependencyOrder(u.list);
    const at = (n: string) => u.stopped.indexOf(n);
    expect(u.stopped).toHaveLength(5);
    expect(at('web')).toBeLessThan(at('api'));
    expect(at('api')).toBeLessThan(at('db'));
    expect(at('api')).toBeLessThan(at('cache'));
    expect(u.maxActive()).toBeGreaterThan(1); // web and metrics stop together
  });

  it('handles a 20,000-unit dependency chain without overflowing the stack', async () => {
    const deps: Record<string, string[]> = {};
    for (let i = 0; i < 20_000; i++) deps[`u${i}`] = i === 0 ? [] : [`u${i - 1}`];
    const u = units(deps);
    await stopInReverseDependencyOrder(u.list);
    expect(u.stopped[0]).toBe('u19999');
    expect(u.stopped.at(-1)).toBe('u0');
    expect(u.stopped).toEqual(Object.keys(deps).reverse());
  });
});
