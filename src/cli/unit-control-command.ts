import type { Command } from 'commander';
import { action } from './action.js';
import { withNodeOption } from './node-option.js';
import { stdio } from './stdio-output.js';

/** The three unit control verbs. */
export type UnitControlVerb = 'start' | 'stop' | 'restart';

/**
 * Register `supervisor VERB UNIT|NODE/UNIT`: UNIT acts on the local
 * supervisor, NODE/UNIT on another node of the network (through the local
 * supervisor). Shared by the start, stop and restart verb files.
 */
export function registerUnitControl(program: Command, verb: UnitControlVerb, description: string): void {
  withNodeOption(program.command(verb))
    .description(description)
    .argument('<unit>', 'unit name, or NODE/UNIT for a unit on another node')
    .action(
      action(async (target: string, _opts: unknown, cmd: Command) => {
        const flags = cmd.optsWithGlobals<{ supervisor?: string }>();
        const { networkControlVerb, parseNodeUnit } = await import('./network-verbs.js');
        const { node, unit } = parseNodeUnit(target);
        if (node === null) {
          const { controlVerb } = await import('./client-verbs.js');
          return controlVerb(verb, unit, flags, stdio);
        }
        return networkControlVerb(verb, node, unit, flags, stdio);
      }),
    );
}
