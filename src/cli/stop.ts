import type { Command } from 'commander';
import { controlVerb } from '../api/client-verbs.js';
import { networkControlVerb, parseNodeUnit } from '../network/network-verbs.js';
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
        const { node, unit } = parseNodeUnit(target);
        return node === null ? controlVerb('stop', unit, flags) : networkControlVerb('stop', node, unit, flags);
      }),
    );
}
