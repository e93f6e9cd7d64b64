import type { Command } from 'commander';
import { controlVerb } from '../api/client-verbs.js';
import { action } from './action.js';

/** `supervisor restart UNIT`: stop and start a unit, and wait until it is ready. */
export function registerRestart(program: Command): void {
  program
    .command('restart')
    .description('stop and start a unit, and wait until it is ready')
    .argument('<unit>', 'unit name')
    .action(action(async (unit: string, _opts: unknown, cmd: Command) => controlVerb('restart', unit, cmd.optsWithGlobals<{ supervisor?: string }>())));
}
