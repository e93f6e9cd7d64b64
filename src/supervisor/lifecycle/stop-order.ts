/** What {@link stopInReverseDependencyOrder} needs of a unit. */
export interface StoppableUnit {
  readonly name: string;
  readonly spec: { readonly dependsOn: readonly string[] };
  stop(byOperator: boolean): Promise<unknown>;
}

/**
 * Stop every unit, each one only after all units that depend on it have
 * stopped; independent units stop in parallel. Iterative (Kahn's order over
 * the reversed dependency graph), so a long dependency chain cannot overflow
 * the stack, and linear in units plus dependencies. Units left in a cycle (a
 * valid plan has none) are stopped after everything else.
 */
export async function stopInReverseDependencyOrder(units: readonly StoppableUnit[]): Promise<void> {
  const byName = new Map(units.map((u) => [u.name, u]));
  const dependents = new Map<string, StoppableUnit[]>();
  const waitingFor = new Map<string, number>(units.map((u) => [u.name, 0]));
  for (const u of units) {
    for (const dep of new Set(u.spec.dependsOn)) {
      if (!byName.has(dep)) continue;
      let list = dependents.get(dep);
      if (!list) dependents.set(dep, (list = []));
      list.push(u);
      waitingFor.set(dep, (waitingFor.get(dep) ?? 0) + 1);
    }
  }
  // Dependents come before what they depend on in `order`.
  const order: StoppableUnit[] = units.filter((u) => waitingFor.get(u.name) === 0);
  for (let i = 0; i < order.length; i++) {
    for (const dep of new Set(order[i]!.spec.dependsOn)) {
      const left = (waitingFor.get(dep) ?? 0) - 1;
      waitingFor.set(dep, left);
      const unit = byName.get(dep);
      if (left === 0 && unit) order.push(unit);
    }
  }
  const stopping = new Map<string, Promise<unknown>>();
  for (const unit of order) {
    const before = (dependents.get(unit.name) ?? []).map((d) => stopping.get(d.name)!);
    stopping.set(unit.name, Promise.all(before).then(() => unit.stop(false)));
  }
  await Promise.all(stopping.values());
  const rest = units.filter((u) => !stopping.has(u.name));
  await Promise.all(rest.map((u) => u.stop(false)));
}
