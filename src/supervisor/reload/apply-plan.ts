import type { Plan, UnitSpec } from '../../ensemble/plan.js';
import { StateError } from '../../common/errors.js';
import type { ReloadAction, ReloadResult } from '../lifecycle/control.js';
import { onlyPropertiesChanged, type PlanDiff, type UnitDiff } from './plan-diff.js';

/** What {@link applyPlan} needs from the supervisor. */
export interface PlanTarget {
  /** False once a shutdown began: the rest of the reload is abandoned. */
  running(): boolean;
  /** An operator stopped `unit` (it stays down; a changed spec applies at its next start). */
  stoppedByOperator(unit: string): boolean;
  /** `unit`'s current process takes live properties. */
  takesLiveProperties(unit: string): boolean;
  /** Stop the running `unit` (not an operator stop); resolves when its process is gone. */
  stopUnit(unit: string): Promise<void>;
  /**
   * Switch to `plan` at once (synchronously): forget removed units, replace
   * `restart`/`keep`-changed units by fresh ones with their new spec (not
   * started), give `update` units their new spec, add added units (not started).
   */
  commit(plan: Plan, diff: PlanDiff, actions: ReadonlyMap<string, ReloadAction>): void;
  /** Deliver the (already committed) new properties of `unit` to its process. */
  deliverProperties(unit: string, spec: UnitSpec): void;
  /** Start `unit`; resolves once it is ready, failed, waiting or stopped. */
  startUnit(unit: string): Promise<void>;
}

/** Decide what happens to each unit of `diff` (see {@link ReloadAction}). */
export function planActions(diff: PlanDiff, target: Pick<PlanTarget, 'stoppedByOperator' | 'takesLiveProperties'>): Map<string, ReloadAction> {
  const actions = new Map<string, ReloadAction>();
  for (const u of diff.units) actions.set(u.name, actionFor(u, target));
  return actions;
}

function actionFor(u: UnitDiff, target: Pick<PlanTarget, 'stoppedByOperator' | 'takesLiveProperties'>): ReloadAction {
  switch (u.change) {
    case 'added':
      return 'start';
    case 'removed':
      return 'stop';
    case 'unchanged':
      return 'keep';
    case 'changed':
      if (target.stoppedByOperator(u.name)) return 'keep';
      if (onlyPropertiesChanged(u) && target.takesLiveProperties(u.name)) return 'update';
      return 'restart';
  }
}

/** The {@link ReloadResult} of a diff and its actions. */
export function reloadResult(file: string, diff: PlanDiff, actions: ReadonlyMap<string, ReloadAction>, applied: boolean): ReloadResult {
  const names = (pred: (u: UnitDiff) => boolean): string[] => diff.units.filter(pred).map((u) => u.name);
  const action = (u: UnitDiff): ReloadAction => actions.get(u.name) ?? 'keep';
  return {
    added: names((u) => u.change === 'added'),
    removed: names((u) => u.change === 'removed'),
    changed: names((u) => u.change === 'changed'),
    unchanged: names((u) => u.change === 'unchanged'),
    restarted: names((u) => u.change === 'changed' && action(u) === 'restart'),
    updated: names((u) => action(u) === 'update'),
    units: diff.units.map((u) => ({ name: u.name, change: u.change, action: action(u), fields: [...u.fields] })),
    network: diff.network ? { fields: [...diff.network.fields], restartRequired: true } : null,
    applied,
    file,
  };
}

/**
 * Carry out a reload: stop removed and restarted units in reverse dependency
 * order (a unit stops once the stopping units that depend on it are down),
 * switch to the new plan, deliver live properties, then start added and
 * restarted units in dependency order (a unit is started once the starting
 * units it depends on have settled). Unchanged units are never touched.
 */
export async function applyPlan(next: Plan, diff: PlanDiff, actions: ReadonlyMap<string, ReloadAction>, target: PlanTarget): Promise<void> {
  const byName = new Map(diff.units.map((u) => [u.name, u]));
  const stopping = diff.units.filter((u) => actions.get(u.name) === 'stop' || actions.get(u.name) === 'restart');
  const stopSet = new Set(stopping.map((u) => u.name));
  const stopped = new Map<string, Promise<void>>();
  const stop = (name: string): Promise<void> => {
    let p = stopped.get(name);
    if (!p) {
      const dependents = stopping.filter((u) => u.before?.dependsOn.includes(name)).map((u) => u.name);
      p = Promise.all(dependents.map(stop)).then(() => target.stopUnit(name));
      stopped.set(name, p);
    }
    return p;
  };
  await Promise.all([...stopSet].map(stop));

  if (!target.running()) throw new StateError('the supervisor is stopping; the reload was abandoned');
  target.commit(next, diff, actions);
  for (const u of diff.units) if (actions.get(u.name) === 'update' && u.after) target.deliverProperties(u.name, u.after);

  const startSet = new Set(diff.units.filter((u) => actions.get(u.name) === 'start' || actions.get(u.name) === 'restart').map((u) => u.name));
  const started = new Map<string, Promise<void>>();
  const start = (name: string): Promise<void> => {
    let p = started.get(name);
    if (!p) {
      const deps = (byName.get(name)?.after?.dependsOn ?? []).filter((d) => startSet.has(d));
      p = Promise.all(deps.map(start)).then(() => (target.running() ? target.startUnit(name) : undefined));
      started.set(name, p);
    }
    return p;
  };
  await Promise.all([...startSet].map(start));
}
