import type { CompiledUnit } from './compile-runner.js';
import type { UnitSpec } from './plan.js';
import type { Reporter } from './reporter.js';

/**
 * Report dependency cycles (each once, naming the cycle) and return the
 * units in a valid start order: dependencies first, otherwise declaration
 * order. Only dependencies between the given units are followed.
 */
export function orderUnits(units: readonly CompiledUnit[], r: Reporter): UnitSpec[] {
  const byName = new Map(units.map((u) => [u.spec.name, u]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: UnitSpec[] = [];
  const stack: string[] = [];
  const reported = new Set<string>();

  const visit = (u: CompiledUnit): void => {
    state.set(u.spec.name, 'visiting');
    stack.push(u.spec.name);
    for (const d of u.dependsOn) {
      const target = byName.get(d.name);
      if (!target) continue;
      const s = state.get(d.name);
      if (s === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(d.name)), d.name];
        const key = [...new Set(cycle)].sort().join('\0');
        if (!reported.has(key)) {
          reported.add(key);
          r.invalid(d.pos, `dependency cycle: ${cycle.join(' → ')}`);
        }
      } else if (s === undefined) visit(target);
    }
    stack.pop();
    state.set(u.spec.name, 'done');
    order.push(u.spec);
  };

  for (const u of units) if (!state.has(u.spec.name)) visit(u);
  return order;
}
