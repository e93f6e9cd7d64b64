import type { Command } from 'commander';
import { action } from './action.js';

/** `supervisor stop UNIT|NODE/UNIT`: stop a unit and keep it down until started again. NODE/UNIT acts on another node of the network. */
export function registerStop(program: Command): void {
  program
    .command('stop')
    .description('stop a unit and keep it down until started again')
    .argument('<unit>', 'unit name, or NODE/UNIT for a unit on another node')
    .action(
      action(async (target: string, _opts: unknown, cmd: Command) => {
        const flags = cmd.optsWithGlobals<{ supervisor?: string }>();
        const { networkControlVerb, parseNodeUnit } = await import('../network/network-verbs.js');
        const { node, unit } = parseNodeUnit(target);
        if (node === null) {
          const { controlVerb } = await import('../api/client-verbs.js');
          return controlVerb('stop', unit, flags);
        }
        return networkControlVerb('stop', node, unit, flags);
      }),
    );
}
