import type { Plan, UnitSpec } from './plan.js';
import { MIN_SEARCHED_LENGTH, planSecretValues } from './secret-fields.js';
import { envReads, envValues, type TemplateScope } from './template-scope.js';

/** Always withheld from units: the supervisor's own network token variable (docs/network.md). */
export const NETWORK_TOKEN_ENV = 'ENSEMBLE_NETWORK_TOKEN';

/**
 * The variables of the compile's environment that fed a secret
 * (docs/language.md "Secrets"), sorted:
 *
 * - every variable whose non-empty value equals a secret value (the network
 *   token, a secret-named property or `env` entry), read by the file or not;
 * - every variable the file read (`{{ env.X }}`, `if "env.X …"`) whose
 *   value, trimmed and at least {@link MIN_SEARCHED_LENGTH} characters long,
 *   appears inside a secret value (`token: "Bearer {{ env.API_TOKEN }}"`).
 */
export function secretEnvNames(secrets: readonly string[], scope: TemplateScope): string[] {
  if (secrets.length === 0) return [];
  const exact = new Set(secrets);
  const read = envReads(scope);
  const env = envValues(scope);
  const names: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === '') continue;
    if (exact.has(value)) {
      names.push(name);
      continue;
    }
    const inner = value.trim();
    if (read.has(name) && inner.length >= MIN_SEARCHED_LENGTH && secrets.some((s) => s.includes(inner))) names.push(name);
  }
  return names.sort();
}

/** A unit spec that does not inherit `names` (unchanged, without the field, when there are none). */
export function withheld(spec: UnitSpec, names: readonly string[]): UnitSpec {
  if (names.length === 0) return spec;
  return { ...spec, withheldEnv: names };
}

/**
 * The plan with every unit marked to not inherit the variables that fed its
 * secrets ({@link secretEnvNames}): computed here, at compile time, because
 * only the compile knows which variables the file read.
 */
export function withholdSecretEnv(plan: Plan, scope: TemplateScope): Plan {
  const names = secretEnvNames(planSecretValues(plan), scope);
  if (names.length === 0) return plan;
  return { ...plan, units: plan.units.map((u) => withheld(u, names)) };
}
