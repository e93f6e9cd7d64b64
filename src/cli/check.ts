import type { Command } from 'commander';
import { action } from './action.js';
import { withPlanFile, withPlanFileOptions, type PlanFileFlags } from './plan-file-command.js';

/** `supervisor check FILE [--set k=v]… [--node N]`: exit 0 and a summary, or exit 1 and every error. */
export function registerCheck(program: Command): void {
  withPlanFileOptions(
    program
      .command('check')
      .description('Check an .ensemble file: print every error (file:line:col) or a one-line summary')
      .argument('<file>', 'the .ensemble file'),
    'check placement for this node (default: ENSEMBLE_NODE, else the hostname)',
  ).action(
    action(async (file: string, opts: PlanFileFlags) => {
      const { summarizePlan } = await import('../ensemble/index.js');
      return withPlanFile(file, opts, (plan) => process.stdout.write(`${summarizePlan(plan)}\n`));
    }),
  );
}
