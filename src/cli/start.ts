import type { Command } from 'commander';
import { controlVerb } from '../api/client-verbs.js';
import { action } from './action.js';

/** `supervisor start UNIT`: start a stopped, failed or crash-looping unit and wait until it is ready. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('start a stopped, failed or crash-looping unit and wait until it is ready')
    .argument('<unit>', 'unit name')
    .action(action(async (unit: string, _opts: unknown, cmd: Command) => controlVerb('start', unit, cmd.optsWithGlobals<{ supervisor?: string }>())));
}
