import type { LoadOptions } from '../ensemble/load-plan.js';
import type { Plan } from '../ensemble/plan.js';
import type { RenderBudget } from '../ensemble/render-budget.js';

/** `--render-timeout` and `--render-memory` of `check` and `render` (docs/language.md, "Render budget"). */
export interface BudgetFlags {
  readonly renderTimeout?: string;
  readonly renderMemory?: string;
}

/** The flag's commander arguments. */
export const RENDER_TIMEOUT_OPTION = ['--render-timeout <duration>', 'time the file may take to render and compile (default 10s)'] as const;
/** The flag's commander arguments. */
export const RENDER_MEMORY_OPTION = ['--render-memory <size>', 'memory the file may use to render and compile (default 256MiB)'] as const;

/** The budget the flags ask for (defaults for flags not given); a bad value is one line (exit 1). */
export async function budgetOf(flags: BudgetFlags): Promise<RenderBudget> {
  const { parseRenderBudget } = await import('../ensemble/render-budget.js');
  return parseRenderBudget({ timeout: flags.renderTimeout, memory: flags.renderMemory });
}

/** Compile `file` in a bounded child process (bounded-compile.ts), dying with this CLI. */
export async function loadPlanInBudget(file: string, options: LoadOptions & { budget: RenderBudget }): Promise<Plan> {
  const [{ loadPlanBounded }, { compileLauncher }] = await Promise.all([import('../ensemble/bounded-compile.js'), import('../supervisor/process/compile-launcher.js')]);
  return loadPlanBounded(file, options, compileLauncher());
}
