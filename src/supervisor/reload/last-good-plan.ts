import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../../ensemble/plan.js';
import { EnsembleError } from '../../common/errors.js';
import { removeStaleTemps, writeFileAtomic } from '../../common/atomic-write.js';

/** Name of the last good plan file in the ensemble's state directory. */
export const LAST_GOOD_FILE = 'last-good-plan.json';

/** The stored last good plan. */
export interface LastGoodPlan {
  readonly version: 1;
  /** When it was applied, epoch milliseconds. */
  readonly appliedAt: number;
  readonly plan: Plan;
}

/** There is no usable last good plan (`supervisor run --last-good` with a broken file and nothing stored). */
export class NoLastGoodPlanError extends EnsembleError {
  constructor(message: string) {
    super('ENS_E_PLAN', message);
  }
}

/** Path of the last good plan of a state directory. */
export function lastGoodFile(stateDir: string): string {
  return join(stateDir, LAST_GOOD_FILE);
}

/**
 * Store `plan` as the last good plan (atomically; mode 0600). It holds the
 * plan's secrets in clear (network token, secret properties): `run
 * --last-good` starts units from it, when the environment that fed them may
 * be gone. Printers never read it; they mask (docs/language.md "Secrets").
 */
export function saveLastGoodPlan(stateDir: string, plan: Plan, now = Date.now()): void {
  const file = lastGoodFile(stateDir);
  removeStaleTemps(file);
  const record: LastGoodPlan = { version: 1, appliedAt: now, plan };
  writeFileAtomic(file, `${JSON.stringify(record)}\n`, 0o600);
}

/** Read the last good plan of `stateDir`; throws {@link NoLastGoodPlanError} when there is none usable. */
export function loadLastGoodPlan(stateDir: string): LastGoodPlan {
  const file = lastGoodFile(stateDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'none was stored yet (it is stored when a plan is applied)' : (e as Error).message;
    throw new NoLastGoodPlanError(`no last good plan in ${file}: ${why}`);
  }
  let record: Partial<LastGoodPlan>;
  try {
    record = JSON.parse(text) as Partial<LastGoodPlan>;
  } catch (e) {
    throw new NoLastGoodPlanError(`the last good plan ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (record.version !== 1 || typeof record.appliedAt !== 'number' || !record.plan || !Array.isArray(record.plan.units)) {
    throw new NoLastGoodPlanError(`${file} is not a last good plan (version 1)`);
  }
  return record as LastGoodPlan;
}
