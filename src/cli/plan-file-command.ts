import type { Command } from 'commander';
import type { Plan } from '../ensemble/plan.js';
import { EXIT_USER_ERROR } from './action.js';
import { nodeFlag } from './node-option.js';
import { budgetOf, loadPlanInBudget, RENDER_MEMORY_OPTION, RENDER_TIMEOUT_OPTION, type BudgetFlags } from './render-budget-flags.js';

/** The flags of a command that compiles an ensemble file itself (`check`, `render`). */
export interface PlanFileFlags extends BudgetFlags {
  readonly set: string[];
  readonly node?: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** Adds `--set k=v`…, the render budget and `--node N` (whose help says what the node is for). */
export function withPlanFileOptions(command: Command, nodeHelp: string): Command {
  return command
    .option('--set <key=value>', 'a parameter, seen as params.key (repeatable)', collect, [])
    .option(...RENDER_TIMEOUT_OPTION)
    .option(...RENDER_MEMORY_OPTION)
    .option('--node <name>', nodeHelp);
}

/**
 * Compiles `file` with the flags (in a bounded child process) and hands the
 * plan to `print`: exit 0. A file that does not compile prints every error
 * (`file:line:col`), then how many, on stderr: exit 1.
 */
export async function withPlanFile(file: string, opts: PlanFileFlags, print: (plan: Plan) => void): Promise<number> {
  const { displayPath, formatDiagnostic, moreErrorsLine, parseParams, PlanError } = await import('../ensemble/index.js');
  const params = parseParams(opts.set);
  const budget = await budgetOf(opts);
  try {
    print(await loadPlanInBudget(file, { params, budget, ...nodeFlag(opts.node) }));
    return 0;
  } catch (e) {
    if (!(e instanceof PlanError)) throw e;
    for (const d of e.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    if (e.omitted > 0) process.stderr.write(`${moreErrorsLine(e.omitted)}\n`);
    const n = e.total;
    process.stderr.write(`${displayPath(file)}: ${n} error${n === 1 ? '' : 's'}\n`);
    return EXIT_USER_ERROR;
  }
}
