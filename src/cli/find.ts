import type { Command } from 'commander';
import { action } from './action.js';
import { withNodeOption } from './node-option.js';
import { stdio } from './stdio-output.js';

/** `supervisor find SERVICE [--json]`: where a service is (name, then alias, then family). */
export function registerFind(program: Command): void {
  withNodeOption(program.command('find'))
    .description('print the address of a service found by name, alias or family')
    .argument('<service>', 'service name, alias or family')
    .option('--json', 'print the whole registration as JSON')
    .action(action(async (service: string, opts: { json?: boolean }, cmd: Command) => {
        const { findVerb } = await import('./client-verbs.js');
        return findVerb(service, { ...cmd.optsWithGlobals<{ supervisor?: string }>(), json: opts.json === true }, stdio);
      }),
    );
}
