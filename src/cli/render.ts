import type { Command } from 'commander';
import { action } from './action.js';
import { withPlanFile, withPlanFileOptions, type PlanFileFlags } from './plan-file-command.js';

/** `supervisor render FILE [--json] [--set k=v]… [--node N]`: the resolved Plan (token masked). */
export function registerRender(program: Command): void {
  withPlanFileOptions(
    program
      .command('render')
      .description('Print the resolved Plan of an .ensemble file (text, or JSON with --json)')
      .argument('<file>', 'the .ensemble file')
      .option('--json', 'print the Plan as JSON'),
    'render for this node (default: ENSEMBLE_NODE, else the hostname)',
  ).action(
    action(async (file: string, opts: PlanFileFlags & { json?: boolean }) => {
      const { maskPlan, renderPlanText } = await import('../ensemble/index.js');
      return withPlanFile(file, opts, (loaded) => {
        const plan = maskPlan(loaded);
        process.stdout.write(opts.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanText(plan));
      });
    }),
  );
}
