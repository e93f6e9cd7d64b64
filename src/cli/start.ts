import type { Command } from 'commander';
import { action } from './action.js';

/** `supervisor start UNIT|NODE/UNIT`: start a stopped, failed or crash-looping unit and wait until it is ready. NODE/UNIT acts on another node of the network. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('start a stopped, failed or crash-looping unit and wait until it is ready')
    .argument('<unit>', 'unit name, or NODE/UNIT for a unit on another node')
    .action(
      action(async (target: string, _opts: unknown, cmd: Command) => {
        const flags = cmd.optsWithGlobals<{ supervisor?: string }>();
        const { networkControlVerb, parseNodeUnit } = await import('../network/network-verbs.js');
        const { node, unit } = parseNodeUnit(target);
        if (node === null) {
          const { controlVerb } = await import('../api/client-verbs.js');
          return controlVerb('start', unit, flags);
        }
        return networkControlVerb('start', node, unit, flags);
      }),
    );
}
