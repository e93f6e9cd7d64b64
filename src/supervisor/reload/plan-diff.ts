import type { NetworkSpec, Plan, UnitSpec } from '../../ensemble/plan.js';
import { canonical, sameData } from './canonical.js';

/** How one unit differs between the running plan and a new one. */
export type UnitChangeKind = 'added' | 'removed' | 'changed' | 'unchanged';

/** One unit of a {@link PlanDiff}. */
export interface UnitDiff {
  readonly name: string;
  readonly change: UnitChangeKind;
  /**
   * For `changed`: what differs, as UnitSpec field names; `properties` and
   * `env` name the key (`properties.interval`, `env.LOG_LEVEL`). Values are
   * never listed (they may be secrets). Empty for the other kinds.
   */
  readonly fields: readonly string[];
  /** The running spec (null when added). */
  readonly before: UnitSpec | null;
  /** The new spec (null when removed). */
  readonly after: UnitSpec | null;
}

/** How the `network` block differs; null when it does not. */
export interface NetworkDiff {
  /** `added`, `removed` (the whole block) or the NetworkSpec fields that differ (`peers`, `token`, …). */
  readonly fields: readonly string[];
}

/** What separates the running plan from a new one. */
export interface PlanDiff {
  /** Units of the new plan in its (start) order, then the removed units in the running order. */
  readonly units: readonly UnitDiff[];
  readonly network: NetworkDiff | null;
}

/**
 * Diff two plans unit by unit. "Changed" means any field that affects the
 * process differs: the whole resolved UnitSpec is compared except source
 * positions (`source`, and `source` of host children), so a changed imported
 * file or Liquid variable shows up through the fields it resolved into.
 * `depends_on` is compared as a set.
 */
export function diffPlans(running: Plan, next: Plan): PlanDiff {
  const before = new Map(running.units.map((u) => [u.name, u]));
  const after = new Set(next.units.map((u) => u.name));
  const units: UnitDiff[] = [];
  for (const spec of next.units) {
    const old = before.get(spec.name);
    if (!old) {
      units.push({ name: spec.name, change: 'added', fields: [], before: null, after: spec });
      continue;
    }
    const fields = changedFields(old, spec);
    units.push({ name: spec.name, change: fields.length > 0 ? 'changed' : 'unchanged', fields, before: old, after: spec });
  }
  for (const spec of running.units) {
    if (!after.has(spec.name)) units.push({ name: spec.name, change: 'removed', fields: [], before: spec, after: null });
  }
  return { units, network: diffNetwork(running.network, next.network) };
}

/** True when every changed field of `diff` is a property (a live update may apply it). */
export function onlyPropertiesChanged(diff: UnitDiff): boolean {
  return diff.change === 'changed' && diff.fields.every((f) => f === 'properties' || f.startsWith('properties.'));
}

/** The UnitSpec fields (with `properties.`/`env.` keys) that differ between `a` and `b`. */
export function changedFields(a: UnitSpec, b: UnitSpec): string[] {
  const fields: string[] = [];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof UnitSpec)[]);
  for (const key of [...keys].sort()) {
    if (key === 'source') continue;
    const x = a[key];
    const y = b[key];
    if (key === 'properties' || key === 'env') {
      fields.push(...changedKeys(key, x as Record<string, unknown>, y as Record<string, unknown>));
    } else if (key === 'dependsOn') {
      if (canonical([...(x as string[])].sort()) !== canonical([...(y as string[])].sort())) fields.push(key);
    } else if (key === 'services') {
      if (!sameData(withoutSources(x as UnitSpec['services']), withoutSources(y as UnitSpec['services']))) fields.push(key);
    } else if (!sameData(x, y)) {
      fields.push(key);
    }
  }
  return fields;
}

function changedKeys(prefix: string, a: Record<string, unknown> = {}, b: Record<string, unknown> = {}): string[] {
  const out: string[] = [];
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (!sameData(a[key], b[key])) out.push(`${prefix}.${key}`);
  }
  return out;
}

function withoutSources(services: UnitSpec['services'] | undefined): unknown {
  return (services ?? []).map(({ source: _source, ...rest }) => rest);
}

function diffNetwork(a: NetworkSpec | null, b: NetworkSpec | null): NetworkDiff | null {
  if (a === null && b === null) return null;
  if (a === null) return { fields: ['added'] };
  if (b === null) return { fields: ['removed'] };
  const fields: string[] = [];
  for (const key of ['name', 'listen', 'peers', 'token', 'tls'] as const) {
    if (!sameData(a[key], b[key])) fields.push(key);
  }
  return fields.length > 0 ? { fields } : null;
}
