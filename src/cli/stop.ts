import type { Command } from 'commander';
import { controlVerb } from '../api/client-verbs.js';
import { action } from './action.js';

/** `supervisor stop UNIT`: stop a unit and keep it down until started again. */
export function registerStop(program: Command): void {
  program
    .command('stop')
    .description('stop a unit and keep it down until started again')
    .argument('<unit>', 'unit name')
    .action(action(async (unit: string, _opts: unknown, cmd: Command) => controlVerb('stop', unit, cmd.optsWithGlobals<{ supervisor?: string }>())));
}
