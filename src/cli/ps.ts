import type { Command } from 'commander';
import { action } from './action.js';
import { withNodeOption } from './node-option.js';
import { stdio } from './stdio-output.js';

/** `supervisor ps [--json] [--network]`: every unit with state, pid, restarts, cpu, memory, uptime and last error. */
export function registerPs(program: Command): void {
  withNodeOption(program.command('ps'))
    .description('list the units of the running supervisor')
    .option('--json', 'print the units as JSON')
    .option('--network', "list every node's units (a NODE column), through this node's supervisor")
    .action(
      action(async (opts: { json?: boolean; network?: boolean }, cmd: Command) => {
        const flags = { ...cmd.optsWithGlobals<{ supervisor?: string }>(), json: opts.json === true };
        if (opts.network) {
          const { networkPsVerb } = await import('./network-verbs.js');
          return networkPsVerb(flags, stdio);
        }
        const { psVerb } = await import('./client-verbs.js');
        return psVerb(flags, stdio);
      }),
    );
}
