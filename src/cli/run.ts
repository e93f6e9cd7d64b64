import type { Command } from 'commander';
import { UnsupportedError } from '../errors.js';
import { action } from './action.js';

/** `supervisor run` — placeholder until its issue lands. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .argument('[file]')
    .action(
      action(() => {
        throw new UnsupportedError('run is not implemented yet');
      }),
    );
}
