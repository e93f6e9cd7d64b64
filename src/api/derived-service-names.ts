import type { Plan } from '../ensemble/plan.js';

/** Suffix of the Resources service a unit (and the SDK) registers: `<unit>.resources`. */
export const RESOURCES_SUFFIX = '.resources';

/** Who alone may register a service name derived from a unit's name. */
export interface NameOwner {
  /** The unit (of this supervisor) that may register the name; for names of a unit on another node, that unit. */
  readonly unit: string;
  /** Set when the owning unit runs on another node: nobody here may register the name. */
  readonly node: string | null;
}

const byPlan = new WeakMap<Plan, Map<string, NameOwner>>();

/**
 * The owner of a service name derived from a unit's name, or null when the
 * name is not derived from one. Derived names (docs/discovery.md):
 *
 * - `<unit>` and `<unit>.resources` for every unit of the plan, started or
 *   not yet started (the SDK registers a unit's service as `<unit>` by
 *   default, and its Resources service as `<unit>.resources`);
 * - `<child>` and `<child>.resources` for every `service runner` child of a
 *   host: they belong to the host, which registers for its children;
 * - the same names of units placed on other nodes: nobody here may take them
 *   (a local service would shadow the remote one, local answers come first).
 *
 * The index is built once per plan (the supervisor replaces the plan object
 * on every reload, AddUnit and RemoveUnit).
 */
export function derivedNameOwner(name: string, plan: Plan): NameOwner | null {
  let index = byPlan.get(plan);
  if (!index) {
    index = buildIndex(plan);
    byPlan.set(plan, index);
  }
  return index.get(name) ?? null;
}

function buildIndex(plan: Plan): Map<string, NameOwner> {
  const index = new Map<string, NameOwner>();
  const own = (base: string, owner: NameOwner, strong: boolean): void => {
    for (const n of [base, `${base}${RESOURCES_SUFFIX}`]) if (strong || !index.has(n)) index.set(n, owner);
  };
  // Units first (a unit's own names win over a host child of the same name).
  for (const u of plan.units) own(u.name, { unit: u.name, node: null }, true);
  for (const u of plan.units) for (const s of u.services) own(s.name, { unit: u.name, node: null }, false);
  for (const e of plan.elsewhere) own(e.name, { unit: e.name, node: e.node }, false);
  return index;
}
