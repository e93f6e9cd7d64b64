import type { Command } from 'commander';
import { action } from './action.js';
import { withNodeOption } from './node-option.js';
import { stdio } from './stdio-output.js';

/** `supervisor shutdown [--no-wait]`: stop every unit and the supervisor. */
export function registerShutdown(program: Command): void {
  withNodeOption(program.command('shutdown'))
    .description('stop every unit in reverse dependency order and exit the supervisor; waits until it is gone')
    .option('--no-wait', 'return as soon as the supervisor accepted the request')
    .action(action(async (opts: { wait: boolean }, cmd: Command) => {
        const { shutdownVerb } = await import('./client-verbs.js');
        return shutdownVerb({ ...cmd.optsWithGlobals<{ supervisor?: string }>(), wait: opts.wait }, stdio);
      }),
    );
}
