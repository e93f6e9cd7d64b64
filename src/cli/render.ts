import type { Command } from 'commander';
import { action, EXIT_USER_ERROR } from './action.js';
import { nodeFlag } from './node-option.js';
import { budgetOf, loadPlanInBudget, RENDER_MEMORY_OPTION, RENDER_TIMEOUT_OPTION, type BudgetFlags } from './render-budget-flags.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** `supervisor render FILE [--json] [--set k=v]… [--node N]`: the resolved Plan (token masked). */
export function registerRender(program: Command): void {
  program
    .command('render')
    .description('Print the resolved Plan of an .ensemble file (text, or JSON with --json)')
    .argument('<file>', 'the .ensemble file')
    .option('--json', 'print the Plan as JSON')
    .option('--set <key=value>', 'a parameter, seen as params.key (repeatable)', collect, [])
    .option(...RENDER_TIMEOUT_OPTION)
    .option(...RENDER_MEMORY_OPTION)
    .option('--node <name>', 'render for this node (default: ENSEMBLE_NODE, else the hostname)')
    .action(
      action(async (file: string, opts: BudgetFlags & { json?: boolean; set: string[]; node?: string }) => {
        const { displayPath, formatDiagnostic, moreErrorsLine, maskPlan, parseParams, PlanError, renderPlanText } = await import('../ensemble/index.js');
        const params = parseParams(opts.set);
        const budget = await budgetOf(opts);
        try {
          const plan = maskPlan(await loadPlanInBudget(file, { params, budget, ...nodeFlag(opts.node) }));
          process.stdout.write(opts.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanText(plan));
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
