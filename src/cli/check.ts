import type { Command } from 'commander';
import { UnsupportedError } from '../errors.js';
import { action } from './action.js';

/** `supervisor check` — placeholder until its issue lands. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .argument('[file]')
    .action(
      action(() => {
        throw new UnsupportedError('check is not implemented yet');
      }),
    );
}
