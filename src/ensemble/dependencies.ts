import type { CompiledUnit } from './compile-runner.js';
import type { UnitSpec } from './plan.js';
import type { Reporter } from './reporter.js';

/** A unit on the walk's path, and how many of its dependencies were looked at. */
interface Frame {
  readonly unit: CompiledUnit;
  next: number;
}

/**
 * Report dependency cycles (each once, naming the cycle) and return the
 * units in a valid start order: dependencies first, otherwise declaration
 * order. Only dependencies between the given units are followed.
 *
 * A depth-first walk in declaration order, each unit's `depends_on` in the
 * order written; a unit is placed once all its dependencies are. A cycle is
 * reported at the `depends_on` entry that leads back to a unit still on the
 * walk's path, as `a → b → … → a` from that unit. The path is an explicit
 * stack, not recursion, so a chain of any length fits.
 */
export function orderUnits(units: readonly CompiledUnit[], r: Reporter): UnitSpec[] {
  const byName = new Map(units.map((u) => [u.spec.name, u]));
  /** Units on the path, by name, with their index in `path`. */
  const onPath = new Map<string, number>();
  const done = new Set<string>();
  const path: Frame[] = [];
  const order: UnitSpec[] = [];
  const reported = new Set<string>();

  const enter = (unit: CompiledUnit): void => {
    onPath.set(unit.spec.name, path.length);
    path.push({ unit, next: 0 });
  };

  const reportCycle = (from: number, dep: CompiledUnit['dependsOn'][number]): void => {
    const cycle = path.slice(from).map((f) => f.unit.spec.name);
    cycle.push(dep.name);
    const key = [...new Set(cycle)].sort().join('\0');
    if (reported.has(key)) return;
    reported.add(key);
    // A long cycle is named by its ends: every name would make a line as long as the file.
    const units = cycle.length - 1;
    const shown = units <= 12 ? cycle : [...cycle.slice(0, 6), '…', ...cycle.slice(-4)];
    r.invalid(dep.pos, units <= 12 ? `dependency cycle: ${shown.join(' → ')}` : `dependency cycle of ${units.toLocaleString('en')} units: ${shown.join(' → ')}`);
  };

  for (const root of units) {
    if (done.has(root.spec.name) || onPath.has(root.spec.name)) continue;
    enter(root);
    while (path.length > 0) {
      const frame = path[path.length - 1] as Frame;
      const dep = frame.unit.dependsOn[frame.next];
      if (dep === undefined) {
        path.pop();
        onPath.delete(frame.unit.spec.name);
        done.add(frame.unit.spec.name);
        order.push(frame.unit.spec);
        continue;
      }
      frame.next++;
      const target = byName.get(dep.name);
      if (!target || done.has(dep.name)) continue;
      const at = onPath.get(dep.name);
      if (at !== undefined) reportCycle(at, dep);
      else enter(target);
    }
  }
  return order;
}
