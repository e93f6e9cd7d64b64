import type { Command } from 'commander';
import { action } from './action.js';

/** `supervisor restart UNIT|NODE/UNIT`: stop and start a unit, and wait until it is ready. NODE/UNIT acts on another node of the network. */
export function registerRestart(program: Command): void {
  program
    .command('restart')
    .description('stop and start a unit, and wait until it is ready')
    .argument('<unit>', 'unit name, or NODE/UNIT for a unit on another node')
    .action(
      action(async (target: string, _opts: unknown, cmd: Command) => {
        const flags = cmd.optsWithGlobals<{ supervisor?: string }>();
        const { networkControlVerb, parseNodeUnit } = await import('../network/network-verbs.js');
        const { node, unit } = parseNodeUnit(target);
        if (node === null) {
          const { controlVerb } = await import('../api/client-verbs.js');
          return controlVerb('restart', unit, flags);
        }
        return networkControlVerb('restart', node, unit, flags);
      }),
    );
}
