import type { Command } from 'commander';
import { UnsupportedError } from '../errors.js';
import { action } from './action.js';

/** `supervisor render` — placeholder until its issue lands. */
export function registerRender(program: Command): void {
  program
    .command('render')
    .argument('[file]')
    .action(
      action(() => {
        throw new UnsupportedError('render is not implemented yet');
      }),
    );
}
