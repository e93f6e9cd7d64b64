import type { Command } from 'commander';
import { action, EXIT_USER_ERROR } from './action.js';
import { nodeFlag } from './node-option.js';
import { budgetOf, loadPlanInBudget, RENDER_MEMORY_OPTION, RENDER_TIMEOUT_OPTION, type BudgetFlags } from './render-budget-flags.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** `supervisor check FILE [--set k=v]… [--node N]`: exit 0 and a summary, or exit 1 and every error. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('Check an .ensemble file: print every error (file:line:col) or a one-line summary')
    .argument('<file>', 'the .ensemble file')
    .option('--set <key=value>', 'a parameter, seen as params.key (repeatable)', collect, [])
    .option(...RENDER_TIMEOUT_OPTION)
    .option(...RENDER_MEMORY_OPTION)
    .option('--node <name>', 'check placement for this node (default: ENSEMBLE_NODE, else the hostname)')
    .action(
      action(async (file: string, opts: BudgetFlags & { set: string[]; node?: string }) => {
        const { displayPath, formatDiagnostic, moreErrorsLine, parseParams, PlanError, summarizePlan } = await import('../ensemble/index.js');
        const params = parseParams(opts.set);
        const budget = await budgetOf(opts);
        try {
          const plan = await loadPlanInBudget(file, { params, budget, ...nodeFlag(opts.node) });
          process.stdout.write(`${summarizePlan(plan)}\n`);
          return 0;
        } catch (e) {
          if (!(e instanceof PlanError)) throw e;
          for (const d of e.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
          if (e.omitted > 0) process.stderr.write(`${moreErrorsLine(e.omitted)}\n`);
          const n = e.total;
          process.stderr.write(`${displayPath(file)}: ${n} error${n === 1 ? '' : 's'}\n`);
          return EXIT_USER_ERROR;
        }
      }),
    );
}
