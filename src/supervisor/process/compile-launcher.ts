import { loadPlanBounded, type CompileLauncher } from '../../ensemble/bounded-compile.js';
import type { LoadOptions } from '../../ensemble/load-plan.js';
import type { Plan } from '../../ensemble/plan.js';
import type { RenderBudget } from '../../ensemble/render-budget.js';
import { findSetpriv } from './find-setpriv.js';

/**
 * How bounded compiles start their process here: under
 * `setpriv --pdeathsig SIGKILL` when util-linux has it, so a compiling
 * process busy with a pathological file dies with its parent (a killed
 * supervisor or CLI) instead of running on.
 */
export function compileLauncher(): CompileLauncher {
  const setpriv = findSetpriv();
  return setpriv ? { prefix: [setpriv, '--pdeathsig', 'SIGKILL', '--'] } : {};
}

/**
 * The plan loader of `supervisor run`: every compile (the initial plan,
 * reload, diff, the file view's reload) in a bounded child process under
 * `budget`, so a pathological file costs the supervisor nothing.
 */
export function boundedPlanLoader(budget: RenderBudget): (file: string, options: Omit<LoadOptions, 'budget'>) => Promise<Plan> {
  return (file, options) => loadPlanBounded(file, { ...options, budget }, compileLauncher());
}
