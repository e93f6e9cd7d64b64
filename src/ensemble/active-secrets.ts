import type { Plan } from './plan.js';
import { planRedactor, planSecretValues, SecretRedactor } from './secret-fields.js';

/**
 * The secrets of the plan this process runs, for the printers that do not
 * see the plan (unit error texts in `ps`/GetUnit/ListUnits and the file view,
 * the supervisor's own log lines, pino). A supervisor process runs one plan:
 * `supervisor run` sets it when a plan is applied (start, reload, AddUnit).
 */
let active = new SecretRedactor([]);

/** Use the secrets of `plan` from now on (replaces the previous plan's). */
export function setActiveSecrets(plan: Plan): void {
  active = planRedactor(plan);
}

/** Also mask the secrets of `plan` (a plan compiled for a reload or a diff) until the next {@link setActiveSecrets}; returns `plan`. */
export function addActiveSecrets(plan: Plan): Plan {
  const more = planSecretValues(plan);
  if (more.length > 0) active = new SecretRedactor([...active.values, ...more]);
  return plan;
}

/** `text` with every secret value of the running plan masked. */
export function redactSecrets(text: string): string {
  return active.empty ? text : active.redact(text);
}

/** True when the running plan has secret values to search for. */
export function hasActiveSecrets(): boolean {
  return !active.empty;
}

function redactValue(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return active.redact(v);
  if (depth > 2 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => redactValue(x, depth + 1));
  if (v instanceof Error) return active.redact(v.message);
  // Copy only when something changed (the common unit line `{ unit, stream }` is passed through).
  let copy: Record<string, unknown> | null = null;
  for (const [k, x] of Object.entries(v)) {
    const r = redactValue(x, depth + 1);
    if (r !== x) (copy ??= { ...(v as Record<string, unknown>) })[k] = r;
  }
  return copy ?? v;
}

/**
 * The arguments of one pino call with the running plan's secret values
 * masked in its message and fields (two levels deep): pino's
 * `hooks.logMethod` calls this for every line the supervisor logs, unit
 * lines included.
 */
export function redactLogArguments(args: unknown[]): unknown[] {
  return active.empty ? args : args.map((a) => redactValue(a, 0));
}
